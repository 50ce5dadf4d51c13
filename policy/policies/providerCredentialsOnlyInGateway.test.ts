import { describe, test } from "vitest";
import { edgeResources } from "../testing/edgeFixture";
import { containerOf, fedoraResources, fedoraSpec, type FedoraSpec } from "../testing/fedoraFixture";
import { flyResources, flySpec } from "../testing/flyFixture";
import { homelabResources, K8S } from "../testing/kubernetesFixture";
import { expectNoViolations, expectViolations, metadataTests, run } from "../testing/policyTests";
import { asFirstPreview, resource } from "../testing/wire";
import { providerCredentialsOnlyInGateway as policy } from "./providerCredentialsOnlyInGateway";

const OPENWEBUI = "harness-file-systemd-openwebui.container";
const fedora = (mutate: (spec: FedoraSpec) => void = () => {}) => {
  const spec = fedoraSpec();
  mutate(spec);
  return [...fedoraResources(spec), ...edgeResources()];
};

/** An in-cluster gateway holding the provider keys, and another app beside it. */
function clusterWithGateway(appContainer: Record<string, unknown>) {
  const deployment = (name: string, image: string, container: Record<string, unknown>) =>
    resource(K8S.deployment, name, {
      metadata: { name, namespace: "ai" },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: name } },
        template: { metadata: { labels: { app: name } }, spec: { containers: [{ name, image, ...container }] } },
      },
    });
  return [
    resource(K8S.secret, "litellm-providers", {
      metadata: { name: "litellm-providers", namespace: "ai" },
      stringData: { anthropic: "sk-ant-api03-clusterProviderKey001" },
    }),
    deployment("litellm", "ghcr.io/berriai/litellm:v1.108.5", {
      env: [{ name: "ANTHROPIC_API_KEY", valueFrom: { secretKeyRef: { name: "litellm-providers", key: "anthropic" } } }],
    }),
    deployment("twenty", "docker.io/twentycrm/twenty:v2.0.0", appContainer),
  ];
}

describe("provider-credentials-only-in-gateway", () => {
  metadataTests(policy, { name: "provider-credentials-only-in-gateway", enforcementLevel: "mandatory" });

  test("baseline: provider keys only in LiteLLM; OpenWebUI holds the gateway's key (fedora, homelab, fly, first preview)", async () => {
    expectNoViolations(await run(policy, fedora()));
    expectNoViolations(await run(policy, asFirstPreview(fedora())));
    expectNoViolations(await run(policy, homelabResources()));
    expectNoViolations(await run(policy, flyResources(flySpec())));
    expectNoViolations(await run(policy, clusterWithGateway({ env: [{ name: "LOG_LEVEL", value: "info" }] })));
  });

  test("#1 a provider key in another service", async () => {
    const diagnostics = await run(
      policy,
      fedora((spec) => {
        // GEMINI_API_KEY: a provider credential by name (ANTHROPIC_API_KEY is also where agents hold the gateway's key).
        containerOf(spec, "openwebui").container.Secret!.push({
          name: "openwebui-gemini-api-key",
          type: "env",
          target: "GEMINI_API_KEY",
        });
        spec.secrets.push({ name: "openwebui-gemini-api-key", value: "AIzaSyFixtureSecondCopy0000000000001" });
      }),
    );
    expectViolations(diagnostics, policy, [
      {
        resource: OPENWEBUI,
        message:
          /^openwebui\.container: GEMINI_API_KEY \(Secret= in openwebui\.container\) is a provider credential outside the gateway\.$/,
      },
    ]);
  });

  test("#2 another service reading the gateway's provider key", async () => {
    const diagnostics = await run(
      policy,
      fedora((spec) => {
        const unit = containerOf(spec, "openwebui").container;
        unit.Secret = unit.Secret!.map((s) => (s.target === "OPENAI_API_KEY" ? { ...s, name: "litellm-openai-api-key" } : s));
      }),
    );
    expectViolations(diagnostics, policy, [
      { resource: OPENWEBUI, message: /OPENAI_API_KEY .* reads the secret the gateway holds as its provider credential OPENAI_API_KEY/ },
    ]);
  });

  test("#3 the gateway-key variable holding an operator's provider key", async () => {
    const diagnostics = await run(
      policy,
      fedora((spec) => {
        const secret = spec.secrets.find((s) => s.name === "openwebui-openai-api-key")!;
        secret.value = "sk-proj-operatorKeyForOpenWebUi0003";
        delete secret.from;
      }),
    );
    expectViolations(diagnostics, policy, [
      {
        resource: OPENWEBUI,
        message:
          /OPENAI_API_KEY .* is a provider credential outside the gateway, not the gateway's key: Podman secret openwebui-openai-api-key holds a value from the stack's configuration/,
      },
    ]);
  });

  test("#4 a cloud account key in a host service's unit", async () => {
    const diagnostics = await run(
      policy,
      fedora((spec) => {
        const drain = spec.units.find((u) => u.name === "email-drain")!;
        drain.service!.Environment = { ...drain.service!.Environment, AWS_SECRET_ACCESS_KEY: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYFIXTURE1" };
      }),
    );
    expectViolations(diagnostics, policy, [
      {
        resource: "harness-file-user-email-drain.service",
        message:
          /^email-drain\.service: AWS_SECRET_ACCESS_KEY \(Environment= in email-drain\.service\) is a provider credential outside the gateway\.$/,
      },
    ]);
  });

  test("#5 a Kubernetes app importing the gateway's provider Secret whole", async () => {
    const diagnostics = await run(policy, clusterWithGateway({ envFrom: [{ secretRef: { name: "litellm-providers" } }] }));
    expectViolations(diagnostics, policy, [
      {
        resource: "twenty",
        message:
          /^Deployment twenty \(container twenty\): anthropic \(envFrom Secret litellm-providers of .*\) reads the secret the gateway holds as its provider credential ANTHROPIC_API_KEY\.$/,
      },
    ]);
  });

  test("#6 a Kubernetes app mounting the gateway's provider Secret", async () => {
    const resources = clusterWithGateway({ volumeMounts: [{ name: "keys", mountPath: "/keys" }] });
    (resources[2]!.properties.spec as any).template.spec.volumes = [{ name: "keys", secret: { secretName: "litellm-providers" } }];
    expectViolations(await run(policy, resources), policy, [
      { resource: "twenty", message: /mounts the secret the gateway holds as its provider credential ANTHROPIC_API_KEY at \/keys/ },
    ]);
  });
});
