import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { unifiedDiff, unifiedHunks } from "./unifiedDiff";

const scratch = mkdtempSync(join(tmpdir(), "unified-diff-test-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** What GNU diff prints for the same texts, headers normalised. */
function gnuDiff(before: string, after: string): string {
  writeFileSync(join(scratch, "a"), before);
  writeFileSync(join(scratch, "b"), after);
  try {
    execFileSync("diff", ["-u", join(scratch, "a"), join(scratch, "b")], { encoding: "utf8" });
    return "";
  } catch (error) {
    const out = (error as { stdout: string }).stdout;
    return out.split("\n").slice(2).join("\n").replace(/\n$/, "");
  }
}

/** Applies hunks to the old lines, as patch(1) would. */
function apply(before: string, after: string): string[] {
  const old = before === "" ? [] : before.replace(/\n$/, "").split("\n");
  const out: string[] = [];
  let at = 0;
  for (const hunk of unifiedHunks(before, after)) {
    const start = hunk.oldLines === 0 ? hunk.oldStart : hunk.oldStart - 1;
    while (at < start) out.push(old[at++]!);
    for (const line of hunk.lines) {
      if (line.startsWith("\\")) continue;
      if (line.startsWith(" ")) {
        expect(old[at]).toBe(line.slice(1));
        out.push(old[at++]!);
      } else if (line.startsWith("-")) {
        expect(old[at]).toBe(line.slice(1));
        at++;
      } else out.push(line.slice(1));
    }
  }
  while (at < old.length) out.push(old[at++]!);
  return out;
}

function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    return state / 0x7fffffff;
  };
}

describe("unifiedDiff", () => {
  const cases: Array<[string, string, string]> = [
    ["one changed line", "a\nb\nc\nd\ne\nf\ng\nh\ni\nj\nk\nl\nm\n", "a\nB\nc\nd\ne\nf\ng\nh\ni\nj\nk\nl\nm\nn"],
    ["a new file", "", "x\ny\n"],
    ["a removed file", "x\ny\n", ""],
    ["changes close together share a hunk", "1\n2\n3\n4\n5\n6\n7\n8\n9\n", "1\n2x\n3\n4\n5\n6\n7x\n8\n9\n"],
    ["only the final newline", "a\nb", "a\nb\n"],
    ["insertions at both ends", "m\n", "a\nm\nz\n"],
  ];
  it.each(cases)("prints what diff -u prints: %s", (_name, before, after) => {
    const ours = unifiedDiff(before, after, { before: "a", after: "b" });
    expect(ours.split("\n").slice(2).join("\n")).toBe(gnuDiff(before, after));
  });

  it("shows texts too different to align as a rewrite", () => {
    const before = Array.from({ length: 600 }, (_, i) => `old ${i}`).join("\n") + "\n";
    const after = Array.from({ length: 600 }, (_, i) => `new ${i}`).join("\n");
    const diff = unifiedDiff(before, after, { before: "a", after: "b" }).split("\n");
    expect(diff.slice(0, 3)).toEqual(["--- a", "+++ b", "@@ -1,600 +1,600 @@"]);
    expect(diff.filter((l) => l.startsWith("-old")).length).toBe(600);
    expect(diff.at(-1)).toBe("\\ No newline at end of file");
  });

  it("is empty for equal texts", () => {
    expect(unifiedDiff("a\nb\n", "a\nb\n", { before: "a", after: "b" })).toBe("");
  });

  it("finds a shortest edit script whose hunks rebuild the new text (random texts)", () => {
    const next = random(7);
    for (let round = 0; round < 200; round++) {
      const words = ["alpha", "beta", "gamma", "delta", "epsilon"];
      const lines = (n: number) => Array.from({ length: n }, () => words[Math.floor(next() * words.length)]!);
      const a = lines(Math.floor(next() * 30));
      const b = next() < 0.5 ? lines(Math.floor(next() * 30)) : a.map((l) => (next() < 0.2 ? `${l}!` : l));
      const before = a.length ? `${a.join("\n")}\n` : "";
      const after = b.length ? `${b.join("\n")}\n` : "";
      expect(apply(before, after)).toEqual(b);
      // Shortest: the edit count equals what GNU diff needs for the same texts.
      const edits = unifiedHunks(before, after)
        .flatMap((hunk) => hunk.lines)
        .filter((l) => /^[-+]/.test(l)).length;
      const gnuEdits = gnuDiff(before, after)
        .split("\n")
        .filter((l) => /^[-+]/.test(l) && !/^(---|\+\+\+) /.test(l)).length;
      expect(edits).toBe(gnuEdits);
    }
  });
});
