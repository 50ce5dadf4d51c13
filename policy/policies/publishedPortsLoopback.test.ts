import { describe, test } from "vitest";
import { edgeResources } from "../testing/edgeFixture";
import { containerOf, fedoraResources, fedoraSpec, type FedoraSpec } from "../testing/fedoraFixture";
import { homelabResources } from "../testing/kubernetesFixture";
import { expectNoViolations, expectViolations, metadataTests, run } from "../testing/policyTests";
import { named } from "../testing/wire";
import { publishedPortsLoopback as policy } from "./publishedPortsLoopback";

const fedora = (mutate: (spec: FedoraSpec) => void = () => {}) => {
  const spec = fedoraSpec();
  mutate(spec);
  return [...fedoraResources(spec), ...edgeResources()];
};

describe("published-ports-loopback", () => {
  metadataTests(policy, { name: "published-ports-loopback", enforcementLevel: "mandatory" });

  test("baseline: everything on 127.0.0.1, Postfix's mail ports declared direct", async () => {
    expectNoViolations(await run(policy, fedora()));
    expectNoViolations(await run(policy, homelabResources()));
  });

  test("#1 a port published on every interface", async () => {
    const diagnostics = await run(
      policy,
      fedora((spec) => (containerOf(spec, "paperclip").container.PublishPort = [{ hostPort: 3100, containerPort: 3100 }])),
    );
    expectViolations(diagnostics, policy, [
      {
        resource: "harness-file-systemd-paperclip.container",
        message:
          /^paperclip\.container: PublishPort= in paperclip\.container publishes all interfaces:3100 → 3100\/tcp, not bound to 127\.0\.0\.1 and not declared direct\.$/,
      },
    ]);
  });

  test("#2 a port bound to 0.0.0.0 through PodmanArgs", async () => {
    const diagnostics = await run(
      policy,
      fedora((spec) => (containerOf(spec, "litellm").container.PodmanArgs = ["--publish=0.0.0.0:4001:4000"])),
    );
    expectViolations(diagnostics, policy, [
      {
        resource: "harness-file-systemd-litellm.container",
        message: /PodmanArgs= --publish in litellm\.container publishes 0\.0\.0\.0:4001 → 4000\/tcp/,
      },
    ]);
  });

  test("#3 a direct service publishing a port that is not declared", async () => {
    const diagnostics = await run(
      policy,
      fedora((spec) => containerOf(spec, "postfix").container.PublishPort!.push({ hostPort: 8080, containerPort: 8080 })),
    );
    expectViolations(diagnostics, policy, [
      { resource: "harness-file-systemd-postfix.container", message: /publishes all interfaces:8080 → 8080\/tcp/ },
    ]);
  });

  test("#4 a container in the host's network", async () => {
    const diagnostics = await run(
      policy,
      fedora((spec) => (containerOf(spec, "cockpit").container.Network = ["host"])),
    );
    expectViolations(diagnostics, policy, [
      { resource: "harness-file-systemd-cockpit.container", message: /cockpit\.container: runs in the host's network namespace/ },
    ]);
  });

  test("#5 a Kubernetes hostPort", async () => {
    const resources = homelabResources();
    (named(resources, "paperclip").properties.spec as any).template.spec.containers[0].ports = [{ containerPort: 3100, hostPort: 3100 }];
    expectViolations(await run(policy, resources), policy, [
      { resource: "paperclip", message: /ports of Deployment paperclip \(container paperclip\) publishes all interfaces:3100 → 3100\/tcp/ },
    ]);
  });

  test("#6 a Kubernetes pod in the host's network", async () => {
    const resources = homelabResources();
    (named(resources, "paperclip").properties.spec as any).template.spec.hostNetwork = true;
    expectViolations(await run(policy, resources), policy, [{ resource: "paperclip", message: /runs in the host's network namespace/ }]);
  });

  test("policy config: directPorts declares a service's port direct, with a reason", async () => {
    const resources = fedora((spec) => (containerOf(spec, "cockpit").container.PublishPort = [{ hostPort: 9090, containerPort: 9090 }]));
    expectViolations(await run(policy, resources), policy, [{ resource: "harness-file-systemd-cockpit.container", message: /9090/ }]);
    // A configured list replaces the default one, so it repeats the mail ports.
    const defaults = policy.configSchema!.properties.directPorts!.default as unknown[];
    expectNoViolations(
      await run(policy, resources, {
        directPorts: [...defaults, { service: "cockpit", ports: [9090], reason: "Reached from the office LAN only (firewalled)." }],
      }),
    );
  });
});
