import { describe, test } from "vitest";
import { edgeResources, IDENTITY_PROVIDER, outboxProducerResources } from "../testing/edgeFixture";
import { expectNoViolations, expectViolations, metadataTests, run } from "../testing/policyTests";
import { asFirstPreview, named } from "../testing/wire";
import { accessRequiresIdentityProvider as policy } from "./accessRequiresIdentityProvider";

const HOSTNAMES = ["chat", "cockpit", "paperclip"];

describe("access-requires-identity-provider", () => {
  metadataTests(policy, { name: "access-requires-identity-provider", enforcementLevel: "mandatory" });

  test("baseline: the company's domain with the identity provider required; the agents' service token is not a person", async () => {
    expectNoViolations(await run(policy, edgeResources()));
    expectNoViolations(await run(policy, asFirstPreview(edgeResources())));
    expectNoViolations(await run(policy, [...edgeResources(), ...outboxProducerResources()]));
  });

  test("an identity provider alone (loginMethod included, nothing required) passes", async () => {
    const resources = edgeResources();
    Object.assign(named(resources, "edge-allow-company").properties, {
      includes: [{ loginMethod: { id: IDENTITY_PROVIDER } }],
      requires: [],
    });
    expectNoViolations(await run(policy, resources));
  });

  test("#1 an email domain with no identity provider required", async () => {
    const resources = edgeResources();
    delete named(resources, "edge-allow-company").properties.requires;
    expectViolations(
      await run(policy, resources),
      policy,
      HOSTNAMES.map((h) => ({
        resource: `edge-access-${h}`,
        message: new RegExp(
          `^${h}\\.example\\.com: ZeroTrustAccessPolicy edge-allow-company of edge-access-${h} admits people by emailDomain with no identity provider required, so a one-time PIN to any such address passes\\.$`,
        ),
      })),
    );
  });

  test("#2 the provider offered beside an address rule (OR) still admits by PIN", async () => {
    const resources = [...edgeResources(), ...outboxProducerResources()];
    Object.assign(named(resources, "mcp-access-policy").properties, {
      includes: [{ email: { email: "ceo@example.com" } }, { loginMethod: { id: IDENTITY_PROVIDER } }],
      requires: [],
    });
    expectViolations(await run(policy, resources), policy, [
      { resource: "mcp-access-app", message: /admits people by email with no identity provider/ },
    ]);
  });

  test("#3 an inline policy by email list", async () => {
    const resources = edgeResources();
    named(resources, "edge-access-chat").properties.policies = [
      { decision: "allow", includes: [{ emailList: { id: "list-1" } }], precedence: 1 },
    ];
    expectViolations(await run(policy, resources), policy, [
      { resource: "edge-access-chat", message: /^chat\.example\.com: an inline policy of edge-access-chat admits people by emailList/ },
    ]);
  });

  test("a domain-only gate listed with its reason passes, for that hostname only or for every one", async () => {
    const resources = edgeResources();
    delete named(resources, "edge-allow-company").properties.requires;
    const reason = "No Google Workspace yet (until 2027-03).";
    expectViolations(await run(policy, resources, { domainOnlyHostnames: [{ hostname: "chat.example.com", reason }] }), policy, [
      { resource: "edge-access-cockpit", message: /^cockpit\.example\.com:/ },
      { resource: "edge-access-paperclip", message: /^paperclip\.example\.com:/ },
    ]);
    expectNoViolations(await run(policy, resources, { domainOnlyHostnames: [{ hostname: "*", reason }] }));
  });
});
