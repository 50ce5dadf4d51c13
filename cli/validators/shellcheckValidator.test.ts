import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, test } from "vitest";
import { shellcheckValidator } from "./shellcheckValidator";
import { requireTool } from "./testSupport";

const directories: string[] = [];
afterEach(() => {
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
});

function writeScript(text: string): string {
  const directory = mkdtempSync(path.join(os.tmpdir(), "script-"));
  directories.push(directory);
  const file = path.join(directory, "start.sh");
  writeFileSync(file, text);
  return file;
}

const GOOD_SCRIPT = `#!/bin/sh
set -eu
data_dir="\${DATA_DIR:-/data}"
mkdir -p "$data_dir"
exec node /app/server.js --data "$data_dir"
`;

describe("shellcheckValidator", () => {
  test("a clean script passes", async (context) => {
    requireTool(context, "shellcheck");
    expect(await shellcheckValidator({ file: writeScript(GOOD_SCRIPT) })).toMatchObject({
      validator: "shellcheck",
      status: "passed",
      message: "no findings",
    });
  });

  test("an unquoted expansion fails with its SC code and line", async (context) => {
    requireTool(context, "shellcheck");
    const file = writeScript(GOOD_SCRIPT.replace('mkdir -p "$data_dir"', "mkdir -p $data_dir"));
    const result = await shellcheckValidator({ file });
    expect(result.status).toBe("failed");
    expect(result.message).toContain(`${file}:4:10: note: Double quote to prevent globbing and word splitting. [SC2086]`);
  });

  test("a bash-only construct in a /bin/sh script fails", async (context) => {
    requireTool(context, "shellcheck");
    const result = await shellcheckValidator({ file: writeScript(`${GOOD_SCRIPT}if [[ -n "$data_dir" ]]; then echo ok; fi\n`) });
    expect(result.status).toBe("failed");
    expect(result.message).toContain("[SC3010]");
  });

  test("a style-level finding also fails (any finding = failure)", async (context) => {
    requireTool(context, "shellcheck");
    const result = await shellcheckValidator({ file: writeScript(`${GOOD_SCRIPT}echo "\`date\`"\n`) });
    expect(result.status).toBe("failed");
    expect(result.message).toContain("[SC2006]");
  });

  test("a missing file fails", async (context) => {
    requireTool(context, "shellcheck");
    const result = await shellcheckValidator({ file: path.join(os.tmpdir(), "does-not-exist.sh") });
    expect(result.status).toBe("failed");
  });
});

describe("the project's own validator installer", () => {
  test("scripts/install-validators.sh has no shellcheck findings", async (context) => {
    requireTool(context, "shellcheck");
    const file = path.resolve(__dirname, "..", "..", "scripts", "install-validators.sh");
    expect(await shellcheckValidator({ file })).toMatchObject({ status: "passed" });
  });
});
