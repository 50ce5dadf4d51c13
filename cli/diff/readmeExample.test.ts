import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  PR_DIFF_EXAMPLE_BEGIN,
  PR_DIFF_EXAMPLE_DOCUMENT,
  PR_DIFF_EXAMPLE_END,
  PR_DIFF_EXAMPLE_SOURCE,
  README_EXCERPT_BEGIN,
  README_EXCERPT_END,
  renderPrDiffExample,
  renderReadmeExcerpt,
} from "./readmeExample";

const root = join(__dirname, "..", "..");
const golden = readFileSync(join(root, PR_DIFF_EXAMPLE_SOURCE), "utf8").trimEnd();
const between = (text: string, begin: string, end: string) => text.slice(text.indexOf(begin), text.indexOf(end));

describe("the example PR comment", () => {
  it("is the diff's golden document, whole, in docs/pr-diffs.md (npm run generate writes it)", () => {
    const document = readFileSync(join(root, PR_DIFF_EXAMPLE_DOCUMENT), "utf8");
    expect(renderPrDiffExample(root, document)).toBe(document);
    const section = between(document, PR_DIFF_EXAMPLE_BEGIN, PR_DIFF_EXAMPLE_END);
    expect(section).toContain(golden);
    expect(section).toContain("**changed**");
  });

  it("is in the README as an excerpt: the summary, the policy results and one file diff, cut from the golden document", () => {
    const readme = readFileSync(join(root, "README.md"), "utf8");
    expect(renderReadmeExcerpt(root, readme)).toBe(readme);
    const section = between(readme, README_EXCERPT_BEGIN, README_EXCERPT_END);
    expect(section).toContain(golden.slice(0, golden.indexOf("\n#### Changes")));
    expect(section).toContain("+Image=ghcr.io/berriai/litellm:");
    expect(section).toContain(`](${PR_DIFF_EXAMPLE_DOCUMENT}#an-example-comment)`);
    expect(section.length).toBeLessThan(golden.length / 4);
    expect(readme).not.toContain(PR_DIFF_EXAMPLE_BEGIN);
  });

  it("replaces only what is between the markers, and insists on them", () => {
    for (const [render, begin, end] of [
      [renderPrDiffExample, PR_DIFF_EXAMPLE_BEGIN, PR_DIFF_EXAMPLE_END],
      [renderReadmeExcerpt, README_EXCERPT_BEGIN, README_EXCERPT_END],
    ] as const) {
      const current = `# Title\n\n${begin}\nold\n${end}\n\nAfter.\n`;
      const next = render(root, current);
      expect(next.startsWith(`# Title\n\n${begin}\n`)).toBe(true);
      expect(next.endsWith(`${end}\n\nAfter.\n`)).toBe(true);
      expect(next).not.toContain("\nold\n");
      expect(render(root, next)).toBe(next);
      expect(() => render(root, "# No markers\n")).toThrow(/must contain/);
    }
  });
});
