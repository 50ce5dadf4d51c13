/**
 * `npm run check -- fedora`, as a test: the shipped stack planned offline, then every artifact
 * through its real validator (Quadlet + systemd-analyze, caddy, postconf, YAML). A missing tool
 * skips here loudly and fails in CI.
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { checkStack } from "../cli/checkStack";
import { planStack } from "../cli/planStack";
import { requireTool } from "../cli/validators/testSupport";
import { ROOT } from "./support/fedoraStack";

const outRoot = mkdtempSync(path.join(os.tmpdir(), "fedora-check-"));
afterAll(() => rmSync(outRoot, { recursive: true, force: true }));

describe("check fedora", () => {
  it("passes every validator on every artifact", async (context) => {
    for (const tool of ["quadlet", "systemd-analyze", "caddy", "postconf"] as const) requireTool(context, tool);
    const report = await checkStack(await planStack(ROOT, "fedora", outRoot));
    // The shipped stack has never exported its keys: the escrow notice is the one advisory (docs/backups.md).
    expect(report.results.filter((r) => r.status !== "passed").map((r) => `${r.validator}: ${r.status}`)).toEqual([
      "notice:escrow: warned",
    ]);
    const validated = (validator: string) => report.results.filter((r) => r.validator === validator).map((r) => path.basename(r.target));
    expect(validated("quadlet")).toEqual(
      expect.arrayContaining([
        "paperclip.build",
        "paperclip.container",
        "postfix.container",
        // One network per declared edge (docs/fedora.md): Caddy to Paperclip, Paperclip to the gateway.
        "sodimo-caddy-to-paperclip.network",
        "sodimo-paperclip-to-litellm.network",
      ]),
    );
    // The first-admin task and its weekly timer too: real systemd reads them.
    expect(validated("systemd-verify")).toEqual(
      expect.arrayContaining([
        "cloudflared.service",
        "sodiwin-etl.timer",
        "sodimo.target",
        "paperclip-first-admin.service",
        "paperclip-first-admin.timer",
      ]),
    );
    expect(validated("postconf")).toEqual(["postfix"]);
    expect(validated("caddy")).toEqual(["Caddyfile"]);
    expect(validated("yaml-parse")).toEqual(["litellm.yaml", "llama-swap.yaml"]);
    expect(report.ok).toBe(true);
  });
});
