import { describe, test } from "vitest";
import { edgeResources } from "../testing/edgeFixture";
import { containerOf, fedoraResources, segmentedFedoraSpec, type FedoraSpec } from "../testing/fedoraFixture";
import { expectNoViolations, expectViolations, metadataTests, run } from "../testing/policyTests";
import { asFirstPreview } from "../testing/wire";
import { privilegedOnlyThroughAccess as policy } from "./privilegedOnlyThroughAccess";

const fedora = (mutate: (spec: FedoraSpec) => void = () => {}) => {
  const spec = segmentedFedoraSpec();
  mutate(spec);
  return [...fedoraResources(spec), ...edgeResources()];
};

describe("privileged-only-through-access", () => {
  metadataTests(policy, { name: "privileged-only-through-access", enforcementLevel: "mandatory" });

  test("baseline: privileged Cockpit shares a network with Caddy alone and publishes nothing", async () => {
    expectNoViolations(await run(policy, fedora()));
    expectNoViolations(await run(policy, asFirstPreview(fedora())));
  });

  test("#1 Cockpit published on the host's loopback (the seeds' 9090)", async () => {
    const diagnostics = await run(
      policy,
      fedora(
        (spec) => (containerOf(spec, "cockpit").container.PublishPort = [{ hostIp: "127.0.0.1", hostPort: 9090, containerPort: 9090 }]),
      ),
    );
    expectViolations(diagnostics, policy, [
      {
        resource: "harness-file-systemd-cockpit.container",
        message: /^cockpit\.container: privileged, and publishes 127\.0\.0\.1:9090 on the host/,
      },
    ]);
  });

  test("#2 Cockpit on a network the agent runtime joins", async () => {
    const diagnostics = await run(
      policy,
      fedora((spec) => containerOf(spec, "cockpit").container.Network!.push("caddy-to-paperclip.network")),
    );
    expectViolations(diagnostics, policy, [
      {
        resource: "harness-file-systemd-cockpit.container",
        message:
          /^cockpit\.container: privileged, and shares network systemd-caddy-to-paperclip with paperclip; only the edge proxy may\.$/,
      },
    ]);
  });

  test("#3 a privileged container no edge proxy routes to", async () => {
    const diagnostics = await run(
      policy,
      fedora((spec) => (containerOf(spec, "llama-swap").container.PodmanArgs = ["--privileged"])),
    );
    expectViolations(diagnostics, policy, [
      {
        resource: "harness-file-systemd-llama-swap.container",
        message: /^llama-swap\.container: privileged, and no edge proxy routes to it: Access is not its way in\.$/,
      },
      { resource: "harness-file-systemd-llama-swap.container", message: /shares network systemd-litellm-to-llama-swap with litellm/ },
    ]);
  });
});
