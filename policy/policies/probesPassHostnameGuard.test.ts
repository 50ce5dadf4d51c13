import { describe, test } from "vitest";
import { edgeResources } from "../testing/edgeFixture";
import { containerOf, fedoraResources, fedoraSpec, type FedoraSpec } from "../testing/fedoraFixture";
import { flyResources, flySpec } from "../testing/flyFixture";
import { homelabResources } from "../testing/kubernetesFixture";
import { expectNoViolations, expectViolations, metadataTests, run } from "../testing/policyTests";
import { named } from "../testing/wire";
import { probesPassHostnameGuard as policy } from "./probesPassHostnameGuard";

const fedora = (mutate: (spec: FedoraSpec) => void = () => {}) => {
  const spec = fedoraSpec();
  mutate(spec);
  return [...fedoraResources(spec), ...edgeResources()];
};
const container = (resources: ReturnType<typeof homelabResources>) =>
  (named(resources, "paperclip").properties.spec as any).template.spec.containers[0];

describe("probes-pass-hostname-guard", () => {
  metadataTests(policy, { name: "probes-pass-hostname-guard", enforcementLevel: "mandatory" });

  test("baseline: Host: localhost on HTTP probes, TCP liveness (fedora, homelab, fly)", async () => {
    expectNoViolations(await run(policy, fedora()));
    expectNoViolations(await run(policy, homelabResources()));
    expectNoViolations(await run(policy, flyResources(flySpec())));
  });

  test("#1 a Kubernetes httpGet probe without a Host header (sends the pod IP, gets 403)", async () => {
    const resources = homelabResources();
    container(resources).readinessProbe = { httpGet: { path: "/api/health", port: 3100 } };
    expectViolations(await run(policy, resources), policy, [
      {
        resource: "paperclip",
        message:
          /^Deployment paperclip \(container paperclip\): readinessProbe of .* sends no Host header, so the prober sends the pod's or machine's IP address and the hostname guard answers 403\.$/,
      },
    ]);
  });

  test("#2 a Host header the guard does not allow", async () => {
    const resources = homelabResources();
    container(resources).readinessProbe.httpGet.httpHeaders = [{ name: "Host", value: "paperclip.internal:3100" }];
    expectViolations(await run(policy, resources), policy, [
      {
        resource: "paperclip",
        message:
          /sends Host paperclip\.internal, which the hostname guard does not allow \(localhost, 127\.0\.0\.1, ::1, paperclip\.lan, 192\.168\.1\.240\)/,
      },
    ]);
  });

  test("#3 a Fly HTTP check without headers", async () => {
    const spec = flySpec();
    spec.toml = spec.toml.replace('  headers = { Host = "localhost" }\n', "");
    expectViolations(await run(policy, flyResources(spec)), policy, [
      { resource: "fly-deploy", message: /\[checks\.health\] of fly\.toml sends no Host header/ },
    ]);
  });

  test("#4 a health command that curls a non-loopback host", async () => {
    const diagnostics = await run(
      policy,
      fedora((spec) => (containerOf(spec, "paperclip").container.HealthCmd = ["CMD", "curl", "-fsS", "http://paperclip:3100/api/health"])),
    );
    expectViolations(diagnostics, policy, [
      {
        resource: "harness-file-systemd-paperclip.container",
        message: /HealthCmd= in paperclip\.container sends Host paperclip, which the hostname guard does not allow/,
      },
    ]);
  });

  test("accepted: an allowed hostname, a loopback URL without a header, and public exposure", async () => {
    const allowed = homelabResources();
    container(allowed).readinessProbe.httpGet.httpHeaders = [{ name: "Host", value: "paperclip.lan" }];
    expectNoViolations(await run(policy, allowed));
    expectNoViolations(
      await run(
        policy,
        fedora(
          (spec) => (containerOf(spec, "paperclip").container.HealthCmd = ["CMD", "curl", "-fsS", "http://127.0.0.1:3100/api/health"]),
        ),
      ),
    );
    const publicExposure = homelabResources();
    container(publicExposure).readinessProbe = { httpGet: { path: "/api/health", port: 3100 } };
    container(publicExposure).env.find((e: any) => e.name === "PAPERCLIP_DEPLOYMENT_EXPOSURE").value = "public";
    expectNoViolations(await run(policy, publicExposure));
  });
});
