import { describe, test } from "vitest";
import { CF, edgeResources, MCP_HOSTNAME, outboxProducerResources, WORKERS } from "../testing/edgeFixture";
import { containerOf, fedoraResources, fedoraSpec, type FedoraSpec } from "../testing/fedoraFixture";
import { flyResources, flySpec } from "../testing/flyFixture";
import { homelabResources } from "../testing/kubernetesFixture";
import { expectNoViolations, expectViolations, metadataTests, run } from "../testing/policyTests";
import { asFirstPreview, named, resource, urnOf, without } from "../testing/wire";
import { agentMailOnlyViaMcpEndpoint as policy } from "./agentMailOnlyViaMcpEndpoint";

const PAPERCLIP = "harness-file-systemd-paperclip.container";
const fedora = (mutate: (spec: FedoraSpec) => void = () => {}) => {
  const spec = fedoraSpec();
  mutate(spec);
  return [...fedoraResources(spec), ...edgeResources(), ...outboxProducerResources()];
};
const props = (resources: ReturnType<typeof fedora>, name: string) => named(resources, name).properties;

describe("agent-mail-only-via-mcp-endpoint", () => {
  metadataTests(policy, { name: "agent-mail-only-via-mcp-endpoint", enforcementLevel: "mandatory" });

  test("baseline: the MCP Worker behind Access, the dead-letter Worker with no HTTP surface, agents without Cloudflare credentials", async () => {
    expectNoViolations(await run(policy, fedora()));
    expectNoViolations(await run(policy, asFirstPreview(fedora())));
    expectNoViolations(await run(policy, homelabResources()));
    expectNoViolations(await run(policy, flyResources(flySpec())));
  });

  test("#1 the MCP Worker left on workers.dev", async () => {
    const resources = fedora();
    props(resources, "mcp-subdomain").enabled = true;
    expectViolations(await run(policy, resources), policy, [
      {
        resource: "mcp-script",
        message: /^WorkersScript harness-mcp produces to email_outbox and is reachable on workers\.dev, outside Access/,
      },
    ]);
  });

  test("#2 a producer with no WorkersScriptSubdomain (workers.dev is on by default)", async () => {
    expectViolations(await run(policy, without(fedora(), "dlq-worker-subdomain")), policy, [
      {
        resource: "dlq-worker-script",
        message: /^WorkersScript harness-dlq-worker produces to email_outbox and is reachable on workers\.dev/,
      },
    ]);
  });

  test("#3 the MCP Worker served on a hostname without an Access application", async () => {
    const resources = fedora();
    props(resources, "mcp-domain").hostname = "mail-api.example.com";
    expectViolations(await run(policy, resources), policy, [
      { resource: "mcp-domain", message: /served on mail-api\.example\.com, which no Access application gates/ },
    ]);
    expectViolations(await run(policy, without(fedora(), "mcp-access-app")), policy, [
      { resource: "mcp-domain", message: new RegExp(`served on ${MCP_HOSTNAME}, which no Access`) },
    ]);
  });

  test("#4 the MCP Worker's application lets anyone in (bypass, everyone, any service token)", async () => {
    for (const [policyName, change] of [
      ["mcp-access-policy", { decision: "bypass" }],
      ["mcp-access-policy", { includes: [{ everyone: {} }] }],
      ["mcp-access-service-policy", { includes: [{ anyValidServiceToken: {} }] }],
    ] as const) {
      const resources = fedora();
      Object.assign(props(resources, policyName), change);
      expectViolations(await run(policy, resources), policy, [{ resource: "mcp-domain", message: /which no Access application gates/ }]);
    }
  });

  test("#5 a Workers route to a producer outside Access", async () => {
    const resources = fedora();
    resources.push(
      resource(
        WORKERS.route,
        "mcp-route",
        { zoneId: "z", pattern: "api.example.com/mail/*", script: "harness-mcp" },
        { propertyDependencies: { script: [urnOf(WORKERS.script, "mcp-script")] } },
      ),
      resource(WORKERS.route, "mcp-wildcard", { zoneId: "z", pattern: "*.example.com/*", script: "harness-mcp" }),
    );
    expectViolations(await run(policy, resources), policy, [
      { resource: "mcp-route", message: /routed from api\.example\.com\/mail\/\*, which no Access application gates/ },
      { resource: "mcp-wildcard", message: /routed from \*\.example\.com\/\*, which no Access application gates/ },
    ]);
  });

  test("#6 an agent runtime holding a Cloudflare API token", async () => {
    const diagnostics = await run(
      policy,
      fedora((spec) => (containerOf(spec, "paperclip").container.Environment!.CLOUDFLARE_API_TOKEN = "x".repeat(40))),
    );
    expectViolations(diagnostics, policy, [
      {
        resource: PAPERCLIP,
        message:
          /^paperclip\.container: CLOUDFLARE_API_TOKEN \(Environment= in paperclip\.container\) is a Cloudflare API credential, with which an agent could enqueue mail around the MCP endpoint/,
      },
    ]);
  });

  test("a Worker that does not produce to email_outbox is not judged", async () => {
    const resources = fedora();
    props(resources, "dlq-worker-script").bindings = [{ name: "DB", type: "d1", id: "x" }];
    named(resources, "dlq-worker-script").propertyDependencies!.bindings = [];
    expectNoViolations(await run(policy, without(resources, "dlq-worker-subdomain")));
  });

  test("policy config: outboxQueueName", async () => {
    const resources = fedora();
    resources.push(resource(CF.queue, "other-outbox", { accountId: "a", queueName: "mail_out" }));
    resources.push(
      resource(WORKERS.script, "mailer", {
        accountId: "a",
        scriptName: "mailer",
        bindings: [{ name: "Q", type: "queue", queueName: "mail_out" }],
      }),
    );
    expectNoViolations(await run(policy, resources));
    expectViolations(await run(policy, resources, { outboxQueueName: "mail_out" }), policy, [
      { resource: "mailer", message: /^WorkersScript mailer produces to mail_out and is reachable on workers\.dev/ },
    ]);
  });
});
