/**
 * The `fly` stack as `pulumi preview` would see it, recorded offline from the real program and
 * stacks/Pulumi.fly.yaml: its resources, the artifacts on their leaf inputs, the seed's lessons,
 * secrets kept out of everything readable, and which changes redeploy.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { parse as parseToml } from "smol-toml";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { checkStack } from "../cli/checkStack";
import { extractArtifacts } from "../cli/engine/artifacts";
import { diffPlans } from "../cli/engine/planDiff";
import { planDocument } from "../cli/engine/planDocument";
import { renderPreviewTree } from "../cli/engine/previewTree";
import { type Recording, recordStack } from "../cli/engine/recordStack";
import { secretFingerprinter } from "../cli/engine/redact";
import type { RecordedResource } from "../cli/engine/RecordingMonitor";
import { planStack } from "../cli/planStack";
import { requireTool } from "../cli/validators/testSupport";
import { flyStackSettings, REPO_ROOT } from "./support/flyConfig";

const P = "paperclip-harness:";
let base: Recording;
beforeAll(async () => {
  base = await recordStack({ root: REPO_ROOT, stack: "fly" });
});

const byName = (recording: Recording, name: string): RecordedResource => {
  const resource = recording.resources.find((r) => r.name === name);
  if (!resource) throw new Error(`no resource ${name}`);
  return resource;
};

function isWireSecret(value: unknown): value is { value: unknown } {
  return (
    typeof value === "object" &&
    value !== null &&
    (value as Record<string, unknown>)[pulumi.runtime.specialSigKey] === pulumi.runtime.specialSecretSig
  );
}

/** Every string of a wire-format value that is not inside a secret. */
function plainStrings(value: unknown): string[] {
  if (isWireSecret(value)) return [];
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.flatMap(plainStrings);
  if (value !== null && typeof value === "object") return Object.values(value).flatMap(plainStrings);
  return [];
}

describe("the fly stack", () => {
  test("is one FlyApp (app, volume, private IP, staged secrets, deploy) and three generated secrets", () => {
    const names = (r: RecordedResource) => [r.type, r.name, base.resources.find((p) => p.urn === r.parent)?.name ?? "(stack)"];
    expect(
      base.resources
        .filter((r) => r.type !== "pulumi:pulumi:Stack")
        .map(names)
        .sort(),
    ).toEqual(
      [
        ["harness:fly:FlyApp", "paperclip", "paperclip-harness-fly"],
        ["command:local:Command", "paperclip-app", "paperclip"],
        ["command:local:Command", "paperclip-volume", "paperclip"],
        ["command:local:Command", "paperclip-private-ip", "paperclip"],
        ["command:local:Command", "paperclip-secrets", "paperclip"],
        ["command:local:Command", "paperclip-deploy", "paperclip"],
        ["harness:secrets:Secret32", "paperclip-better-auth-secret", "paperclip-harness-fly"],
        ["random:index/randomBytes:RandomBytes", "paperclip-better-auth-secret-bytes", "paperclip-better-auth-secret"],
        ["harness:secrets:Secret32", "paperclip-secrets-master-key", "paperclip-harness-fly"],
        ["random:index/randomBytes:RandomBytes", "paperclip-secrets-master-key-bytes", "paperclip-secrets-master-key"],
        ["harness:secrets:Secret32", "paperclip-db-password", "paperclip-harness-fly"],
        ["random:index/randomBytes:RandomBytes", "paperclip-db-password-bytes", "paperclip-db-password"],
      ].sort(),
    );
    expect(byName(base, "paperclip-secrets-master-key-bytes").protect).toBe(true);
    const deploy = byName(base, "paperclip-deploy");
    for (const step of ["paperclip-volume", "paperclip-private-ip", "paperclip-secrets"])
      expect(deploy.dependencies).toContain(byName(base, step).urn);
    expect(base.outputs).toMatchObject({
      target: "fly",
      app: "sodimo-paperclip",
      region: "cdg",
      url: "https://sodimo-paperclip.tail4c7e2a.ts.net",
    });
  });

  test("puts the build context and the secret names on leaf inputs, in the clear, and the token and values in secrets", () => {
    const artifacts = extractArtifacts(base.resources);
    expect(artifacts.map((a) => [a.path, a.kind])).toEqual([
      ["fly/claude-managed-settings.json", "json"],
      ["fly/config.json", "json"],
      ["fly/Dockerfile", "dockerfile"],
      ["fly/fly.toml", "toml"],
      ["fly/start.sh", "shell"],
    ]);
    const deployEnv = byName(base, "paperclip-deploy").wireInputs.environment as Record<string, unknown>;
    expect(deployEnv.FLY_BUILD_FLY_TOML).toBe(artifacts.find((a) => a.path === "fly/fly.toml")!.content);
    expect(isWireSecret(deployEnv.FLY_API_TOKEN)).toBe(true);
    const secrets = byName(base, "paperclip-secrets");
    expect((secrets.wireInputs.environment as Record<string, unknown>).FLY_SECRET_NAMES).toBe(
      "ANTHROPIC_API_KEY GATEWAY_API_KEY PAPERCLIP_AGENT_JWT_SECRET PAPERCLIP_HARNESS_PG_PASSWORD PAPERCLIP_SECRETS_MASTER_KEY TAILSCALE_AUTH_KEY",
    );
    expect(isWireSecret(secrets.wireInputs.stdin)).toBe(true);
  });

  test("fly.toml keeps every lesson, and nothing allocates a public IP", () => {
    const text = extractArtifacts(base.resources).find((a) => a.path === "fly/fly.toml")!.content;
    const toml = parseToml(text) as {
      http_service: { min_machines_running: number; auto_stop_machines: string; checks: Array<Record<string, unknown>> };
      mounts: unknown[];
      vm: unknown[];
    };
    const [check] = toml.http_service.checks;
    expect(check).toMatchObject({ grace_period: "120s", path: "/api/health", headers: { Host: "localhost" } });
    expect(toml.http_service.min_machines_running).toBe(1);
    expect(toml.http_service.auto_stop_machines).toBe("off");
    expect(toml.vm).toEqual([{ size: "shared-cpu-1x", memory: "1024mb" }]);
    expect(toml.mounts).toEqual([{ source: "paperclip_data", destination: "/paperclip" }]);

    const scripts = base.resources
      .filter((r) => r.type === "command:local:Command")
      .flatMap((r) => [r.inputs.create, r.inputs.update].filter((s): s is string => typeof s === "string"));
    const flyctlCalls = scripts
      .flatMap((s) => s.split("\n"))
      .filter((line) => /^\s*flyctl /.test(line))
      .map((line) => line.trim());
    expect(flyctlCalls.filter((line) => /flyctl (deploy|ips allocate)/.test(line)).map((line) => line.replace(/"[^"]*"/g, "…"))).toEqual([
      "flyctl ips allocate-v6 --private --app …",
      "flyctl deploy … --config … --app … --remote-only --ha=false --no-public-ips",
      "flyctl deploy … --config … --app … --remote-only --ha=false --no-public-ips",
    ]);
  });

  test("no secret value appears in the plan, the artifacts, the preview or any plain input", () => {
    const secrets = [...base.producedSecrets, ...base.secretConfigValues];
    expect(base.secretConfigValues).toEqual(
      expect.arrayContaining([`offline-secret(${P}flyApiToken)`, `offline-secret(${P}gatewayKey)`, `offline-secret(${P}tailscaleAuthKey)`]),
    );
    expect(base.producedSecrets.length).toBe(6); // three Secret32s, hex and base64 each
    const plan = planDocument(base);
    const readable = [
      JSON.stringify(plan),
      renderPreviewTree(plan.project, plan.stack, plan.resources),
      ...extractArtifacts(base.resources).map((a) => a.content),
      ...base.resources.flatMap((r) => plainStrings(r.wireInputs)),
    ].join("\n");
    for (const secret of secrets) expect(readable).not.toContain(secret);

    // …and the values do reach the machine: on the stdin of `flyctl secrets import`.
    const stdin = (byName(base, "paperclip-secrets").inputs.stdin as { value: string }).value;
    for (const value of [`offline-secret(${P}gatewayKey)`, `offline-secret(${P}tailscaleAuthKey)`]) expect(stdin).toContain(value);
    expect(
      stdin
        .split("\n")
        .filter(Boolean)
        .map((line) => line.slice(0, line.indexOf("="))),
    ).toEqual(
      "ANTHROPIC_API_KEY GATEWAY_API_KEY PAPERCLIP_AGENT_JWT_SECRET PAPERCLIP_HARNESS_PG_PASSWORD PAPERCLIP_SECRETS_MASTER_KEY TAILSCALE_AUTH_KEY".split(
        " ",
      ),
    );
  });
});

describe("the Principle 3 exception, where the policy pack reads it", () => {
  test("the opt-in stages CLAUDE_CODE_OAUTH_TOKEN (by name, on a leaf input) and fly.toml loses ANTHROPIC_BASE_URL", async () => {
    const direct = await recordStack({
      root: REPO_ROOT,
      stack: "fly",
      config: flyStackSettings({
        values: { directClaudeSubscription: "true", claudeCodeOauthToken: "sk-ant-oat01-fake" },
        secret: ["claudeCodeOauthToken"],
      }),
    });
    const names = String((byName(direct, "paperclip-secrets").wireInputs.environment as Record<string, unknown>).FLY_SECRET_NAMES).split(
      " ",
    );
    expect(names).toContain("CLAUDE_CODE_OAUTH_TOKEN");
    expect(names).not.toContain("ANTHROPIC_API_KEY");
    const flyToml = String((byName(direct, "paperclip-deploy").wireInputs.environment as Record<string, unknown>).FLY_BUILD_FLY_TOML);
    expect((parseToml(flyToml) as { env: Record<string, string> }).env).not.toHaveProperty("ANTHROPIC_BASE_URL");
    expect(direct.outputs.principle3Exception).toBe("Claude Code reaches Anthropic directly (directClaudeSubscription)");
    expect(JSON.stringify(planDocument(direct))).not.toContain("sk-ant-oat01-fake");
  });
});

describe("what redeploys", () => {
  const fingerprint = secretFingerprinter("fly-stack-test");
  const changesAfter = async (overrides: Record<string, string>) => {
    const after = await recordStack({ root: REPO_ROOT, stack: "fly", configOverrides: overrides });
    return diffPlans(planDocument(base, { fingerprint }), planDocument(after, { fingerprint })).map((c) => [
      c.name,
      c.kind,
      c.paths.join(" "),
    ]);
  };

  test("a change to a rendered file replaces the deploy (a deployment) and touches nothing else", async () => {
    expect(await changesAfter({ [`${P}flyVmMemoryMb`]: "2048" })).toEqual([
      ["paperclip-deploy", "replace", "environment.FLY_BUILD_FLY_TOML environment.FLY_DEPLOY_HASH triggers[0]"],
    ]);
  });

  test("a new gateway key re-stages the secrets and redeploys; app, volume and IP stay", async () => {
    expect(await changesAfter({ [`${P}gatewayKey`]: "sk-rotated-gateway-key" })).toEqual([
      ["paperclip-deploy", "replace", "environment.FLY_DEPLOY_HASH triggers[0]"],
      ["paperclip-secrets", "update", "stdin"],
    ]);
  });

  test("a new Fly API token updates the commands' environment but triggers no deployment", async () => {
    const changes = await changesAfter({ [`${P}flyApiToken`]: "FlyV1 rotated-token" });
    expect(changes.map(([name, kind]) => [name, kind])).toEqual([
      ["paperclip-app", "update"],
      ["paperclip-deploy", "update"],
      ["paperclip-private-ip", "update"],
      ["paperclip-secrets", "update"],
      ["paperclip-volume", "update"],
    ]);
  });
});

describe("npm run check -- fly", () => {
  const outRoot = mkdtempSync(join(tmpdir(), "fly-check-"));
  afterAll(() => rmSync(outRoot, { recursive: true, force: true }));

  test("validates every artifact: shellcheck, Dockerfile structure, JSON and TOML", async (context) => {
    requireTool(context, "shellcheck");
    const report = await checkStack(await planStack(REPO_ROOT, "fly", outRoot));
    // Policies first (every one passed or not applicable), then the artifacts' validators.
    expect(report.results.filter((r) => r.validator.startsWith("policy")).every((r) => r.status === "passed")).toBe(true);
    expect(report.results.filter((r) => !r.validator.startsWith("policy")).map((r) => [r.validator, r.target, r.status])).toEqual([
      // Advisory (docs/backups.md): no backups of the project's own on fly yet, and the keys never escrowed.
      ["notice:backups", "paperclip-harness/fly", "warned"],
      ["notice:escrow", "paperclip-harness/fly", "warned"],
      ["shellcheck", "fly/start.sh", "passed"],
      ["dockerfile", "fly/Dockerfile", "passed"],
      ["json-parse", "fly/claude-managed-settings.json", "passed"],
      ["json-parse", "fly/config.json", "passed"],
      ["toml-parse", "fly/fly.toml", "passed"],
    ]);
    expect(report.ok).toBe(true);
  });
});
