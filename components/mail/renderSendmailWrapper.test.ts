import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { shellcheckValidator } from "../../cli/validators/shellcheckValidator";
import { requireTool } from "../../cli/validators/testSupport";
import { renderSendmailWrapper } from "./renderSendmailWrapper";

const directory = mkdtempSync(path.join(os.tmpdir(), "sendmail-"));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

describe("renderSendmailWrapper", () => {
  const script = renderSendmailWrapper("postfix");

  it("hands its arguments and stdin, unchanged, to Postfix's sendmail in the container", () => {
    expect(script).toMatchSnapshot();
    expect(script).toContain(`exec /usr/bin/podman exec -i 'postfix' /usr/sbin/sendmail "$@"`);
  });

  it("is clean under shellcheck", async (context) => {
    requireTool(context, "shellcheck");
    const file = path.join(directory, "sendmail-postfix.sh");
    writeFileSync(file, script);
    expect(await shellcheckValidator({ file })).toMatchObject({ status: "passed" });
  });

  it("refuses a container name that is not one", () => {
    expect(() => renderSendmailWrapper("postfix; rm -rf ~")).toThrow(/invalid container name/);
  });
});
