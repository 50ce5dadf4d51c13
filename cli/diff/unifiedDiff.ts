/**
 * Line diffs of rendered files (unit files, manifests, fly.toml) in the unified format reviewers
 * read every day: Myers' O(ND) algorithm, hunks with three lines of context.
 */

export type LineOp = { kind: "equal" | "delete" | "insert"; line: string };

export interface Hunk {
  oldStart: number;
  oldLines: number;
  newStart: number;
  newLines: number;
  /** Lines prefixed with " ", "-" or "+" (and `\ No newline at end of file` where it applies). */
  lines: string[];
}

/** Past this many differences the diff is shown as "everything removed, everything added". */
const MAX_EDIT_DISTANCE = 4000;
const NO_EOL = "\u0000no-eol";

/** The shortest edit script turning `a` into `b` (equal lines kept, deletions before insertions). */
export function diffLines(a: readonly string[], b: readonly string[]): LineOp[] {
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const middle = myers(a.slice(start, endA), b.slice(start, endB));
  return [
    ...a.slice(0, start).map((line): LineOp => ({ kind: "equal", line })),
    ...middle,
    ...a.slice(endA).map((line): LineOp => ({ kind: "equal", line })),
  ];
}

function myers(a: readonly string[], b: readonly string[]): LineOp[] {
  const n = a.length;
  const m = b.length;
  if (n === 0 || m === 0)
    return [...a.map((line): LineOp => ({ kind: "delete", line })), ...b.map((line): LineOp => ({ kind: "insert", line }))];
  const max = Math.min(n + m, MAX_EDIT_DISTANCE);
  // v[k] = furthest x on diagonal k; `trace[d]` is v before round d, for diagonals -d..d.
  const offset = max + 1;
  const v = new Int32Array(2 * max + 3);
  const trace: Int32Array[] = [];
  for (let d = 0; d <= max; d++) {
    trace.push(v.slice(offset - d, offset + d + 1));
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && v[offset + k - 1]! < v[offset + k + 1]!) ? v[offset + k + 1]! : v[offset + k - 1]! + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      v[offset + k] = x;
      if (x >= n && y >= m) return backtrack(a, b, trace);
    }
  }
  // Too different to be worth aligning: show it as a rewrite.
  return [...a.map((line): LineOp => ({ kind: "delete", line })), ...b.map((line): LineOp => ({ kind: "insert", line }))];
}

function backtrack(a: readonly string[], b: readonly string[], trace: readonly Int32Array[]): LineOp[] {
  const ops: LineOp[] = [];
  let x = a.length;
  let y = b.length;
  for (let d = trace.length - 1; d >= 0; d--) {
    const at = (k: number) => trace[d]![k + d]!;
    const k = x - y;
    const previousK = k === -d || (k !== d && at(k - 1) < at(k + 1)) ? k + 1 : k - 1;
    const previousX = d === 0 ? 0 : at(previousK);
    const previousY = d === 0 ? 0 : previousX - previousK;
    while (x > previousX && y > previousY) {
      ops.push({ kind: "equal", line: a[x - 1]! });
      x--;
      y--;
    }
    if (d > 0) {
      if (x === previousX) ops.push({ kind: "insert", line: b[y - 1]! });
      else ops.push({ kind: "delete", line: a[x - 1]! });
    }
    x = previousX;
    y = previousY;
  }
  return ops.reverse();
}

/** Lines of a text; a last line without a newline is marked so it differs from one with it. */
function linesOf(text: string): string[] {
  if (text === "") return [];
  const lines = text.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  else lines[lines.length - 1] += NO_EOL;
  return lines;
}

function printed(prefix: string, line: string): string[] {
  return line.endsWith(NO_EOL) ? [prefix + line.slice(0, -NO_EOL.length), "\\ No newline at end of file"] : [prefix + line];
}

/** The hunks turning `before` into `after`; none when the texts are equal. */
export function unifiedHunks(before: string, after: string, context = 3): Hunk[] {
  const ops = diffLines(linesOf(before), linesOf(after));
  // Positions (1-based) of each op in the old and new texts.
  const oldAt: number[] = [];
  const newAt: number[] = [];
  let oldLine = 1;
  let newLine = 1;
  for (const op of ops) {
    oldAt.push(oldLine);
    newAt.push(newLine);
    if (op.kind !== "insert") oldLine++;
    if (op.kind !== "delete") newLine++;
  }
  const changed = ops.flatMap((op, i) => (op.kind === "equal" ? [] : [i]));
  const hunks: Hunk[] = [];
  let i = 0;
  while (i < changed.length) {
    // Extend the hunk while the next change is within 2 × context equal lines.
    let last = changed[i]!;
    let j = i + 1;
    while (j < changed.length && changed[j]! - last <= 2 * context) last = changed[j++]!;
    const from = Math.max(0, changed[i]! - context);
    const to = Math.min(ops.length - 1, last + context);
    const slice = ops.slice(from, to + 1);
    const oldLines = slice.filter((op) => op.kind !== "insert").length;
    const newLines = slice.filter((op) => op.kind !== "delete").length;
    hunks.push({
      // As diff(1) prints them: an empty side starts at the line before.
      oldStart: oldLines === 0 ? oldAt[from]! - 1 : oldAt[from]!,
      oldLines,
      newStart: newLines === 0 ? newAt[from]! - 1 : newAt[from]!,
      newLines,
      lines: slice.flatMap((op) => printed(op.kind === "equal" ? " " : op.kind === "delete" ? "-" : "+", op.line)),
    });
    i = j;
  }
  return hunks;
}

/** A unified diff with `---`/`+++` headers, or "" when the texts are equal. */
export function unifiedDiff(before: string, after: string, labels: { before: string; after: string }, context = 3): string {
  const hunks = unifiedHunks(before, after, context);
  if (hunks.length === 0) return "";
  const range = (start: number, count: number) => (count === 1 ? `${start}` : `${start},${count}`);
  return [
    `--- ${labels.before}`,
    `+++ ${labels.after}`,
    ...hunks.flatMap((h) => [`@@ -${range(h.oldStart, h.oldLines)} +${range(h.newStart, h.newLines)} @@`, ...h.lines]),
  ].join("\n");
}
