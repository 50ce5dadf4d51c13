import { describe, test } from "vitest";
import { edgeResources } from "../testing/edgeFixture";
import { containerOf, fedoraResources, fedoraSpec, randomUrn, type FedoraSpec } from "../testing/fedoraFixture";
import { flyResources, flySpec } from "../testing/flyFixture";
import { homelabResources, K8S, sealosResources } from "../testing/kubernetesFixture";
import { expectNoViolations, expectViolations, metadataTests, run } from "../testing/policyTests";
import { asFirstPreview, named, resource, UNKNOWN_WIRE } from "../testing/wire";
import { agentNoProviderCredentials as policy } from "./agentNoProviderCredentials";

const PAPERCLIP = "harness-file-systemd-paperclip.container";
const fedora = (mutate: (spec: FedoraSpec) => void = () => {}) => {
  const spec = fedoraSpec();
  mutate(spec);
  return [...fedoraResources(spec), ...edgeResources()];
};
const paperclip = (spec: FedoraSpec) => containerOf(spec, "paperclip").container;
const env = (deployment: ReturnType<typeof named>) =>
  (deployment.properties.spec as any).template.spec.containers[0] as { env: unknown[]; envFrom: unknown[] };

describe("agent-no-provider-credentials", () => {
  metadataTests(policy, { name: "agent-no-provider-credentials", enforcementLevel: "mandatory" });

  describe("fedora (Quadlet units and Podman secrets)", () => {
    test("baseline: the gateway's key, derived from LiteLLM's master key, with base URLs at LiteLLM", async () => {
      expectNoViolations(await run(policy, fedora()));
    });

    test("baseline as a first preview: provenance is judged from dependencies, not values", async () => {
      expectNoViolations(await run(policy, asFirstPreview(fedora())));
    });

    test("#1 a provider key delivered as a Podman secret", async () => {
      const resources = fedora((spec) => {
        paperclip(spec).Secret!.push({ name: "paperclip-anthropic-api-key", type: "env", target: "ANTHROPIC_API_KEY" });
        spec.secrets.push({ name: "paperclip-anthropic-api-key", value: "sk-ant-api03-operatorKey0000000001" });
      });
      expectViolations(await run(policy, resources), policy, [
        {
          resource: PAPERCLIP,
          message:
            /^paperclip\.container: ANTHROPIC_API_KEY \(Secret= in paperclip\.container\) is a provider credential\. Agents hold only the gateway's key/,
        },
      ]);
      expectViolations(await run(policy, asFirstPreview(resources)), policy, [
        { resource: PAPERCLIP, message: /ANTHROPIC_API_KEY .* is a provider credential/ },
      ]);
    });

    test("#2 a provider key in plain Environment=", async () => {
      const resources = fedora((spec) => (paperclip(spec).Environment!.GEMINI_API_KEY = "AIzaSyFixture0000000000000000000000"));
      expectViolations(await run(policy, resources), policy, [
        { resource: PAPERCLIP, message: /GEMINI_API_KEY \(Environment= in paperclip\.container\) is a provider credential/ },
      ]);
    });

    test("#3 the gateway-key variable holding an operator's value (not derived from the gateway's key)", async () => {
      const resources = fedora((spec) => {
        const secret = spec.secrets.find((s) => s.name === "paperclip-openai-api-key")!;
        secret.value = "sk-proj-operatorSuppliedRealKey0003";
        delete secret.from;
      });
      expectViolations(await run(policy, resources), policy, [
        {
          resource: PAPERCLIP,
          message:
            /OPENAI_API_KEY \(Secret= in paperclip\.container\) is not the gateway's key: Podman secret paperclip-openai-api-key holds a value from the stack's configuration/,
        },
      ]);
    });

    test("#4 the gateway-key variable reading the gateway's own provider key", async () => {
      const resources = fedora((spec) => {
        paperclip(spec).Secret = paperclip(spec).Secret!.map((s) =>
          s.target === "OPENAI_API_KEY" ? { ...s, name: "litellm-openai-api-key" } : s,
        );
      });
      expectViolations(await run(policy, resources), policy, [
        { resource: PAPERCLIP, message: /OPENAI_API_KEY .* reads the secret the gateway holds as its provider credential OPENAI_API_KEY/ },
      ]);
    });

    test("#5 the gateway's provider key under an innocent name", async () => {
      const resources = fedora((spec) =>
        paperclip(spec).Secret!.push({ name: "litellm-anthropic-api-key", type: "env", target: "MODEL_KEY" }),
      );
      expectViolations(await run(policy, resources), policy, [
        { resource: PAPERCLIP, message: /MODEL_KEY .* reads the secret the gateway holds as its provider credential ANTHROPIC_API_KEY/ },
      ]);
    });

    test("#6 the gateway's provider key mounted as a file", async () => {
      const resources = fedora((spec) =>
        paperclip(spec).Secret!.push({ name: "litellm-anthropic-api-key", type: "mount", target: "/run/secrets/key" }),
      );
      expectViolations(await run(policy, resources), policy, [
        {
          resource: PAPERCLIP,
          message: /mounts the secret the gateway holds as its provider credential ANTHROPIC_API_KEY at \/run\/secrets\/key/,
        },
      ]);
    });

    test("#7 the gateway key without a base URL that sends it to the gateway", async () => {
      const resources = fedora((spec) => delete paperclip(spec).Environment!.OPENAI_BASE_URL);
      expectViolations(await run(policy, resources), policy, [
        {
          resource: PAPERCLIP,
          message:
            /OPENAI_API_KEY .* is not the gateway's key: no OPENAI_BASE_URL or OPENAI_API_BASE_URL or OPENAI_API_BASE in the same environment/,
        },
      ]);
    });

    test("#8 the gateway key sent to a provider's API", async () => {
      const resources = fedora((spec) => (paperclip(spec).Environment!.ANTHROPIC_BASE_URL = "https://api.anthropic.com"));
      expectViolations(await run(policy, resources), policy, [
        {
          resource: PAPERCLIP,
          message: /ANTHROPIC_AUTH_TOKEN .* ANTHROPIC_BASE_URL=https:\/\/api\.anthropic\.com is not the gateway \(litellm\)/,
        },
      ]);
    });

    test("#9 an env file the stack does not show", async () => {
      const resources = fedora((spec) => {
        const unit = containerOf(spec, "paperclip");
        unit.container.PodmanArgs = ["--env-file=/home/harness/paperclip.env"];
      });
      expectViolations(await run(policy, resources), policy, [
        { resource: PAPERCLIP, message: /reads \/home\/harness\/paperclip\.env, whose content this stack does not show/ },
      ]);
    });

    test("#10 a subscription token passed with PodmanArgs --env", async () => {
      const resources = fedora((spec) => (paperclip(spec).PodmanArgs = ["--env=CLAUDE_CODE_OAUTH_TOKEN=sk-ant-oat01-fixtureToken000001"]));
      expectViolations(await run(policy, resources), policy, [
        { resource: PAPERCLIP, message: /CLAUDE_CODE_OAUTH_TOKEN \(PodmanArgs= --env in paperclip\.container\) is a provider credential/ },
      ]);
    });

    test("#9b a provider key in a secret env file (0600) the agent loads", async () => {
      const resources = fedora((spec) => {
        containerOf(spec, "paperclip").container.PodmanArgs = ["--env-file=%h/.config/harness/paperclip/keys.env"];
        spec.configFiles.push({
          path: ".config/harness/paperclip/keys.env",
          content: "OPENROUTER_API_KEY=sk-or-v1-fixture000000000000001\n",
          mode: "0600",
        });
      });
      const violation = {
        resource: PAPERCLIP,
        message:
          /^paperclip\.container: OPENROUTER_API_KEY \(%h\/\.config\/harness\/paperclip\/keys\.env \(PodmanArgs= --env-file in paperclip\.container\)\) is a provider credential/,
      };
      expectViolations(await run(policy, resources), policy, [violation]);
      // Content from the stack's configuration is known during a preview; content derived from a
      // resource not created yet is not, and is judged when it is known rather than guessed at.
      expectViolations(await run(policy, asFirstPreview(resources)), policy, [violation]);
      named(resources, "harness-file-paperclip-keys.env").propertyDependencies!.stdin = [randomUrn("litellm-master-key")];
      expectNoViolations(await run(policy, asFirstPreview(resources)));
    });

    test("accepted: the gateway key copied by value (equal to LiteLLM's master key)", async () => {
      const resources = fedora((spec) => delete spec.secrets.find((s) => s.name === "paperclip-openai-api-key")!.from);
      expectNoViolations(await run(policy, resources));
    });
  });

  describe("provider keys recognised by their shape, under any name", () => {
    // Fixture keys of each published format (made up, never real).
    const shaped: [string, string][] = [
      ["Anthropic", `sk-ant-api03-${"A".repeat(40)}`],
      ["OpenAI", `sk-proj-${"b".repeat(48)}`],
      ["OpenAI", `sk-${"c".repeat(20)}T3BlbkFJ${"d".repeat(20)}`],
      ["OpenRouter", `sk-or-v1-${"e".repeat(64)}`],
      ["DeepSeek", `sk-${"f".repeat(32)}`],
      ["Google (Gemini/Vertex API key)", `AIza${"G".repeat(35)}`],
      ["AWS (Bedrock)", "AKIA" + "Z".repeat(16)],
      ["Groq", `gsk_${"h".repeat(52)}`],
      ["xAI", `xai-${"i".repeat(80)}`],
      ["Hugging Face", `hf_${"j".repeat(34)}`],
    ];

    test.each(shaped)("#S1 a %s key in a plain variable with an innocent name", async (provider, key) => {
      const resources = fedora((spec) => (paperclip(spec).Environment!.TOOL_TOKEN = key));
      expectViolations(await run(policy, resources), policy, [
        {
          resource: PAPERCLIP,
          message: new RegExp(
            `^paperclip\\.container: TOOL_TOKEN \\(Environment= in paperclip\\.container\\) holds a value in the ${provider.replace(/[()/]/g, "\\$&")} key format \\(value not shown\\)\\.$`,
          ),
        },
      ]);
    });

    test("#S2 a provider key inside a header variable", async () => {
      const resources = fedora(
        (spec) => (paperclip(spec).Environment!.ANTHROPIC_CUSTOM_HEADERS = `x-api-key: sk-ant-api03-${"k".repeat(40)}`),
      );
      expectViolations(await run(policy, resources), policy, [
        { resource: PAPERCLIP, message: /ANTHROPIC_CUSTOM_HEADERS .* holds a value in the Anthropic key format/ },
      ]);
    });

    test("#S3 a provider key in a Podman secret read under another name, and mounted as a file", async () => {
      const resources = fedora((spec) => {
        paperclip(spec).Secret!.push({ name: "paperclip-tool-token", type: "env", target: "TOOL_TOKEN" });
        paperclip(spec).Secret!.push({ name: "paperclip-tool-token", type: "mount", target: "/run/secrets/tool" });
        spec.secrets.push({ name: "paperclip-tool-token", value: `sk-or-v1-${"0".repeat(64)}` });
      });
      expectViolations(await run(policy, resources), policy, [
        {
          resource: PAPERCLIP,
          message:
            /TOOL_TOKEN \(Secret= in paperclip\.container\) reads Podman secret paperclip-tool-token, whose value is in the OpenRouter key format/,
        },
        {
          resource: PAPERCLIP,
          message: /mounts Podman secret paperclip-tool-token at \/run\/secrets\/tool, whose value is in the OpenRouter key format/,
        },
      ]);
    });

    test("#S4 a provider key in a Kubernetes Secret under another name", async () => {
      const resources = homelabResources();
      env(named(resources, "paperclip")).env.push({ name: "TOOL_TOKEN", value: `AIza${"x".repeat(35)}` });
      expectViolations(await run(policy, resources), policy, [
        { resource: "paperclip", message: /TOOL_TOKEN .* holds a value in the Google \(Gemini\/Vertex API key\) key format/ },
      ]);
    });

    test("#S5 a provider key staged as a Fly secret under another name", async () => {
      const spec = flySpec();
      spec.secrets.TOOL_TOKEN = `sk-ant-oat01-${"f".repeat(40)}`;
      expectViolations(await run(policy, flyResources(spec)), policy, [
        { resource: "fly-deploy", message: /TOOL_TOKEN .* whose value is in the Anthropic key format/ },
      ]);
    });

    test("#S6 a provider key on the command line", async () => {
      const resources = fedora((spec) => (paperclip(spec).Exec = ["run", "--token", `sk-proj-${"q".repeat(40)}`]));
      expectViolations(await run(policy, resources), policy, [
        { resource: PAPERCLIP, message: /^paperclip\.container: its command line holds a value in the OpenAI key format\.$/ },
      ]);
    });

    test("the gateway's own key format (sk- and 64 hex) is no provider's shape", async () => {
      const resources = fedora((spec) => (paperclip(spec).Environment!.TOOL_TOKEN = `sk-${"a1".repeat(32)}`));
      expectNoViolations(await run(policy, resources));
    });
  });

  describe("kubernetes (homelab, sealos)", () => {
    test("baseline: homelab, the gateway key from an ExternalSecret named for LiteLLM", async () => {
      expectNoViolations(await run(policy, homelabResources()));
    });

    test("baseline: sealos StatefulSet with its init container", async () => {
      expectNoViolations(await run(policy, sealosResources()));
    });

    test("#11 a provider key from a Secret (the seed's optional GEMINI_API_KEY)", async () => {
      const resources = homelabResources();
      env(named(resources, "paperclip")).env.push({
        name: "GEMINI_API_KEY",
        valueFrom: { secretKeyRef: { name: "paperclip-gemini", key: "GEMINI_API_KEY", optional: true } },
      });
      expectViolations(await run(policy, resources), policy, [
        { resource: "paperclip", message: /^Deployment paperclip \(container paperclip\): GEMINI_API_KEY .* is a provider credential/ },
      ]);
    });

    test("#12 the gateway-key variable from an external-store key that is a provider's", async () => {
      const resources = homelabResources();
      (named(resources, "paperclip-llm-key").properties.spec as any).data[0].remoteRef.key = "OPENAI_API_KEY";
      expectViolations(await run(policy, resources), policy, [
        {
          resource: "paperclip",
          message:
            /OPENAI_API_KEY .* is not the gateway's key: ExternalSecret paperclip-llm-key key OPENAI_API_KEY \(from OPENAI_API_KEY\) is not derived from the gateway's key/,
        },
        { resource: "paperclip", message: /ANTHROPIC_AUTH_TOKEN .* is not the gateway's key/ },
      ]);
    });

    test("#13 envFrom a Secret whose keys the stack does not show", async () => {
      const resources = homelabResources();
      env(named(resources, "paperclip")).envFrom.push({ secretRef: { name: "paperclip-extra" } });
      expectViolations(await run(policy, resources), policy, [
        { resource: "paperclip", message: /envFrom Secret paperclip-extra imports keys this stack does not show/ },
      ]);
    });

    test("#14 envFrom a Secret that holds a provider key", async () => {
      const resources = homelabResources();
      resources.push(
        resource(K8S.secret, "paperclip-keys", {
          metadata: { name: "paperclip-keys", namespace: "paperclip-system" },
          stringData: { ANTHROPIC_API_KEY: "sk-ant-api03-inAManifest00000001" },
        }),
      );
      env(named(resources, "paperclip")).envFrom.push({ secretRef: { name: "paperclip-keys" } });
      expectViolations(await run(policy, resources), policy, [
        { resource: "paperclip", message: /ANTHROPIC_API_KEY \(envFrom Secret paperclip-keys of .*\) is a provider credential/ },
      ]);
    });

    test("accepted: an in-cluster gateway and the agent reading the same external-store key as the gateway's own", async () => {
      const resources = homelabResources();
      (named(resources, "paperclip-llm-key").properties.spec as any).data[0].remoteRef.key = "LITELLM_MASTER_KEY";
      resources.push(
        resource(K8S.externalSecret, "litellm-master", {
          metadata: { name: "litellm-master", namespace: "ai" },
          spec: { target: { name: "litellm-master" }, data: [{ secretKey: "key", remoteRef: { key: "LITELLM_MASTER_KEY" } }] },
        }),
        resource(K8S.deployment, "litellm", {
          metadata: { name: "litellm", namespace: "ai" },
          spec: {
            template: {
              spec: {
                containers: [
                  {
                    name: "litellm",
                    image: "ghcr.io/berriai/litellm:v1.108.5",
                    env: [{ name: "LITELLM_MASTER_KEY", valueFrom: { secretKeyRef: { name: "litellm-master", key: "key" } } }],
                  },
                ],
              },
            },
          },
        }),
      );
      expectNoViolations(await run(policy, resources));
      // With the gateway in the stack, a name is no longer enough: the key must be the gateway's.
      (named(resources, "paperclip-llm-key").properties.spec as any).data[0].remoteRef.key = "PAPERCLIP_LITELLM_KEY";
      expectViolations(await run(policy, resources), policy, [
        { resource: "paperclip", message: /OPENAI_API_KEY .* is not derived from the gateway's key/ },
        { resource: "paperclip", message: /ANTHROPIC_AUTH_TOKEN .* is not derived from the gateway's key/ },
      ]);
    });

    const withObjectStorage = (endpoint: string | undefined) => {
      const resources = sealosResources();
      const container = (named(resources, "paperclip", K8S.statefulSet).properties.spec as any).template.spec.containers[0];
      const key = (name: string, secretKey: string) => ({
        name,
        valueFrom: { secretKeyRef: { name: "object-storage-key-paperclip", key: secretKey } },
      });
      container.env.push(
        { name: "PAPERCLIP_STORAGE_PROVIDER", value: "s3" },
        { name: "PAPERCLIP_STORAGE_S3_BUCKET", value: "paperclip" },
        ...(endpoint ? [{ name: "PAPERCLIP_STORAGE_S3_ENDPOINT", value: endpoint }] : []),
        key("AWS_ACCESS_KEY_ID", "accessKey"),
        key("AWS_SECRET_ACCESS_KEY", "secretKey"),
      );
      return resources;
    };

    test("accepted: the Sealos object store's keys, which Paperclip's S3 storage reads from the AWS SDK variables", async () => {
      expectNoViolations(await run(policy, withObjectStorage("https://objectstorageapi.cloud.sealos.io")));
    });

    test("#16 AWS keys with the S3 endpoint at AWS (they would also open Bedrock)", async () => {
      expectViolations(await run(policy, withObjectStorage("https://s3.eu-west-3.amazonaws.com")), policy, [
        { resource: "paperclip", message: /AWS_ACCESS_KEY_ID .* is a provider credential/ },
        { resource: "paperclip", message: /AWS_SECRET_ACCESS_KEY .* is a provider credential/ },
      ]);
      expectViolations(await run(policy, withObjectStorage(undefined)), policy, [
        { resource: "paperclip", message: /AWS_ACCESS_KEY_ID .* is a provider credential/ },
        { resource: "paperclip", message: /AWS_SECRET_ACCESS_KEY .* is a provider credential/ },
      ]);
    });

    test("accepted during a first preview: a Secret referenced by an auto-name not known yet is judged once it is", async () => {
      const resources = homelabResources();
      const container = env(named(resources, "paperclip"));
      for (const e of container.env as any[])
        if (e.valueFrom?.secretKeyRef?.name === "paperclip-llm-key") e.valueFrom.secretKeyRef.name = UNKNOWN_WIRE;
      container.envFrom.push({ secretRef: { name: UNKNOWN_WIRE } });
      expectNoViolations(await run(policy, resources));
    });

    test("#15 the gateway key as a plain value", async () => {
      const resources = homelabResources();
      const container = env(named(resources, "paperclip"));
      container.env = container.env.map((e: any) =>
        e.name === "OPENAI_API_KEY" ? { name: "OPENAI_API_KEY", value: "sk-plainValue000000000000000001" } : e,
      );
      expectViolations(await run(policy, resources), policy, [
        { resource: "paperclip", message: /OPENAI_API_KEY .* is not the gateway's key: it is a plain value/ },
      ]);
    });
  });

  describe("fly (flyctl commands)", () => {
    test("baseline: gateway key staged as a Fly secret, base URLs at the gateway", async () => {
      expectNoViolations(await run(policy, flyResources(flySpec())));
    });

    test("baseline as a first preview: staged names come from FLY_SECRET_NAMES", async () => {
      expectNoViolations(await run(policy, asFirstPreview(flyResources(flySpec()))));
    });

    test("#17 a provider key staged as a Fly secret", async () => {
      const spec = flySpec();
      spec.secrets.ANTHROPIC_API_KEY = "sk-ant-api03-stagedOnFly000000001";
      expectViolations(await run(policy, flyResources(spec)), policy, [
        {
          resource: "fly-deploy",
          message: /^Fly app sodimo-paperclip .*: ANTHROPIC_API_KEY \(secrets staged by fly-secrets\) is a provider credential/,
        },
      ]);
    });

    test("#18 the staged gateway key sent to OpenAI by fly.toml's base URL", async () => {
      const spec = flySpec();
      spec.toml = spec.toml.replace('OPENAI_BASE_URL = "http://litellm.internal:4000"', 'OPENAI_BASE_URL = "https://api.openai.com/v1"');
      expectViolations(await run(policy, flyResources(spec)), policy, [
        { resource: "fly-deploy", message: /OPENAI_API_KEY .* OPENAI_BASE_URL=https:\/\/api\.openai\.com\/v1 is not the gateway/ },
      ]);
    });
  });

  describe("policy config", () => {
    test("enforcementLevel: advisory reports the same violation as advisory", async () => {
      const resources = fedora((spec) => (paperclip(spec).Environment!.GEMINI_API_KEY = "AIzaSyFixture0000000000000000000000"));
      expectViolations(await run(policy, resources, { enforcementLevel: "advisory" }), policy, [
        { resource: PAPERCLIP, message: /GEMINI_API_KEY/, level: "advisory" },
      ]);
    });

    test("gatewayKeySourcePattern: an external-store key must be named as configured", async () => {
      const diagnostics = await run(policy, homelabResources(), { gatewayKeySourcePattern: "^GATEWAY_KEY$" });
      expectViolations(diagnostics, policy, [
        { resource: "paperclip", message: /OPENAI_API_KEY .* is not the gateway's key/ },
        { resource: "paperclip", message: /ANTHROPIC_AUTH_TOKEN .* is not the gateway's key/ },
      ]);
    });
  });
});
