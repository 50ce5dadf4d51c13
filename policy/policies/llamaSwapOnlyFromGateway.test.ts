import { describe, test } from "vitest";
import { edgeResources } from "../testing/edgeFixture";
import { containerOf, fedoraResources, fedoraSpec, type FedoraSpec } from "../testing/fedoraFixture";
import { homelabResources, K8S } from "../testing/kubernetesFixture";
import { expectNoViolations, expectViolations, metadataTests, run } from "../testing/policyTests";
import { asFirstPreview, named, resource } from "../testing/wire";
import { llamaSwapOnlyFromGateway as policy } from "./llamaSwapOnlyFromGateway";

const fedora = (mutate: (spec: FedoraSpec) => void = () => {}) => {
  const spec = fedoraSpec();
  mutate(spec);
  return [...fedoraResources(spec), ...edgeResources()];
};

describe("llama-swap-only-from-gateway", () => {
  metadataTests(policy, { name: "llama-swap-only-from-gateway", enforcementLevel: "mandatory" });

  test("baseline: only litellm.yaml names llama-swap", async () => {
    expectNoViolations(await run(policy, fedora()));
    expectNoViolations(await run(policy, asFirstPreview(fedora())));
  });

  test("#1 an agent pointed at llama-swap", async () => {
    const diagnostics = await run(
      policy,
      fedora((spec) => (containerOf(spec, "paperclip").container.Environment!.LOCAL_MODEL_URL = "http://llama-swap:8080/v1")),
    );
    expectViolations(diagnostics, policy, [
      {
        resource: "harness-file-systemd-paperclip.container",
        message:
          /^paperclip\.container: LOCAL_MODEL_URL \(Environment= in paperclip\.container\) reaches llama-swap directly \(http:\/\/llama-swap:8080\); only the gateway may\.$/,
      },
    ]);
  });

  test("#2 a public route to llama-swap in Caddy's config", async () => {
    const diagnostics = await run(
      policy,
      fedora((spec) => {
        const caddyfile = spec.configFiles.find((f) => f.path.endsWith("Caddyfile"))!;
        caddyfile.content += "http://models.example.com {\n\treverse_proxy llama-swap:8080\n}\n";
      }),
    );
    expectViolations(diagnostics, policy, [
      {
        resource: "harness-file-systemd-caddy.container",
        message: /caddy\.container: .*Caddyfile \(mounted at \/etc\/caddy\/Caddyfile\) reaches llama-swap directly \(llama-swap:8080\)/,
      },
    ]);
  });

  test("#3 llama-swap's published port through the host", async () => {
    const diagnostics = await run(
      policy,
      fedora((spec) => (containerOf(spec, "openwebui").container.Environment!.EXTRA_URL = "http://host.containers.internal:9292")),
    );
    expectViolations(diagnostics, policy, [
      {
        resource: "harness-file-systemd-openwebui.container",
        message: /EXTRA_URL .* reaches llama-swap directly \(http:\/\/host\.containers\.internal:9292\)/,
      },
    ]);
  });

  test("#4 a host program calling llama-swap's loopback port", async () => {
    const diagnostics = await run(
      policy,
      fedora((spec) => {
        const drain = spec.units.find((u) => u.name === "email-drain")!;
        drain.service!.Environment = { ...drain.service!.Environment, SUMMARY_MODEL_URL: "http://127.0.0.1:9292/v1" };
      }),
    );
    expectViolations(diagnostics, policy, [
      { resource: "harness-file-user-email-drain.service", message: /SUMMARY_MODEL_URL .* reaches llama-swap directly/ },
    ]);
  });

  test("#5 a Kubernetes workload calling the llama-swap Service", async () => {
    const resources = homelabResources();
    resources.push(
      resource(K8S.deployment, "llama-swap", {
        metadata: { name: "llama-swap", namespace: "ai" },
        spec: {
          selector: { matchLabels: { app: "llama-swap" } },
          template: {
            metadata: { labels: { app: "llama-swap" } },
            spec: { containers: [{ name: "server", image: "ghcr.io/mostlygeek/llama-swap:v170-cuda-b6123" }] },
          },
        },
      }),
      resource(K8S.service, "models", {
        metadata: { name: "models", namespace: "ai" },
        spec: { selector: { app: "llama-swap" }, ports: [{ port: 8080 }] },
      }),
    );
    (named(resources, "paperclip").properties.spec as any).template.spec.containers[0].env.push({
      name: "LOCAL_LLM",
      value: "http://models.ai.svc.cluster.local:8080/v1",
    });
    expectViolations(await run(policy, resources), policy, [
      { resource: "paperclip", message: /LOCAL_LLM .* reaches llama-swap directly \(http:\/\/models\.ai\.svc\.cluster\.local:8080\)/ },
    ]);
  });
});
