import { describe, test } from "vitest";
import { edgeResources } from "../testing/edgeFixture";
import { expectNoViolations, expectViolations, metadataTests, run } from "../testing/policyTests";
import { asFirstPreview, named, resource, without } from "../testing/wire";
import { tunnelIngressEndsIn404 as policy } from "./tunnelIngressEndsIn404";

const ingresses = (resources: ReturnType<typeof edgeResources>) =>
  (named(resources, "edge-tunnel-config").properties.config as { ingresses: Record<string, unknown>[] }).ingresses;

describe("tunnel-ingress-ends-in-404", () => {
  metadataTests(policy, { name: "tunnel-ingress-ends-in-404", enforcementLevel: "mandatory" });

  test("baseline: one rule per hostname, then http_status:404", async () => {
    expectNoViolations(await run(policy, edgeResources()));
    expectNoViolations(await run(policy, asFirstPreview(edgeResources())));
  });

  test("#1 no catch-all", async () => {
    const resources = edgeResources();
    ingresses(resources).pop();
    expectViolations(await run(policy, resources), policy, [
      {
        resource: "edge-tunnel-config",
        message: /the last ingress rule routes cockpit\.example\.com to http:\/\/127\.0\.0\.1:80; it must be the catch-all http_status:404/,
      },
    ]);
  });

  test("#2 a catch-all that serves a service instead of 404", async () => {
    const resources = edgeResources();
    ingresses(resources).splice(-1, 1, { service: "http://127.0.0.1:80" });
    expectViolations(await run(policy, resources), policy, [
      { resource: "edge-tunnel-config", message: /the last ingress rule sends everything else to http:\/\/127\.0\.0\.1:80/ },
    ]);
  });

  test("#3 a rule without hostname before the end", async () => {
    const resources = edgeResources();
    ingresses(resources).unshift({ service: "http://127.0.0.1:80" });
    expectViolations(await run(policy, resources), policy, [
      {
        resource: "edge-tunnel-config",
        message: /ingress rule 1 of 5 has no hostname, so it catches every request meant for the rules after it/,
      },
    ]);
  });

  test("#4 a tunnel the stack does not configure", async () => {
    expectViolations(await run(policy, without(edgeResources(), "edge-tunnel-config")), policy, [
      { resource: "edge-tunnel", message: /no ZeroTrustTunnelCloudflaredConfig in the stack configures this tunnel/ },
    ]);
  });

  test("#5 the deprecated TunnelConfig class (another type token)", async () => {
    const resources = edgeResources();
    resources.push(
      resource("cloudflare:index/tunnelConfig:TunnelConfig", "old-config", {
        accountId: "a",
        tunnelId: "t",
        config: { ingressRules: [{ service: "http://127.0.0.1:80" }] },
      }),
    );
    expectViolations(await run(policy, resources), policy, [{ resource: "old-config", message: /is the deprecated class/ }]);
  });
});
