import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, test } from "vitest";
import { postconfValidator } from "./postconfValidator";
import { requireTool } from "./testSupport";

const directories: string[] = [];
afterEach(() => directories.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function configDirectory(mainCf: string, masterCf?: string): string {
  const directory = mkdtempSync(path.join(os.tmpdir(), "postconf-"));
  directories.push(directory);
  writeFileSync(path.join(directory, "main.cf"), mainCf);
  if (masterCf !== undefined) writeFileSync(path.join(directory, "master.cf"), masterCf);
  return directory;
}

const MAIN = "compatibility_level = 3.6\nmyhostname = mail.example.com\n";
const MASTER = "smtp inet n - n - - smtpd\n  -o smtpd_tls_security_level=may\n";

describe("postconfValidator", () => {
  test("a clean configuration passes", async (context) => {
    requireTool(context, "postconf");
    expect(await postconfValidator({ directory: configDirectory(MAIN, MASTER) })).toMatchObject({
      validator: "postconf",
      status: "passed",
    });
  });

  test("a misspelt main.cf parameter fails, named", async (context) => {
    requireTool(context, "postconf");
    const result = await postconfValidator({ directory: configDirectory(`${MAIN}myhostnme = x\n`, MASTER) });
    expect(result.status).toBe("failed");
    expect(result.message).toMatch(/main\.cf: unused parameter: myhostnme=x/);
  });

  test("a misspelt master.cf override fails", async (context) => {
    requireTool(context, "postconf");
    const result = await postconfValidator({ directory: configDirectory(MAIN, `${MASTER}  -o smtpd_tls_securty_level=encrypt\n`) });
    expect(result.status).toBe("failed");
    expect(result.message).toMatch(/master\.cf: unused parameter: smtpd_tls_securty_level=encrypt/);
  });

  test("a directory without master.cf fails", async (context) => {
    requireTool(context, "postconf");
    expect(await postconfValidator({ directory: configDirectory(MAIN) })).toMatchObject({ status: "failed", message: "missing master.cf" });
  });

  test("a missing postconf is skipped on a developer machine and fails in CI", async () => {
    const lookup = { toolsBin: "/nonexistent", env: { PATH: "/nonexistent" } };
    expect(await postconfValidator({ directory: "/tmp", ...lookup })).toMatchObject({ status: "skipped" });
    expect(
      await postconfValidator({ directory: "/tmp", toolsBin: "/nonexistent", env: { PATH: "/nonexistent", CI: "true" } }),
    ).toMatchObject({ status: "failed" });
  });
});
