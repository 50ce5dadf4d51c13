/**
 * The fedora stack as a whole: what `npm run check -- fedora` and `pulumi up --stack fedora` do.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError } from "../infra/config";
import { checkStack } from "../cli/checkStack";
import { planDocument } from "../cli/engine/planDocument";
import { diffPlans } from "../cli/engine/planDiff";
import { recordStack, type Recording } from "../cli/engine/recordStack";
import { secretFingerprinter } from "../cli/engine/redact";
import type { RecordingMonitor } from "../cli/engine/RecordingMonitor";
import { planStack, type StackPlan } from "../cli/planStack";
import { requireTool } from "../cli/validators/testSupport";

const root = join(__dirname, "..");
let outRoot: string;
let fedora: StackPlan;

beforeAll(async () => {
  outRoot = mkdtempSync(join(tmpdir(), "fedora-plan-"));
  fedora = await planStack(root, "fedora", outRoot);
});
afterAll(() => rmSync(outRoot, { recursive: true, force: true }));

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

describe("fedora stack", () => {
  it("renders units that pass the real Quadlet generator and systemd-analyze, and a valid Caddyfile", async (context) => {
    requireTool(context, "quadlet");
    requireTool(context, "caddy");
    const report = await checkStack(fedora);
    // The shipped stack has never exported its keys: the escrow notice is the one advisory (docs/backups.md).
    expect(report.results.filter((r) => r.status !== "passed").map((r) => `${r.validator}: ${r.status}`)).toEqual([
      "notice:escrow: warned",
    ]);
    const validators = new Set(report.results.map((r) => r.validator));
    expect([...validators].sort()).toEqual(expect.arrayContaining(["caddy", "quadlet", "systemd-verify", "yaml-parse"]));
    expect(report.ok).toBe(true);
  });

  it("fails the check on a deliberately broken unit, naming it", async (context) => {
    requireTool(context, "quadlet");
    const brokenOut = mkdtempSync(join(tmpdir(), "fedora-broken-"));
    try {
      const plan = await planStack(root, "fedora", brokenOut);
      // The renderer cannot produce an unknown key, so break the rendered file the way a bad edit would.
      const unit = join(plan.outDir, "artifacts/host/.config/containers/systemd/paperclip.container");
      writeFileSync(unit, readFileSync(unit, "utf8").replace("Restart=on-failure", "Restartt=on-failure"));
      const report = await checkStack(plan);
      expect(report.ok).toBe(false);
      const failed = report.results.filter((r) => r.status === "failed");
      expect(failed.map((r) => r.target)).toEqual(["host/.config/containers/systemd/paperclip.container"]);
      expect(failed[0]!.message).toContain("Unknown key 'Restartt'");
    } finally {
      rmSync(brokenOut, { recursive: true, force: true });
    }
  });

  it("changes exactly one unit file and one restart when one service's image changes", async () => {
    const fingerprint = secretFingerprinter("image-bump-test");
    const before = planDocument(await recordStack({ root, stack: "fedora" }), { fingerprint });
    const after = planDocument(
      await recordStack({
        root,
        stack: "fedora",
        configOverrides: { "paperclip-harness:services": JSON.stringify({ litellm: { image: "ghcr.io/berriai/litellm:v1.108.6" } }) },
      }),
      { fingerprint },
    );
    const changes = diffPlans(before, after).map((c) => `${c.kind} ${c.name} ${c.paths.join(",")}`);
    expect(changes).toEqual(["update harness-file-litellm.container stdin", "replace harness-restart-litellm.service triggers[0]"]);
  });

  it("restarts each unit after the units it depends on, and only on its own inputs", () => {
    const byName = new Map(fedora.recording.resources.map((r) => [r.name, r]));
    const restart = byName.get("harness-restart-paperclip.service")!;
    const urnOf = (name: string) => byName.get(name)!.urn;
    expect(restart.dependencies).toEqual(
      expect.arrayContaining([
        urnOf("harness-file-paperclip.container"),
        urnOf("harness-secret-paperclip-config-json"),
        urnOf("harness-restart-paperclip-db.service"),
        urnOf("harness-restart-litellm.service"),
      ]),
    );
    expect(restart.dependencies).not.toContain(urnOf("harness-file-litellm.container"));
  });

  it("protects the master keys, the backups' password and bucket, and the run ledger, whose loss loses data", () => {
    const protectedNames = fedora.recording.resources
      .filter((r) => r.protect)
      .map((r) => r.name)
      .sort();
    expect(protectedNames).toEqual([
      "backup-bucket-bucket",
      "backup-repository-password-bytes",
      "d1-ledger-database",
      "litellm-salt-key-bytes",
      "paperclip-secrets-master-key-bytes",
    ]);
  });

  it("never lets a secret value reach the plan, the artifacts or the printed output", async () => {
    const secrets = [...fedora.recording.producedSecrets, ...fedora.recording.secretConfigValues];
    expect(fedora.recording.producedSecrets.length).toBeGreaterThanOrEqual(14); // 7 generated secrets × hex + base64
    // One stand-in per `secure:` value of the stack file, so the scan covers every operator credential.
    const secureValues = readFileSync(join(root, "stacks/Pulumi.fedora.yaml"), "utf8").match(/^\s+secure: /gm)!.length;
    expect(fedora.recording.secretConfigValues.length).toBe(secureValues);
    const report = await checkStack(fedora);
    const texts: Array<[string, string]> = [
      ["preview tree", fedora.tree],
      ["check report", report.text],
      ...filesUnder(fedora.outDir).map((path): [string, string] => [relative(outRoot, path), readFileSync(path, "utf8")]),
    ];
    const leaks = texts.flatMap(([where, text]) => secrets.filter((s) => text.includes(s)).map(() => where));
    expect(leaks).toEqual([]);
  });

  it("declares nothing when the configuration is invalid", async () => {
    let monitor: RecordingMonitor | undefined;
    await expect(
      recordStack({
        root,
        stack: "fedora",
        configOverrides: { "paperclip-harness:domain": "not a domain" },
        onMonitor: (m) => (monitor = m),
      }),
    ).rejects.toSatisfy(ConfigError.isConfigError);
    expect(monitor!.records.map((r) => r.type)).toEqual(["pulumi:pulumi:Stack"]);
  });

  it("reports an override for a service that does not exist, and duplicate hostnames", async () => {
    const attempt: Promise<Recording> = recordStack({
      root,
      stack: "fedora",
      configOverrides: {
        "paperclip-harness:services": JSON.stringify({ paperclp: { disabled: true }, caddy: { subdomain: "x" } }),
      },
    });
    const message = await attempt.then(
      () => "",
      (error: Error) => error.message,
    );
    expect(message.split("\n")).toEqual([
      "stacks/Pulumi.fedora.yaml: 2 configuration problems:",
      expect.stringMatching(
        /^ {2}- paperclip-harness:services\.paperclp: no such service \(did you mean "paperclip"\?\); services: caddy, .*paperclip, paperclip-db, /,
      ),
      '  - paperclip-harness:services.caddy.subdomain = "x": caddy has no public route (its routing posture is not cloudflared)',
    ]);
  });
});
