import { describe, test } from "vitest";
import { edgeResources } from "../testing/edgeFixture";
import { containerOf, fedoraResources, segmentedFedoraSpec, type FedoraSpec } from "../testing/fedoraFixture";
import { homelabResources } from "../testing/kubernetesFixture";
import { expectNoViolations, expectViolations, metadataTests, run } from "../testing/policyTests";
import { asFirstPreview } from "../testing/wire";
import { publicServiceOnlyFromEdge as policy } from "./publicServiceOnlyFromEdge";

const fedora = (mutate: (spec: FedoraSpec) => void = () => {}) => {
  const spec = segmentedFedoraSpec();
  mutate(spec);
  return [...fedoraResources(spec), ...edgeResources()];
};

describe("public-service-only-from-edge", () => {
  metadataTests(policy, { name: "public-service-only-from-edge", enforcementLevel: "mandatory" });

  test("baseline: each routed service meets Caddy on a network of their own and publishes nothing", async () => {
    expectNoViolations(await run(policy, fedora()));
    expectNoViolations(await run(policy, asFirstPreview(fedora())));
  });

  test("#1 OpenWebUI published on the host's loopback", async () => {
    const diagnostics = await run(
      policy,
      fedora(
        (spec) => (containerOf(spec, "openwebui").container.PublishPort = [{ hostIp: "127.0.0.1", hostPort: 3000, containerPort: 8080 }]),
      ),
    );
    expectViolations(diagnostics, policy, [
      { resource: "harness-file-systemd-openwebui.container", message: /^openwebui\.container: publishes 127\.0\.0\.1:3000 on the host/ },
    ]);
  });

  test("#2 Paperclip on OpenWebUI's edge network", async () => {
    const diagnostics = await run(
      policy,
      fedora((spec) => containerOf(spec, "paperclip").container.Network!.push("caddy-to-openwebui.network")),
    );
    expectViolations(diagnostics, policy, [
      {
        resource: "harness-file-systemd-openwebui.container",
        message:
          /^openwebui\.container: its edge network systemd-caddy-to-openwebui also holds paperclip; only the edge proxy may share it\.$/,
      },
      {
        resource: "harness-file-systemd-paperclip.container",
        message: /^paperclip\.container: its edge network systemd-caddy-to-openwebui also holds/,
      },
    ]);
  });

  test("#3 OpenWebUI sharing a network with the agent runtime, away from Caddy", async () => {
    const diagnostics = await run(
      policy,
      fedora((spec) => containerOf(spec, "openwebui").container.Network!.push("paperclip-to-litellm.network")),
    );
    expectViolations(diagnostics, policy, [
      {
        resource: "harness-file-systemd-openwebui.container",
        message: /^openwebui\.container: shares network systemd-paperclip-to-litellm with paperclip, reaching it around the edge proxy\.$/,
      },
      { resource: "harness-file-systemd-paperclip.container", message: /shares network systemd-paperclip-to-litellm with openwebui/ },
    ]);
  });

  test("not applicable where there is no Caddy (Kubernetes)", async () => {
    expectNoViolations(await run(policy, homelabResources()));
  });
});
