import { describe, expect, test } from "vitest";
import { CF, edgeResources, MCP_HOSTNAME, outboxProducerResources, WORKERS } from "../testing/edgeFixture";
import { containerOf, fedoraResources, fedoraSpec, type FedoraSpec } from "../testing/fedoraFixture";
import { flyResources, flySpec } from "../testing/flyFixture";
import { homelabResources } from "../testing/kubernetesFixture";
import { expectNoViolations, expectViolations, metadataTests, run } from "../testing/policyTests";
import { asFirstPreview, named, resource, urnOf, without } from "../testing/wire";
import { agentMailOnlyViaMcpEndpoint as policy } from "./agentMailOnlyViaMcpEndpoint";

const PAPERCLIP = "harness-file-systemd-paperclip.container";
/** The MCP Worker's producer key, as its secret_text binding and the drain's PRODUCER_MCP_KEY hold it. */
const MCP_PRODUCER_KEY = "3c9e1f7a5b2d8c4e6a0f1b3d5c7e9a2b4d6f8e0c1a3b5d7f9e2c4a6b8d0f1e3a";
/** As the shipped stack gives the paperclip container the endpoint (infra/catalog/mcpEndpoint.ts). */
function withMcpAgent(spec: FedoraSpec): void {
  const container = containerOf(spec, "paperclip").container;
  container.Environment!.HARNESS_MCP_URL = `https://${MCP_HOSTNAME}/mcp`;
  container.Environment!.CODEX_HOME = "/etc/harness/codex";
  for (const [target, value] of [
    ["HARNESS_MCP_ACCESS_CLIENT_ID", "0123456789abcdef0123456789abcdef.access"],
    ["HARNESS_MCP_ACCESS_CLIENT_SECRET", "f0e1d2c3b4a5968778695a4b3c2d1e0ff0e1d2c3b4a5968778695a4b3c2d1e0f"],
  ] as const) {
    const name = `paperclip-${target.toLowerCase().replaceAll("_", "-")}`;
    container.Secret!.push({ name, type: "env", target });
    spec.secrets.push({ name, value });
  }
  const drainEnv = spec.configFiles.find((file) => file.path.endsWith("email-drain/drain.env"))!;
  drainEnv.content += `PRODUCER_MCP_KEY=${MCP_PRODUCER_KEY}\n`;
}
const fedora = (mutate: (spec: FedoraSpec) => void = () => {}) => {
  const spec = fedoraSpec();
  withMcpAgent(spec);
  mutate(spec);
  const resources = [...fedoraResources(spec), ...edgeResources(), ...outboxProducerResources()];
  const script = named(resources, "mcp-script").properties;
  script.bindings = [...(script.bindings as unknown[]), { name: "EMAIL_PRODUCER_KEY", type: "secret_text", text: MCP_PRODUCER_KEY }];
  return resources;
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

  test("#7 an agent runtime holding a producer key by its name (the Worker's or the drain's)", async () => {
    const diagnostics = await run(
      policy,
      fedora((spec) => {
        const container = containerOf(spec, "paperclip").container;
        container.Secret!.push({ name: "paperclip-email-producer-key", type: "env", target: "EMAIL_PRODUCER_KEY" });
        spec.secrets.push({ name: "paperclip-email-producer-key", value: "0".repeat(64) });
        container.Environment!.PRODUCER_MCP_KEY = "1".repeat(64);
      }),
    );
    expectViolations(diagnostics, policy, [
      {
        resource: PAPERCLIP,
        message:
          /^paperclip\.container: EMAIL_PRODUCER_KEY \(Secret= in paperclip\.container\) is a mail-queue producer key, with which an agent could sign envelopes/,
      },
      {
        resource: PAPERCLIP,
        message: /^paperclip\.container: PRODUCER_MCP_KEY \(Environment= in paperclip\.container\) is a mail-queue producer key/,
      },
    ]);
  });

  test("#8 an agent runtime holding a producer key's value under another name (the Worker's, or the drain's alone)", async () => {
    const signingKey = (spec: FedoraSpec) => {
      containerOf(spec, "paperclip").container.Secret!.push({ name: "paperclip-signing-key", type: "env", target: "SIGNING_KEY" });
      spec.secrets.push({ name: "paperclip-signing-key", value: MCP_PRODUCER_KEY });
    };
    const message = (holder: string) =>
      new RegExp(
        `^paperclip\\.container: SIGNING_KEY \\(Secret= in paperclip\\.container\\) holds the value of ${holder}, a mail-queue producer key \\(value not shown\\)`,
      );
    const both = await run(policy, fedora(signingKey));
    expectViolations(both, policy, [{ resource: PAPERCLIP, message: message("EMAIL_PRODUCER_KEY of WorkersScript harness-mcp") }]);
    expect(JSON.stringify(both)).not.toContain(MCP_PRODUCER_KEY);
    const withoutWorkerBinding = fedora(signingKey);
    const script = named(withoutWorkerBinding, "mcp-script").properties;
    script.bindings = (script.bindings as { type: string }[]).filter((binding) => binding.type !== "secret_text");
    expectViolations(await run(policy, withoutWorkerBinding), policy, [
      { resource: PAPERCLIP, message: message("PRODUCER_MCP_KEY of email-drain\\.service") },
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
