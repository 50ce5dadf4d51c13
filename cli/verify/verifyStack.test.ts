/**
 * What `verify` checks for each shipped stack, read from the stack's own plan, and how it reports.
 * No live target is reached here: a missing credential is reported as drift, before any connection.
 */
import { describe, expect, it } from "vitest";
import { recordStack } from "../engine/recordStack";
import { ROOT } from "../../test/support/fedoraStack";
import { expectedHost } from "./hostProbe";
import { sshTargetOf } from "./verifyFedora";
import { formatReport, verifyStack } from "./verifyStack";

describe("verify's checks per stack", () => {
  it("finds the fedora host's SSH target inside the connection's secret envelope, without its key, and its routes and backup program", async () => {
    const { resources } = await recordStack({ root: ROOT, stack: "fedora" });
    expect(sshTargetOf(resources)).toEqual({ host: "harness.sodimo.eu", port: 22, user: "sodimo" });
    const host = expectedHost(resources);
    expect(host.backupProgram).toBe(".local/lib/paperclip-harness/harness-backup.sh");
    expect(host.routes.find((r) => r.healthy === "200")).toEqual({
      what: "Paperclip's probe https://paperclip.sodimo.eu/api/health",
      unit: "paperclip.service",
      hostname: "paperclip.sodimo.eu",
      url: "http://127.0.0.1:80/api/health",
      healthy: "200",
    });
    expect(host.routes.map((r) => r.what)).toContain("route https://vault.sodimo.eu/");
  });

  it("reports each check whose credential is missing as drift, never as a pass", async () => {
    const { resources } = await recordStack({ root: ROOT, stack: "fly" });
    const report = await verifyStack(resources, "fly", {});
    expect(report.checked).toEqual(["fly"]);
    expect(report.drift).toEqual([
      {
        what: "the Fly app sodimo-paperclip",
        found: "not checked: FLY_API_TOKEN is not set",
        fix: "set FLY_API_TOKEN to a read-only credential and run verify again (docs/upgrades.md)",
      },
    ]);
  });

  it("prints the drift with what to do, or no drift with what was read back", () => {
    expect(
      formatReport("homelab", {
        checked: ["kubernetes"],
        drift: [{ what: "Deployment ns/paperclip", found: "0 of 1 ready", fix: "kubectl -n ns describe deployment/paperclip" }],
        notes: [],
      }),
    ).toBe(
      "verify homelab: 1 drift (checked: kubernetes)\n- Deployment ns/paperclip: 0 of 1 ready\n  fix: kubectl -n ns describe deployment/paperclip",
    );
    expect(
      formatReport("homelab", { checked: ["kubernetes"], drift: [], notes: ["first-admin Job ns/job: Paperclip already has an admin"] }),
    ).toBe("verify homelab: no drift (checked: kubernetes)\nnote: first-admin Job ns/job: Paperclip already has an admin");
  });
});
