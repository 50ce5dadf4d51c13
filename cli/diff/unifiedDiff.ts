/**
 * Line diffs of rendered files (unit files, manifests, fly.toml) in the unified format reviewers
 * read every day, by jsdiff (the `diff` package): Myers' algorithm, hunks with three lines of context.
 */
import { structuredPatch } from "diff";

export interface Hunk {
  oldStart: number;
  oldLines: number;
  newStart: number;
  newLines: number;
  /** Lines prefixed with " ", "-" or "+" (and `\ No newline at end of file` where it applies). */
  lines: string[];
}

/**
 * Past this many differences jsdiff gives up aligning, and the file is shown as a rewrite: a
 * regenerated file that shares nothing with its old self is read as "everything removed, everything
 * added" anyway, and aligning it would cost quadratic time.
 */
const MAX_EDIT_LENGTH = 1000;

/** The hunks turning `before` into `after`; none when the texts are equal. */
export function unifiedHunks(before: string, after: string, context = 3): Hunk[] {
  const patch = structuredPatch("a", "b", before, after, undefined, undefined, { context, maxEditLength: MAX_EDIT_LENGTH });
  if (patch) return patch.hunks.map(asDiffPrintsIt);
  // Too different to align: the old text removed, then the new one added, as one hunk.
  const removed = structuredPatch("a", "b", before, "", undefined, undefined, { context: 0 }).hunks[0];
  const added = structuredPatch("a", "b", "", after, undefined, undefined, { context: 0 }).hunks[0];
  return [
    asDiffPrintsIt({
      oldStart: removed?.oldStart ?? 1,
      oldLines: removed?.oldLines ?? 0,
      newStart: added?.newStart ?? 1,
      newLines: added?.newLines ?? 0,
      lines: [...(removed?.lines ?? []), ...(added?.lines ?? [])],
    }),
  ];
}

/** As diff(1) prints them (and jsdiff's own formatPatch): an empty side starts at the line before. */
function asDiffPrintsIt(hunk: Hunk): Hunk {
  return {
    ...hunk,
    oldStart: hunk.oldLines === 0 ? hunk.oldStart - 1 : hunk.oldStart,
    newStart: hunk.newLines === 0 ? hunk.newStart - 1 : hunk.newStart,
  };
}

/** A unified diff with `---`/`+++` headers, or "" when the texts are equal. */
export function unifiedDiff(before: string, after: string, labels: { before: string; after: string }, context = 3): string {
  if (before === after) return "";
  const hunks = unifiedHunks(before, after, context);
  const range = (start: number, count: number) => (count === 1 ? `${start}` : `${start},${count}`);
  return [
    `--- ${labels.before}`,
    `+++ ${labels.after}`,
    ...hunks.flatMap((h) => [`@@ -${range(h.oldStart, h.oldLines)} +${range(h.newStart, h.newLines)} @@`, ...h.lines]),
  ].join("\n");
}
