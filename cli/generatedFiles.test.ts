import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { generatedFiles } from "./generatedFiles";

const root = join(__dirname, "..");

describe("generated files", () => {
  for (const file of generatedFiles()) {
    it(`${file.path} is up to date (run npm run generate)`, () => {
      const current = readFileSync(join(root, file.path), "utf8");
      expect(file.render(current)).toBe(current);
    });
  }
});
