/**
 * The Cloudflare edge in the whole fedora stack, as `npm run check -- fedora` records and judges it.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkStack } from "../cli/checkStack";
import { offlineTunnelToken } from "../cli/engine/offlineMocks";
import { recordStack } from "../cli/engine/recordStack";
import { readProjectFile, readStackSettings } from "../cli/engine/stackSettings";
import { planStack, type StackPlan } from "../cli/planStack";
import { requireTool } from "../cli/validators/testSupport";
import { AGENT_MCP_CONFIG, MCP_ENDPOINT_ENV } from "../infra/catalog/mcpEndpoint";
import { ConfigError } from "../infra/config";
import { CF, isSecret, unsecret } from "./support/recordComponents";

const root = join(__dirname, "..");
let outRoot: string;
let fedora: StackPlan;

beforeAll(async () => {
  outRoot = mkdtempSync(join(tmpdir(), "fedora-edge-"));
  fedora = await planStack(root, "fedora", outRoot);
});
afterAll(() => rmSync(outRoot, { recursive: true, force: true }));

const resources = () => fedora.recording.resources;
const ofType = (type: string) => resources().filter((r) => r.type === type);
const named = (name: string) => resources().find((r) => r.name === name)!;

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

describe("the fedora stack's Cloudflare edge", () => {
  it("declares the tunnel, its config, a record and a gate per public hostname, the queues, consumers, databases and Worker", () => {
    const hostnames = fedora.plan.outputs as { publicUrls: string[] };
    const publicCount = hostnames.publicUrls.length;
    expect(publicCount).toBeGreaterThan(0);
    const counts = Object.fromEntries(Object.entries(CF).map(([role, type]) => [role, ofType(type).length]));
    expect(counts).toEqual({
      tunnel: 1,
      tunnelConfig: 1,
      // + the mail domain in the zone: MX, SPF, DKIM, DMARC (docs/mail.md §DNS)
      dnsRecord: publicCount + 4,
      // + the MCP endpoint's application, its people's and its service tokens' policies
      accessApplication: publicCount + 1,
      accessPolicy: publicCount + 2,
      queue: 2,
      queueConsumer: 2,
      d1Database: 2,
      // the dead-letter Worker and the MCP Worker
      workersScript: 2,
      workersCronTrigger: 1,
      workersScriptSubdomain: 2,
      workersCustomDomain: 1,
      accessServiceToken: 1,
    });
    for (const type of Object.values(CF)) expect(fedora.tree).toContain(type);
  });

  it("publishes the four mail records of the domain in its zone, the DKIM one from the generated key", () => {
    const mail = ofType(CF.dnsRecord)
      .map((r) => unsecret(r.inputs) as Record<string, unknown>)
      .filter((r) => r.type !== "CNAME")
      .map((r) => `${String(r.type)} ${String(r.name)} ${String(r.content).slice(0, 30)}`)
      .sort();
    expect(mail).toEqual([
      "MX sodimo.eu mail.sodimo.eu",
      'TXT _dmarc.sodimo.eu "v=DMARC1; p=quarantine"',
      'TXT dkim._domainkey.sodimo.eu "v=DKIM1; k=rsa; p=MIIBIjANBgk',
      'TXT sodimo.eu "v=spf1 mx -all"',
    ]);
  });

  it("uses only the v6 classes, all through the stack's own provider", () => {
    const cloudflare = resources().filter((r) => r.type.startsWith("cloudflare:"));
    // With the edge's classes, the off-site backups' bucket and the token scoped to it (docs/backups.md).
    const v6 = new Set<string>([...Object.values(CF), "cloudflare:index/r2Bucket:R2Bucket", "cloudflare:index/apiToken:ApiToken"]);
    expect(cloudflare.filter((r) => !v6.has(r.type)).map((r) => r.type)).toEqual([]);
    const provider = named("cloudflare");
    expect(provider.type).toBe("pulumi:providers:cloudflare");
    for (const resource of cloudflare) expect(resource.provider?.startsWith(`${provider.urn}::`), resource.name).toBe(true);
  });

  it("binds the Worker to the run ledger only once its migrations are applied", () => {
    const script = named("dlq-worker-script");
    expect(script.dependencies).toContain(named("d1-ledger-migrations").urn);
    const bindings = unsecret(script.inputs.bindings) as Array<{ name: string; id?: string }>;
    expect(bindings.find((b) => b.name === "DB")?.id).toBe(
      (fedora.plan.outputs as { cloudflare: { ledgerDatabaseId: string } }).cloudflare.ledgerDatabaseId,
    );
  });

  it("serves the MCP Worker on mcp.<domain> only behind its Access application, which admits people and the agents' token", () => {
    const script = named("mcp-script");
    const bindings = Object.fromEntries(
      (unsecret(script.inputs.bindings) as Array<Record<string, unknown> & { name: string }>).map((b) => [b.name, b]),
    );
    const application = named("mcp-access-app");
    const cloudflare = (fedora.plan.outputs as { cloudflare: { ledgerDatabaseId: string; mcpEndpoint: string } }).cloudflare;
    expect(script.dependencies).toContain(named("d1-ledger-migrations").urn);
    expect(bindings["DB"]).toMatchObject({ type: "d1", id: cloudflare.ledgerDatabaseId });
    expect(bindings["OUTBOX"]).toMatchObject({ type: "queue", queueName: "email_outbox" });
    expect(bindings["ACCESS_ISSUER"]).toMatchObject({ type: "plain_text", text: "https://sodimo.cloudflareaccess.com" });
    expect(bindings["ACCESS_AUD"]).toMatchObject({ type: "plain_text", text: expect.stringMatching(/^[0-9a-f]{64}$/) });
    // The producer key is a secret binding (never plain text in a plan) of 32 generated bytes.
    expect(bindings["EMAIL_PRODUCER_KEY"]).toMatchObject({ type: "secret_text", text: expect.stringMatching(/^[0-9a-f]{64}$/) });
    const token = named("mcp-agent-token");
    const rules = JSON.parse(String(bindings["SENDER_RULES"]?.["text"])) as {
      personDomains: string[];
      serviceTokens: Record<string, unknown>;
    };
    expect(Object.values(rules.serviceTokens)).toEqual([{ actor: "paperclip-agents", senders: ["agents@sodimo.eu"] }]);
    expect(Object.keys(rules.serviceTokens)[0]).toMatch(/^[0-9a-f]{32}\.access$/);
    expect(cloudflare.mcpEndpoint).toBe("https://mcp.sodimo.eu/mcp");

    expect(unsecret(application.inputs)).toMatchObject({ type: "self_hosted", domain: "mcp.sodimo.eu" });
    const policies = unsecret(application.inputs.policies) as Array<{ id: string; precedence: number }>;
    const people = named("mcp-access-policy");
    const service = named("mcp-access-service-policy");
    expect(policies.map((p) => p.precedence)).toEqual([1, 2]);
    expect(application.dependencies).toEqual(expect.arrayContaining([people.urn, service.urn]));
    expect(unsecret(people.inputs)).toMatchObject({ decision: "allow" });
    expect(unsecret(service.inputs)).toMatchObject({
      decision: "non_identity",
      includes: [{ serviceToken: { tokenId: expect.any(String) } }],
    });
    expect(service.dependencies).toContain(token.urn);

    const domain = named("mcp-domain");
    expect(unsecret(domain.inputs)).toMatchObject({ hostname: "mcp.sodimo.eu", service: "harness-mcp" });
    expect(domain.dependencies).toEqual(expect.arrayContaining([application.urn, people.urn, service.urn, script.urn]));
    expect(unsecret(named("mcp-subdomain").inputs)).toMatchObject({ enabled: false, previewsEnabled: false });
  });

  it("gives the Paperclip container the endpoint: its URL, the agents' service token as Podman secrets fed by the token, the CLIs' files", () => {
    const unit = unsecret(named("harness-file-paperclip.container").inputs.stdin) as string;
    expect(unit).toContain(`\nEnvironment=${MCP_ENDPOINT_ENV.url}=https://mcp.sodimo.eu/mcp\n`);
    expect(unit).toContain(`\nEnvironment=CODEX_HOME=${AGENT_MCP_CONFIG.codexHome}\n`);
    const token = named("mcp-agent-token");
    for (const [variable, half] of [
      [MCP_ENDPOINT_ENV.clientId, "id"],
      [MCP_ENDPOINT_ENV.clientSecret, "secret"],
    ] as const) {
      const podmanSecret = `paperclip-harness-mcp-access-client-${half}`;
      expect(unit).toContain(`\nSecret=${podmanSecret},type=env,target=${variable}\n`);
      // The value is the service token's own output, on the secret's stdin, never in the unit.
      const created = named(`harness-secret-${podmanSecret}`);
      expect(created.propertyDependencies?.stdin).toEqual([token.urn]);
      expect(isSecret(created.inputs.stdin)).toBe(true);
    }
    for (const [file, mountPath] of [
      ["mcp-claude.json", AGENT_MCP_CONFIG.claudeFile],
      ["codex-config.toml", `${AGENT_MCP_CONFIG.codexHome}/config.toml`],
    ]) {
      expect(unit).toContain(`\nVolume=%h/.config/harness/paperclip/${file}:${mountPath}:ro,Z\n`);
      const text = unsecret(named(`harness-file-paperclip-${file}`).inputs.stdin) as string;
      expect(text).toContain(MCP_ENDPOINT_ENV.clientSecret);
    }
    expect(unsecret(named("harness-file-paperclip-codex-config.toml").inputs.stdin)).toContain('url = "https://mcp.sodimo.eu/mcp"');
  });

  it("outputs what the drain and the ETL need, and no secret", () => {
    const outputs = (fedora.plan.outputs as { cloudflare: Record<string, unknown> }).cloudflare;
    expect(Object.keys(outputs).sort()).toEqual([
      "accessHostnames",
      "accountId",
      "backupBucket",
      "deadLetterQueueId",
      "deadLetterWorker",
      "etlDatabaseId",
      "ledgerDatabaseId",
      "mailDns",
      "mcpEndpoint",
      "mcpWorker",
      "outboxQueueId",
      "tunnelId",
    ]);
    expect(outputs.outboxQueueId).toMatch(/^[0-9a-f]{32}$/);
    expect(outputs.deadLetterQueueId).toMatch(/^[0-9a-f]{32}$/);
  });

  it("passes check: the migration scripts through shellcheck, the tunnel config parsed", async (context) => {
    requireTool(context, "shellcheck");
    requireTool(context, "quadlet");
    requireTool(context, "caddy");
    const report = await checkStack(fedora);
    // The shipped stack has never exported its keys: the escrow notice is the one advisory (docs/backups.md).
    expect(report.results.filter((r) => r.status !== "passed").map((r) => `${r.validator}: ${r.status}`)).toEqual([
      "notice:escrow: warned",
    ]);
    const edgeResults = report.results.filter((r) => r.target.startsWith("cloudflare/")).map((r) => `${r.validator} ${r.target}`);
    expect(edgeResults.sort()).toEqual([
      "json-parse cloudflare/tunnel/tunnel-config.json",
      "shellcheck cloudflare/d1/harness-etl/apply-migrations.sh",
      "shellcheck cloudflare/d1/harness-run-ledger/apply-migrations.sh",
    ]);
  });

  it("keeps the tunnel secret, the tunnel token and the API token out of the plan, the artifacts and the output", async () => {
    const tunnelSecret = unsecret(named("tunnel-tunnel").inputs.tunnelSecret) as string;
    const apiToken = unsecret(named("cloudflare").inputs.apiToken) as string;
    const produced = fedora.recording.producedSecrets;
    // The offline provider fabricated them, so a leak would show up below.
    expect(produced).toContain(tunnelSecret);
    expect(fedora.recording.secretConfigValues).toContain(apiToken);
    const tunnelId = (fedora.plan.outputs as { cloudflare: { tunnelId: string } }).cloudflare.tunnelId;
    const tunnelToken = offlineTunnelToken("fedora", tunnelId);
    expect(produced).toContain(tunnelToken);

    const report = await checkStack(fedora);
    const texts: Array<[string, string]> = [
      ["preview tree", fedora.tree],
      ["check report", report.text],
      ...filesUnder(fedora.outDir).map((path): [string, string] => [relative(outRoot, path), readFileSync(path, "utf8")]),
    ];
    const secrets = [tunnelSecret, tunnelToken, apiToken, ...produced, ...fedora.recording.secretConfigValues];
    // Name the leak by where it is and which secret it is, never by its value.
    const leaks = texts.flatMap(([where, text]) => secrets.flatMap((s, i) => (text.includes(s) ? [`${where}: secret #${i}`] : [])));
    expect(leaks).toEqual([]);
  });

  it("declares nothing, and says what to set, when no identity may pass Access", async () => {
    const project = readProjectFile(root);
    const settings = readStackSettings(root, project, "fedora");
    const values = { ...settings.config };
    delete values["paperclip-harness:accessEmailDomains"];
    delete values["paperclip-harness:accessIdentityProviderId"];
    const attempt = recordStack({ root, stack: "fedora", config: { values, secretKeys: settings.secretKeys } });
    await expect(attempt).rejects.toSatisfy(ConfigError.isConfigError);
    await expect(attempt).rejects.toThrow(
      [
        "stacks/Pulumi.fedora.yaml: 1 configuration problem:",
        "  - paperclip-harness:accessEmailDomains: missing: Access needs the company's identities for every public hostname; set accessEmailDomains (such as [sodimo.eu]) and/or accessIdentityProviderId",
      ].join("\n"),
    );
  });
});
