/**
 * The edge is derived from the catalogue: these tests run the program's own functions (planFedora →
 * deployCloudflareEdge, on the shipped fedora stack's configuration) with catalogues of one service
 * more or less, and show that a public route, its DNS record and its Access gate come and go together.
 */
import * as pulumi from "@pulumi/pulumi";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { fakeHexId, fakeUuid, offlineTunnelToken } from "../../../cli/engine/offlineMocks";
import type { RecordedResource } from "../../../cli/engine/RecordingMonitor";
import { readProjectFile, readStackSettings } from "../../../cli/engine/stackSettings";
import { CF, recordComponents, unsecret } from "../../../test/support/recordComponents";
import { CATALOG } from "../../catalog";
import type { ServiceDefinition } from "../../catalog/types";
import { ConfigError } from "../../config/ConfigError";
import type { ServiceOverride } from "../../config/keys/fedora";
import { parseStackConfig, type ConfigValues } from "../../config/parse";
import { planFedora } from "../fedora";
import { deployCloudflareEdge, EDGE_PROVIDED_SECRETS, planCloudflareEdge, type CloudflareEdge } from "./edge";

const P = "paperclip-harness:";
const ROOT = join(__dirname, "../../..");

/** The shipped fedora stack's configuration, as the offline engine hands it to the program, with changes. */
function config(values: Record<string, string> = {}, removed: readonly string[] = []): ConfigValues {
  const settings = readStackSettings(ROOT, readProjectFile(ROOT), "fedora");
  const merged: Record<string, string> = { ...settings.config, ...values };
  for (const key of removed) delete merged[`${P}${key}`];
  return parseStackConfig({ stack: "fedora", values: merged, secretKeys: new Set(settings.secretKeys), implementedTargets: ["fedora"] });
}

/** A cloudflared service, as a catalogue file would declare it. */
const publicService =
  (name: string, subdomain: string, port: number): ServiceDefinition =>
  () => ({
    name,
    description: `${name} (test)`,
    image: `ghcr.io/example/${name}:1.0.0`,
    ports: [{ container: port, host: port, posture: "cloudflared" }],
    route: { subdomain, upstream: { port } },
    restart: "always",
  });

const internalService: ServiceDefinition = () => ({
  name: "test-internal",
  description: "no public route",
  image: "ghcr.io/example/test-internal:1.0.0",
  restart: "always",
});

const wiki = publicService("test-wiki", "test-wiki", 8080);
const board = publicService("test-board", "test-board", 3300);

/** The edge of the fedora stack for a catalogue, recorded as the program declares it. */
async function edgeFor(definitions: readonly ServiceDefinition[], overrides: Record<string, ServiceOverride> = {}) {
  const values = config(Object.keys(overrides).length > 0 ? { [`${P}services`]: JSON.stringify(overrides) } : {});
  const plan = planFedora(values, { definitions });
  const recording = await recordComponents(() => {
    deployCloudflareEdge(plan.edge, { apiToken: values.cloudflareApiToken! });
  });
  return { plan, resources: recording.resources };
}

interface HostnameEdge {
  rules: string[];
  records: string[];
  applications: string[];
  policies: string[];
}

/** What the edge routes, resolves and gates, by hostname. */
function hostnamesOf(resources: readonly RecordedResource[]): HostnameEdge {
  const ofType = (type: string) => resources.filter((r) => r.type === type).map((r) => unsecret(r.inputs) as Record<string, any>);
  const [tunnelConfig] = ofType(CF.tunnelConfig);
  return {
    rules: (tunnelConfig!.config.ingresses as Array<{ hostname?: string }>).flatMap((rule) => (rule.hostname ? [rule.hostname] : [])),
    // The hostnames' CNAMEs; the mail domain's MX and TXT records are the mail DNS's (mailDnsPlan.test.ts).
    records: ofType(CF.dnsRecord)
      .filter((r) => r.type === "CNAME")
      .map((r) => r.name as string),
    applications: ofType(CF.accessApplication).map((a) => a.domain as string),
    policies: ofType(CF.accessPolicy).map((p) => (p.name as string).replace(/: (company identities|service tokens)$/, "")),
  };
}

const sorted = (values: readonly string[]) => [...values].sort();
const MCP_HOSTNAME = "mcp.sodimo.eu";
/** The public hostnames of the shipped catalogue, whatever it holds. */
const shipped = () => planFedora(config()).catalog.routes.map((route) => route.hostname);

interface CatalogueCase {
  case: string;
  definitions: readonly ServiceDefinition[];
  overrides: Record<string, ServiceOverride>;
  /** Public hostnames besides the shipped catalogue's, in catalogue order. */
  added: string[];
}

describe("the edge follows the catalogue", () => {
  it.each<CatalogueCase>([
    { case: "the shipped catalogue", definitions: CATALOG, overrides: {}, added: [] },
    { case: "one public service more", definitions: [...CATALOG, wiki], overrides: {}, added: ["test-wiki.sodimo.eu"] },
    {
      case: "two public services more",
      definitions: [...CATALOG, wiki, board],
      overrides: {},
      added: ["test-wiki.sodimo.eu", "test-board.sodimo.eu"],
    },
    { case: "a service without a route", definitions: [...CATALOG, internalService], overrides: {}, added: [] },
    {
      case: "the added service disabled by an override",
      definitions: [...CATALOG, wiki],
      overrides: { "test-wiki": { disabled: true } },
      added: [],
    },
    {
      case: "the added service on another subdomain",
      definitions: [...CATALOG, wiki],
      overrides: { "test-wiki": { subdomain: "notes" } },
      added: ["notes.sodimo.eu"],
    },
  ])("$case: every hostname has its rule, its record and its gate, and nothing else has any", async ({ definitions, overrides, added }) => {
    const hostnames = [...shipped(), ...added];
    expect(shipped()).toContain("paperclip.sodimo.eu");
    const edge = hostnamesOf((await edgeFor(definitions, overrides)).resources);
    expect(edge.rules).toEqual(hostnames);
    expect(sorted(edge.records)).toEqual(sorted(hostnames));
    // The MCP endpoint is a Worker on its own hostname, not a tunnel route: gated by Access (people's
    // policy and the agents' service-token policy), its record made by the Workers custom domain.
    expect(sorted(edge.applications)).toEqual(sorted([...hostnames, MCP_HOSTNAME]));
    expect(sorted(edge.policies)).toEqual(sorted([...hostnames, MCP_HOSTNAME, MCP_HOSTNAME]));
  });

  it("adding a public service adds exactly its gate and record, and one rule; removing it takes exactly those away", async () => {
    const before = (await edgeFor(CATALOG)).resources;
    const after = (await edgeFor([...CATALOG, wiki])).resources;
    const key = (r: RecordedResource) => `${r.type} ${r.name}`;
    const beforeKeys = new Set(before.map(key));
    const afterKeys = new Set(after.map(key));
    expect([...afterKeys].filter((k) => !beforeKeys.has(k)).sort()).toEqual([
      `${CF.dnsRecord} tunnel-test-wiki-record`,
      `${CF.accessApplication} tunnel-test-wiki-access-app`,
      `${CF.accessPolicy} tunnel-test-wiki-access-policy`,
      "harness:cloudflare:AccessGate tunnel-test-wiki-access",
      "harness:cloudflare:PublicHostname tunnel-test-wiki",
    ]);
    expect([...beforeKeys].filter((k) => !afterKeys.has(k))).toEqual([]);
    // Everything else is declared identically; the only changed input is the config's rule list.
    const inputsByKey = (resources: readonly RecordedResource[]) =>
      new Map(resources.map((r) => [key(r), JSON.stringify(unsecret(r.inputs))]));
    const beforeInputs = inputsByKey(before);
    const changed = [...inputsByKey(after)].filter(([k, v]) => beforeInputs.has(k) && beforeInputs.get(k) !== v).map(([k]) => k);
    expect(changed).toEqual([`${CF.tunnelConfig} tunnel-config`]);
    expect(hostnamesOf(after).rules).toEqual([...shipped(), "test-wiki.sodimo.eu"]);
  });
});

describe("planCloudflareEdge", () => {
  const routes = [{ service: "paperclip", hostname: "paperclip.sodimo.eu", upstream: "paperclip:3100", paths: [] }];

  it("defaults the weekly summary to admin@ and harness@ the domain", () => {
    const { plan, problems } = planCloudflareEdge(config({}, ["deadLetterSummaryTo", "deadLetterSummaryFrom", "accessSessionDuration"]), {
      routes,
    });
    expect(problems).toEqual([]);
    expect(plan.deadLetterSummary).toEqual({ to: "admin@sodimo.eu", from: "harness@sodimo.eu" });
    expect(plan.hostnames).toEqual([{ service: "paperclip", hostname: "paperclip.sodimo.eu" }]);
    expect(plan.sessionDuration).toBe("24h");
    expect(plan.databases.map((d) => [d.role, d.databaseName, d.protect])).toEqual([
      ["ledger", "harness-run-ledger", true],
      ["etl", "harness-etl", false],
    ]);
  });

  it("takes the configured summary addresses and identity provider", () => {
    const { plan } = planCloudflareEdge(
      config({
        [`${P}deadLetterSummaryTo`]: "ops@sodimo.eu",
        [`${P}deadLetterSummaryFrom`]: "dlq@sodimo.eu",
        [`${P}accessIdentityProviderId`]: "7c3e5a1f-2b4d-4f6a-8c0e-1d3f5b7a9c2e",
      }),
      { routes },
    );
    expect(plan.deadLetterSummary).toEqual({ to: "ops@sodimo.eu", from: "dlq@sodimo.eu" });
    expect(plan.identityProviderId).toBe("7c3e5a1f-2b4d-4f6a-8c0e-1d3f5b7a9c2e");
  });

  it("accepts an identity provider alone, or with email domains", () => {
    expect(planCloudflareEdge(config({}, ["accessEmailDomains"]), { routes }).problems).toEqual([]);
    expect(planCloudflareEdge(config(), { routes }).problems).toEqual([]);
  });

  const REASON = "No Google Workspace yet; PINs to company mailboxes until 2027-03.";

  it("refuses a domain-only gate unless the stack says why", () => {
    expect(planCloudflareEdge(config({}, ["accessIdentityProviderId"]), { routes }).problems).toEqual([
      {
        key: `${P}accessIdentityProviderId`,
        expected: expect.stringMatching(
          /^missing: Access requires a login through the company's identity provider by default \(a domain-only gate admits any login method the account offers, a one-time PIN included\); set accessIdentityProviderId, or set accessDomainOnlyReason/,
        ),
      },
    ]);
    const optedOut = planCloudflareEdge(config({ [`${P}accessDomainOnlyReason`]: REASON }, ["accessIdentityProviderId"]), { routes });
    expect(optedOut.problems).toEqual([]);
    expect(optedOut.plan.identityProviderId).toBeUndefined();
  });

  it("refuses a domain-only reason beside an identity provider, and a reason that says nothing", () => {
    expect(planCloudflareEdge(config({ [`${P}accessDomainOnlyReason`]: REASON }), { routes }).problems).toEqual([
      {
        key: `${P}accessDomainOnlyReason`,
        found: JSON.stringify(REASON),
        expected: "no reason: accessIdentityProviderId is set, so the gate is not domain-only; remove one of the two",
      },
    ]);
    expect(() => config({ [`${P}accessDomainOnlyReason`]: "because" }, ["accessIdentityProviderId"])).toThrow(
      /accessDomainOnlyReason = "because": expected a sentence saying why the gate may be domain-only \(at least 20 characters\)/,
    );
  });

  it("plans the MCP endpoint on mcp.<domain>, agents sending as agents@<domain>, people of the mail domains", () => {
    const values = config({}, ["mcpAgentSenders"]);
    const { plan, problems } = planCloudflareEdge(values, { routes });
    expect(problems).toEqual([]);
    expect(values.mailDomains).toContain("sodimo.eu");
    expect(plan.mcp).toEqual({
      hostname: MCP_HOSTNAME,
      scriptName: "harness-mcp",
      personDomains: values.mailDomains,
      agentActor: "paperclip-agents",
      agentSenders: ["agents@sodimo.eu"],
    });
  });

  it("reports agents' senders the drain would not send for, and a route on the MCP endpoint's hostname", () => {
    const { problems } = planCloudflareEdge(
      config({ [`${P}mcpAgentSenders`]: JSON.stringify(["agents@sodimo.eu", "bot@elsewhere.example"]) }),
      {
        routes: [...routes, { service: "wiki", hostname: MCP_HOSTNAME, upstream: "wiki:80", paths: [] }],
      },
    );
    expect(problems).toEqual([
      {
        key: `${P}mcpAgentSenders`,
        found: '["bot@elsewhere.example"]',
        expected: expect.stringMatching(/^addresses of the mail domains \(.*sodimo\.eu.*\): the drain sends only for those/),
      },
      { key: `${P}services.wiki.subdomain`, found: '"mcp"', expected: "another subdomain: mcp.sodimo.eu is the MCP endpoint's" },
    ]);
  });

  it("reports a stack that names no identity for Access", () => {
    const { problems } = planCloudflareEdge(config({}, ["accessEmailDomains", "accessIdentityProviderId"]), { routes });
    expect(new ConfigError("stacks/Pulumi.fedora.yaml", problems).message).toBe(
      [
        "stacks/Pulumi.fedora.yaml: 1 configuration problem:",
        "  - paperclip-harness:accessEmailDomains: missing: Access needs the company's identities for every public hostname; set accessEmailDomains (such as [sodimo.eu]) and/or accessIdentityProviderId",
      ].join("\n"),
    );
  });
});

describe("deployCloudflareEdge", () => {
  it("provides the tunnel token and the ids the drain and the ETL need, by their provided(...) names, as secrets", async () => {
    const values = config();
    const routes = [{ service: "paperclip", hostname: "paperclip.sodimo.eu", upstream: "paperclip:3100", paths: [] }];
    let edge: CloudflareEdge | undefined;
    const recording = await recordComponents(() => {
      edge = deployCloudflareEdge(planCloudflareEdge(values, { routes }).plan, { apiToken: values.cloudflareApiToken! });
    }, "fedora");
    const resolve = (output: pulumi.Output<string>) =>
      Promise.all([new Promise<string>((done) => output.apply((v) => done(v))), pulumi.isSecret(output)]);
    const provided = Object.fromEntries(
      await Promise.all([...edge!.providedSecrets].map(async ([name, output]) => [name, await resolve(output)] as const)),
    );
    const tunnelId = recording.resources.find((r) => r.name === "tunnel-config")!.inputs.tunnelId as string;
    expect(provided).toEqual({
      [EDGE_PROVIDED_SECRETS.tunnelToken]: [offlineTunnelToken("fedora", tunnelId), true],
      [EDGE_PROVIDED_SECRETS.accountId]: ["5d1c7a3e9b2f4e6a8c0d1b3f5a7e9c2d", true],
      [EDGE_PROVIDED_SECRETS.outboxQueueId]: [fakeHexId(`fedora/${CF.queue}/email-queues-outbox`), true],
      [EDGE_PROVIDED_SECRETS.deadLetterQueueId]: [fakeHexId(`fedora/${CF.queue}/email-queues-dlq`), true],
      [EDGE_PROVIDED_SECRETS.etlDatabaseId]: [fakeUuid(`fedora/${CF.d1Database}/d1-etl-database`), true],
      [EDGE_PROVIDED_SECRETS.mcpClientId]: [`${fakeHexId("fedora/client-id/mcp-agent-token")}.access`, true],
      [EDGE_PROVIDED_SECRETS.mcpClientSecret]: [expect.stringMatching(/^[0-9a-f]{64}$/), true],
      // The off-site backups (docs/backups.md): R2's S3 credentials are the token's id and the SHA-256 of its value.
      "backup-offsite-repository": ["s3:https://5d1c7a3e9b2f4e6a8c0d1b3f5a7e9c2d.r2.cloudflarestorage.com/harness-backups-sodimo-eu", true],
      "backup-r2-access-key-id": [fakeHexId(`fedora/cloudflare:index/apiToken:ApiToken/backup-bucket-token`), true],
      "backup-r2-secret-access-key": [expect.stringMatching(/^[0-9a-f]{64}$/), true],
      [EDGE_PROVIDED_SECRETS.mcpProducerKey]: [expect.stringMatching(/^[0-9a-f]{64}$/), true],
      [EDGE_PROVIDED_SECRETS.dlqProducerKey]: [expect.stringMatching(/^[0-9a-f]{64}$/), true],
    });
    // One key per producer, the same one in its Worker's binding and in the drain's environment.
    expect(provided[EDGE_PROVIDED_SECRETS.mcpProducerKey]?.[0]).not.toBe(provided[EDGE_PROVIDED_SECRETS.dlqProducerKey]?.[0]);
    expect(Object.keys(provided).sort()).toEqual([
      "backup-offsite-repository",
      "backup-r2-access-key-id",
      "backup-r2-secret-access-key",
      "cloudflare-account-id",
      "cloudflare-tunnel-token",
      "email-dlq-queue-id",
      "email-outbox-queue-id",
      "email-producer-key-dlq",
      "email-producer-key-mcp",
      "etl-d1-database-id",
      "mcp-service-token-client-id",
      "mcp-service-token-client-secret",
    ]);
  });
});
