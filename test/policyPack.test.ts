/**
 * The policy pack on whole stacks: the real program recorded offline (cli/engine), judged by the
 * real pack through the analyzer handlers `npm run check` uses. Every shipped stack passes with no
 * violation; a stack configuration that breaks Principle 3 (or the hardening rules) makes `check`
 * fail, naming the policy and the leaf resource.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { checkStack } from "../cli/checkStack";
import { recordStack, type Recording } from "../cli/engine/recordStack";
import { readProjectFile, readStackSettings } from "../cli/engine/stackSettings";
import { planStack } from "../cli/planStack";
import { analyzerResources, runStackPolicyPack, stackPolicyConfig } from "../cli/policyCheck";
import { POLICIES } from "../policy/policies";
import { analyzeStack } from "../policy/runAnalyzer";
import { asFirstPreview } from "../policy/testing/wire";
import { shippedStacks } from "../cli/stacks";

const root = join(__dirname, "..");
const outRoot = mkdtempSync(join(tmpdir(), "policy-pack-"));
afterAll(() => rmSync(outRoot, { recursive: true, force: true }));

/** The stack file's configuration with some keys replaced; `secret` keys are marked secret as `--secret` would. */
function configWith(stack: string, overrides: Record<string, unknown>, secret: string[] = []) {
  const project = readProjectFile(root);
  const settings = readStackSettings(root, project, stack);
  const values = { ...settings.config };
  for (const [key, value] of Object.entries(overrides))
    values[`${project.name}:${key}`] = typeof value === "string" ? value : JSON.stringify(value);
  return { values, secretKeys: [...settings.secretKeys, ...secret.map((key) => `${project.name}:${key}`)] };
}

const record = (overrides: Record<string, unknown>, secret: string[] = []) =>
  recordStack({ root, stack: "fedora", config: configWith("fedora", overrides, secret) });

/** The failing policy results: which policy, on which resource. */
async function failures(recording: Recording) {
  return (await runStackPolicyPack(recording))
    .filter((r) => r.status !== "passed")
    .map((r) => ({ policy: r.validator, target: r.target, status: r.status, message: r.message }));
}

describe("every shipped stack passes the policy pack with zero violations", () => {
  for (const stack of shippedStacks(root)) {
    test(stack, async () => {
      const recording = await recordStack({ root, stack });
      const results = await runStackPolicyPack(recording);
      expect(results.filter((r) => r.status !== "passed")).toEqual([]);
      expect(results.filter((r) => r.message === "no violations").length).toBeGreaterThan(0);
      // As a first `pulumi preview` would send it (outputs of resources not created yet unknown):
      // no violation, and no "can't run during preview".
      const { config } = stackPolicyConfig(stack);
      expect(await analyzeStack(POLICIES, asFirstPreview(analyzerResources(recording)), config ? { config } : {})).toEqual([]);
    });
  }
});

describe("fedora: a configuration that breaks the rules fails check, naming the policy", () => {
  test("a provider key given to Paperclip through extraSecrets: check fails, policy violations first", async () => {
    const config = configWith(
      "fedora",
      {
        services: { paperclip: { secrets: { ANTHROPIC_API_KEY: { fromConfig: "anthropic" } } } },
        extraSecrets: { anthropic: "sk-ant-api03-operatorPastedThis0001" },
      },
      ["extraSecrets"],
    );
    const report = await checkStack(await planStack(root, "fedora", outRoot, { config }));
    expect(report.ok).toBe(false);
    expect(report.results[0]).toEqual({
      validator: "policy:agent-no-provider-credentials",
      target: "Command::harness-file-paperclip.container",
      status: "failed",
      message: expect.stringMatching(
        /^paperclip\.container: ANTHROPIC_API_KEY \(Secret= in paperclip\.container\) is a provider credential\./,
      ),
    });
    expect(report.results.filter((r) => r.status === "failed").map((r) => r.validator)).toEqual(["policy:agent-no-provider-credentials"]);
    expect(report.text).toMatch(
      /^FAIL +policy:agent-no-provider-credentials +Command::harness-file-paperclip\.container +paperclip\.container: ANTHROPIC_API_KEY/m,
    );
    expect(report.text.split("\n").at(-1)).toBe("check: FAILED (1 failed)");
    expect(report.text).not.toContain("sk-ant-api03-operatorPastedThis0001");
  });

  test("the same violation is caught by a first preview, before any secret value exists", async () => {
    const recording = await record(
      {
        services: { paperclip: { secrets: { ANTHROPIC_API_KEY: { fromConfig: "anthropic" } } } },
        extraSecrets: { anthropic: "sk-ant-api03-operatorPastedThis0001" },
      },
      ["extraSecrets"],
    );
    const { config } = stackPolicyConfig("fedora");
    const diagnostics = await analyzeStack(POLICIES, asFirstPreview(analyzerResources(recording)), config ? { config } : {});
    expect(diagnostics.map((d) => [d.policy, d.level, d.urn?.split("::").at(-1)])).toEqual([
      ["agent-no-provider-credentials", "mandatory", "harness-file-paperclip.container"],
    ]);
  });

  test("ANTHROPIC_BASE_URL pointed at Anthropic: the base URL, and the gateway key now sent to Anthropic", async () => {
    const found = await failures(await record({ services: { paperclip: { env: { ANTHROPIC_BASE_URL: "https://api.anthropic.com" } } } }));
    expect(found).toEqual([
      {
        policy: "policy:agent-no-provider-credentials",
        target: "Command::harness-file-paperclip.container",
        status: "failed",
        message: expect.stringMatching(
          /ANTHROPIC_API_KEY .* is not the gateway's key: ANTHROPIC_BASE_URL=https:\/\/api\.anthropic\.com is not the gateway/,
        ),
      },
      {
        policy: "policy:agent-model-traffic-via-gateway",
        target: "Command::harness-file-paperclip.container",
        status: "failed",
        message: expect.stringMatching(/ANTHROPIC_BASE_URL=https:\/\/api\.anthropic\.com .* does not point at the gateway \(litellm\)/),
      },
    ]);
  });

  test("OPENAI_BASE_URL pointed at OpenAI: refused, though no key travels with it (agents hold no OPENAI_API_KEY)", async () => {
    const found = await failures(await record({ services: { paperclip: { env: { OPENAI_BASE_URL: "https://api.openai.com/v1" } } } }));
    expect(found).toEqual([
      {
        policy: "policy:agent-model-traffic-via-gateway",
        target: "Command::harness-file-paperclip.container",
        status: "failed",
        message: expect.stringMatching(/OPENAI_BASE_URL=https:\/\/api\.openai\.com\/v1 .* does not point at the gateway \(litellm\)/),
      },
    ]);
  });

  test("codex's provider list pointed at OpenAI (PAPERCLIP_CODEX_PROVIDERS decides where codex sends model calls)", async () => {
    const providers = JSON.stringify({
      providers: { gateway: { name: "OpenAI", base_url: "https://api.openai.com/v1", env_key: "GATEWAY_API_KEY", wire_api: "responses" } },
      model_provider: "gateway",
    });
    const found = await failures(await record({ services: { paperclip: { env: { PAPERCLIP_CODEX_PROVIDERS: providers } } } }));
    expect(found.map((f) => [f.policy, f.message])).toEqual([
      [
        "policy:agent-model-traffic-via-gateway",
        expect.stringMatching(
          /PAPERCLIP_CODEX_PROVIDERS .*: provider "gateway" sends model calls to https:\/\/api\.openai\.com\/v1, not the gateway/,
        ),
      ],
    ]);
  });

  test("the gateway-key variable replaced by an operator's key", async () => {
    const found = await failures(
      await record(
        {
          services: { paperclip: { secrets: { ANTHROPIC_API_KEY: { fromConfig: "operator" } } } },
          extraSecrets: { operator: "operatorKey00000000000000000001" },
        },
        ["extraSecrets"],
      ),
    );
    expect(found).toEqual([
      {
        policy: "policy:agent-no-provider-credentials",
        target: "Command::harness-file-paperclip.container",
        status: "failed",
        message: expect.stringMatching(
          /ANTHROPIC_API_KEY .* Podman secret paperclip-anthropic-api-key holds a value from the stack's configuration, not one derived from the gateway's key/,
        ),
      },
    ]);
  });

  test("the gateway-key variable holding a provider's key: refused for its format", async () => {
    const found = await failures(
      await record(
        {
          services: { paperclip: { secrets: { GATEWAY_API_KEY: { fromConfig: "openai" } } } },
          extraSecrets: { openai: "sk-proj-operatorKey00000000000001" },
        },
        ["extraSecrets"],
      ),
    );
    expect(found.map((f) => [f.policy, f.message])).toEqual([
      [
        "policy:agent-no-provider-credentials",
        expect.stringMatching(
          /GATEWAY_API_KEY .* reads Podman secret paperclip-gateway-api-key, whose value is in the OpenAI key format\.$/,
        ),
      ],
    ]);
  });

  test("LiteLLM on a floating tag (the seeds' main-stable)", async () => {
    const found = await failures(await record({ services: { litellm: { image: "ghcr.io/berriai/litellm:main-stable" } } }));
    expect(found).toEqual([
      {
        policy: "policy:images-pinned",
        target: "Command::harness-file-litellm.container",
        status: "failed",
        message:
          "litellm.container: ghcr.io/berriai/litellm:main-stable uses the floating tag main-stable; pin a versioned tag or a digest (or allow-list it with a reason).",
      },
    ]);
  });

  test("SMTP settings given to Paperclip", async () => {
    const found = await failures(
      await record({ services: { paperclip: { env: { SMTP_HOST: "host.containers.internal", SMTP_PORT: "587" } } } }),
    );
    expect(found.map((f) => [f.policy, f.message.replace(/ \(.*$/, "")])).toEqual([
      ["policy:agent-no-mail-server-access", "paperclip.container: SMTP_HOST"],
      ["policy:agent-no-mail-server-access", "paperclip.container: SMTP_PORT"],
    ]);
  });

  test("Claude Code switched to Bedrock", async () => {
    const found = await failures(await record({ services: { paperclip: { env: { CLAUDE_CODE_USE_BEDROCK: "1" } } } }));
    expect(found.map((f) => f.policy)).toEqual(["policy:agent-model-traffic-via-gateway"]);
  });

  test("a provider key given to another service (LiteLLM's database)", async () => {
    const found = await failures(
      await record(
        {
          services: { "litellm-db": { secrets: { ANTHROPIC_API_KEY: { fromConfig: "anthropic" } } } },
          extraSecrets: { anthropic: "sk-ant-api03-misplacedKey00000001" },
        },
        ["extraSecrets"],
      ),
    );
    expect(found).toEqual([
      {
        policy: "policy:provider-credentials-only-in-gateway",
        target: "Command::harness-file-litellm-db.container",
        status: "failed",
        message: expect.stringMatching(
          /^litellm-db\.container: ANTHROPIC_API_KEY \(Secret= in litellm-db\.container\) is a provider credential outside the gateway/,
        ),
      },
    ]);
  });

  test("a secret set as plain env", async () => {
    const found = await failures(await record({ services: { caddy: { env: { CADDY_ADMIN_TOKEN: "plain-text-admin-token-0001" } } } }));
    expect(found.map((f) => [f.policy, f.target])).toEqual([["policy:no-plaintext-secrets", "Command::harness-file-caddy.container"]]);
  });

  test("an advisory level reports without failing (policy pack config)", async () => {
    const recording = await record({ services: { litellm: { image: "ghcr.io/berriai/litellm:main-stable" } } });
    const results = await runStackPolicyPack(recording, { "images-pinned": "advisory" });
    expect(results.filter((r) => r.status !== "passed")).toEqual([
      {
        validator: "policy:images-pinned",
        target: "Command::harness-file-litellm.container",
        status: "warned",
        message: expect.stringMatching(/^advisory: litellm\.container: ghcr\.io\/berriai\/litellm:main-stable uses the floating tag/),
      },
    ]);
  });
});
