import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { generatedFiles } from "../generatedFiles";
import { README_EXAMPLE_BEGIN, README_EXAMPLE_END, README_EXAMPLE_SOURCE, renderReadmeExample } from "./readmeExample";

const root = join(__dirname, "..", "..");

describe("the README's example PR comment", () => {
  it("is the diff's golden document, as npm run generate writes it (run it when this fails)", () => {
    const readme = readFileSync(join(root, "README.md"), "utf8");
    const generator = generatedFiles().find((file) => file.path === "README.md");
    expect(generator).toBeDefined();
    expect(generator!.render(readme)).toBe(readme);
    const section = readme.slice(readme.indexOf(README_EXAMPLE_BEGIN), readme.indexOf(README_EXAMPLE_END));
    expect(section).toContain(readFileSync(join(root, README_EXAMPLE_SOURCE), "utf8").trimEnd());
    expect(section).toContain("**changed**");
  });

  it("replaces only what is between the markers, and insists on them", () => {
    const current = `# Title\n\n${README_EXAMPLE_BEGIN}\nold\n${README_EXAMPLE_END}\n\nAfter.\n`;
    const next = renderReadmeExample(root, current);
    expect(next.startsWith(`# Title\n\n${README_EXAMPLE_BEGIN}\n`)).toBe(true);
    expect(next.endsWith(`${README_EXAMPLE_END}\n\nAfter.\n`)).toBe(true);
    expect(next).not.toContain("\nold\n");
    expect(renderReadmeExample(root, next)).toBe(next);
    expect(() => renderReadmeExample(root, "# No markers\n")).toThrow(/must contain/);
  });
});
