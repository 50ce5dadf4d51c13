import { describe, test } from "vitest";
import { edgeResources } from "../testing/edgeFixture";
import { containerOf, fedoraResources, fedoraSpec, type FedoraSpec } from "../testing/fedoraFixture";
import { flyResources, flySpec } from "../testing/flyFixture";
import { homelabResources, sealosResources } from "../testing/kubernetesFixture";
import { expectNoViolations, expectViolations, metadataTests, run } from "../testing/policyTests";
import { asFirstPreview, named } from "../testing/wire";
import { agentModelTrafficViaGateway as policy } from "./agentModelTrafficViaGateway";

const PAPERCLIP = "harness-file-systemd-paperclip.container";
const fedora = (mutate: (spec: FedoraSpec) => void = () => {}) => {
  const spec = fedoraSpec();
  mutate(spec);
  return [...fedoraResources(spec), ...edgeResources()];
};
const environment = (spec: FedoraSpec) => containerOf(spec, "paperclip").container.Environment!;
const containerEnv = (resources: ReturnType<typeof homelabResources>) =>
  (named(resources, "paperclip").properties.spec as any).template.spec.containers[0].env as any[];

describe("agent-model-traffic-via-gateway", () => {
  metadataTests(policy, { name: "agent-model-traffic-via-gateway", enforcementLevel: "mandatory" });

  test("baseline: fedora, homelab, sealos and fly send every model call to the gateway", async () => {
    expectNoViolations(await run(policy, fedora()));
    expectNoViolations(await run(policy, homelabResources()));
    expectNoViolations(await run(policy, sealosResources()));
    expectNoViolations(await run(policy, flyResources(flySpec())));
    expectNoViolations(await run(policy, asFirstPreview(fedora())));
  });

  test("#1 a base URL at a provider's API", async () => {
    const diagnostics = await run(
      policy,
      fedora((spec) => (environment(spec).OPENAI_BASE_URL = "https://api.openai.com/v1")),
    );
    expectViolations(diagnostics, policy, [
      {
        resource: PAPERCLIP,
        message:
          /^paperclip\.container: OPENAI_BASE_URL=https:\/\/api\.openai\.com\/v1 \(Environment= in paperclip\.container\) does not point at the gateway \(litellm\)\.$/,
      },
    ]);
  });

  describe("provider lists the codex and pi adapters write into their CLI's configuration", () => {
    const codex = (providers: unknown) => (spec: FedoraSpec) => (environment(spec).PAPERCLIP_CODEX_PROVIDERS = JSON.stringify(providers));
    const gateway = { name: "Model gateway", base_url: "http://litellm:4000/v1", env_key: "GATEWAY_API_KEY", wire_api: "responses" };

    test("accepted: every provider at the gateway, model_provider one of them (the stack's own list)", async () => {
      expectNoViolations(await run(policy, fedora(codex({ providers: { gateway }, model_provider: "gateway" }))));
      const pi = (spec: FedoraSpec) =>
        (environment(spec).PAPERCLIP_PI_PROVIDERS = JSON.stringify({ providers: { gateway: { baseUrl: "http://litellm:4000/v1" } } }));
      expectNoViolations(await run(policy, fedora(pi)));
    });

    test("#L1 a provider at OpenAI's API, and model_provider a built-in one", async () => {
      const resources = fedora(
        codex({ providers: { gateway, direct: { ...gateway, base_url: "https://api.openai.com/v1" } }, model_provider: "openai" }),
      );
      expectViolations(await run(policy, resources), policy, [
        {
          resource: PAPERCLIP,
          message:
            /^paperclip\.container: PAPERCLIP_CODEX_PROVIDERS \(Environment= in paperclip\.container\): provider "direct" sends model calls to https:\/\/api\.openai\.com\/v1, not the gateway \(litellm\)\.$/,
        },
        { resource: PAPERCLIP, message: /PAPERCLIP_CODEX_PROVIDERS .*: model_provider "openai" is none of the listed providers/ },
      ]);
    });

    test("#L2 a provider with no base URL, and a list that is not JSON", async () => {
      const resources = fedora((spec) => {
        environment(spec).PAPERCLIP_PI_PROVIDERS = JSON.stringify({ providers: { anthropic: { api: "anthropic-messages" } } });
        environment(spec).PAPERCLIP_CODEX_PROVIDERS = "{providers: gateway}";
      });
      expectViolations(await run(policy, resources), policy, [
        { resource: PAPERCLIP, message: /PAPERCLIP_PI_PROVIDERS .*: provider "anthropic" has no base URL/ },
        {
          resource: PAPERCLIP,
          message: /PAPERCLIP_CODEX_PROVIDERS .*: not JSON, so where the adapter sends model calls cannot be checked/,
        },
      ]);
    });

    test("#L3 a provider list from a secret cannot be checked", async () => {
      const resources = fedora((spec) => {
        containerOf(spec, "paperclip").container.Secret!.push({
          name: "paperclip-codex",
          type: "env",
          target: "PAPERCLIP_CODEX_PROVIDERS",
        });
        spec.secrets.push({ name: "paperclip-codex", value: JSON.stringify({ providers: { gateway } }) });
      });
      expectViolations(await run(policy, resources), policy, [
        { resource: PAPERCLIP, message: /PAPERCLIP_CODEX_PROVIDERS comes from .*, so where agents send model calls cannot be checked/ },
      ]);
    });
  });

  test("#2 a required base URL left unset (the SDK's default is the provider)", async () => {
    const diagnostics = await run(
      policy,
      fedora((spec) => delete environment(spec).ANTHROPIC_BASE_URL),
    );
    expectViolations(diagnostics, policy, [
      { resource: PAPERCLIP, message: /ANTHROPIC_BASE_URL is not set, so agents call the provider's API directly/ },
    ]);
  });

  test("#3 a base URL at llama-swap, around the gateway", async () => {
    const diagnostics = await run(
      policy,
      fedora((spec) => (environment(spec).OPENAI_BASE_URL = "http://llama-swap:8080/v1")),
    );
    expectViolations(diagnostics, policy, [
      { resource: PAPERCLIP, message: /OPENAI_BASE_URL=http:\/\/llama-swap:8080\/v1 .* does not point at the gateway/ },
    ]);
  });

  test("#4 another model backend (Ollama) beside the gateway", async () => {
    const diagnostics = await run(
      policy,
      fedora((spec) => (environment(spec).OLLAMA_HOST = "http://ollama:11434")),
    );
    expectViolations(diagnostics, policy, [
      { resource: PAPERCLIP, message: /OLLAMA_HOST=http:\/\/ollama:11434 .* does not point at the gateway/ },
    ]);
  });

  test("#5 Claude Code switched to Bedrock (ignores ANTHROPIC_BASE_URL)", async () => {
    const diagnostics = await run(
      policy,
      fedora((spec) => (environment(spec).CLAUDE_CODE_USE_BEDROCK = "1")),
    );
    expectViolations(diagnostics, policy, [
      { resource: PAPERCLIP, message: /CLAUDE_CODE_USE_BEDROCK .* makes the agent CLI call the cloud directly/ },
    ]);
  });

  test("accepted: a provider switch explicitly off", async () => {
    expectNoViolations(
      await run(
        policy,
        fedora((spec) => (environment(spec).CLAUDE_CODE_USE_BEDROCK = "0")),
      ),
    );
  });

  test("#6 a base URL from a Secret, which no policy can see (the seed's ExternalSecret OPENAI_BASE_URL)", async () => {
    const resources = homelabResources();
    const env = containerEnv(resources);
    env.splice(
      env.findIndex((e) => e.name === "OPENAI_BASE_URL"),
      1,
      { name: "OPENAI_BASE_URL", valueFrom: { secretKeyRef: { name: "paperclip-llm-key", key: "OPENAI_BASE_URL" } } },
    );
    expectViolations(await run(policy, resources), policy, [
      {
        resource: "paperclip",
        message:
          /OPENAI_BASE_URL comes from Secret paperclip-llm-key key OPENAI_BASE_URL, so where agents send model calls cannot be checked/,
      },
    ]);
  });

  test("#7 a public domain that only starts like the gateway's name", async () => {
    const resources = homelabResources();
    containerEnv(resources).find((e) => e.name === "ANTHROPIC_BASE_URL").value = "https://litellm.ai";
    expectViolations(await run(policy, resources), policy, [
      { resource: "paperclip", message: /ANTHROPIC_BASE_URL=https:\/\/litellm\.ai .* does not point at the gateway/ },
    ]);
  });

  test("#8 fly.toml's [env] sending Claude Code to Anthropic", async () => {
    const spec = flySpec();
    spec.toml = spec.toml.replace(
      'ANTHROPIC_BASE_URL = "http://litellm.internal:4000"',
      'ANTHROPIC_BASE_URL = "https://api.anthropic.com"',
    );
    expectViolations(await run(policy, flyResources(spec)), policy, [
      { resource: "fly-deploy", message: /ANTHROPIC_BASE_URL=https:\/\/api\.anthropic\.com \(\[env\] of fly\.toml/ },
    ]);
  });

  test("policy config: gatewayHosts names a gateway outside the stack", async () => {
    const resources = fedora((spec) => (environment(spec).OPENAI_BASE_URL = "https://llm.example.com/v1"));
    expectViolations(await run(policy, resources), policy, [
      { resource: PAPERCLIP, message: /OPENAI_BASE_URL=https:\/\/llm\.example\.com\/v1/ },
    ]);
    expectNoViolations(await run(policy, resources, { gatewayHosts: ["litellm", "llm.example.com"] }));
  });
});
