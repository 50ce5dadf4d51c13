import { describe, test } from "vitest";
import { CF, edgeResources } from "../testing/edgeFixture";
import { expectNoViolations, expectViolations, metadataTests, run } from "../testing/policyTests";
import { asFirstPreview, named, resource, urnOf, without } from "../testing/wire";
import { tunnelHostnamesBehindAccess as policy } from "./tunnelHostnamesBehindAccess";

describe("tunnel-hostnames-behind-access", () => {
  metadataTests(policy, { name: "tunnel-hostnames-behind-access", enforcementLevel: "mandatory" });

  test("baseline: every hostname has a self-hosted Access application with the company's allow policy", async () => {
    expectNoViolations(await run(policy, edgeResources()));
    expectNoViolations(await run(policy, asFirstPreview(edgeResources())));
  });

  test("#1 a hostname without an Access application", async () => {
    expectViolations(await run(policy, without(edgeResources(), "edge-access-chat")), policy, [
      {
        resource: "edge-dns-chat",
        message:
          /^chat\.example\.com is served by the tunnel \(edge-dns-chat\) but no Access application covers it, so it is reachable ungated\.$/,
      },
    ]);
  });

  test("#2 a DNS record to the tunnel for a hostname with no ingress rule and no Access application", async () => {
    const resources = edgeResources();
    resources.push(
      resource(
        CF.dnsRecord,
        "edge-dns-api",
        { zoneId: "z", name: "api.example.com", type: "CNAME", content: "x.cfargotunnel.com", proxied: true, ttl: 1 },
        { propertyDependencies: { content: [urnOf(CF.tunnel, "edge-tunnel")] } },
      ),
    );
    expectViolations(await run(policy, resources), policy, [
      { resource: "edge-dns-api", message: /^api\.example\.com is served by the tunnel/ },
    ]);
  });

  test("#3 an allow policy that admits everyone", async () => {
    const resources = edgeResources();
    named(resources, "edge-allow-company").properties.includes = [{ everyone: {} }];
    const diagnostics = await run(policy, resources);
    expectViolations(
      diagnostics,
      policy,
      ["chat", "cockpit", "paperclip"].map((h) => ({
        resource: `edge-access-${h}`,
        message: new RegExp(
          `^${h}\\.example\\.com: ZeroTrustAccessPolicy edge-allow-company of edge-access-${h} admits everyone, which is no gate at all\\.$`,
        ),
      })),
    );
  });

  test("#4 a bypass policy", async () => {
    const resources = edgeResources();
    named(resources, "edge-allow-company").properties.decision = "bypass";
    const diagnostics = await run(policy, resources);
    expectViolations(
      diagnostics,
      policy,
      ["chat", "cockpit", "paperclip"].map((h) => ({
        resource: `edge-access-${h}`,
        message: /is a bypass policy, which lets requests past Access unauthenticated/,
      })),
    );
  });

  test("#5 an application of another type (SaaS) that does not gate web traffic", async () => {
    const resources = edgeResources();
    named(resources, "edge-access-paperclip").properties.type = "saas";
    expectViolations(await run(policy, resources), policy, [
      { resource: "edge-access-paperclip", message: /Access application edge-access-paperclip is of type saas, not self_hosted/ },
    ]);
  });

  test("#6 an inline policy that admits everyone", async () => {
    const resources = edgeResources();
    const app = named(resources, "edge-access-cockpit");
    app.properties.policies = [{ decision: "allow", includes: [{ everyone: {} }], precedence: 1 }];
    app.propertyDependencies!.policies = [];
    expectViolations(await run(policy, resources), policy, [
      { resource: "edge-access-cockpit", message: /an inline policy of edge-access-cockpit admits everyone/ },
    ]);
  });

  test("accepted: a wildcard application covers one level of subdomains", async () => {
    const resources = without(edgeResources(), "edge-access-chat", "edge-access-cockpit");
    named(resources, "edge-access-paperclip").properties.domain = "*.example.com";
    expectNoViolations(await run(policy, resources));
  });

  test("policy config: ungatedHostnames documents a deliberate exception", async () => {
    const resources = without(edgeResources(), "edge-access-chat");
    expectNoViolations(
      await run(policy, resources, {
        ungatedHostnames: [{ hostname: "chat.example.com", reason: "Public demo, OpenWebUI's own login only." }],
      }),
    );
  });
});
