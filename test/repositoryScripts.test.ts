import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { shellcheckValidator } from "../cli/validators";
import { requireTool } from "../cli/validators/testSupport";

const root = join(__dirname, "..");
const scripts = [
  ".ci/run",
  ...readdirSync(join(root, "scripts"))
    .filter((f) => f.endsWith(".sh"))
    .map((f) => `scripts/${f}`),
];

describe("the repository's own shell scripts", () => {
  for (const script of scripts) {
    it(`${script} passes shellcheck`, async (context) => {
      requireTool(context, "shellcheck");
      const result = await shellcheckValidator({ file: join(root, script) });
      expect(result.message).toBe(result.status === "passed" ? result.message : "");
      expect(result.status).toBe("passed");
    });
  }
});
