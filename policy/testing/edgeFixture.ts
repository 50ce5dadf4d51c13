/**
 * A compliant Cloudflare edge as provider-v6 leaf resources: one named tunnel configured by the
 * stack (one ingress rule per hostname, then the 404 catch-all), a proxied CNAME per hostname fed by
 * the tunnel's id, an Access application per hostname with the company's allow policy, and the
 * email queues with the host drain's HTTP-pull consumer.
 */
import type { AnalyzerResource } from "../runAnalyzer";
import { resource, secret, urnOf } from "./wire";

export const CF = {
  tunnel: "cloudflare:index/zeroTrustTunnelCloudflared:ZeroTrustTunnelCloudflared",
  tunnelConfig: "cloudflare:index/zeroTrustTunnelCloudflaredConfig:ZeroTrustTunnelCloudflaredConfig",
  dnsRecord: "cloudflare:index/dnsRecord:DnsRecord",
  accessApplication: "cloudflare:index/zeroTrustAccessApplication:ZeroTrustAccessApplication",
  accessPolicy: "cloudflare:index/zeroTrustAccessPolicy:ZeroTrustAccessPolicy",
  queue: "cloudflare:index/queue:Queue",
  queueConsumer: "cloudflare:index/queueConsumer:QueueConsumer",
};

export const EDGE_HOSTNAMES = ["paperclip.example.com", "chat.example.com", "cockpit.example.com"];
const ACCOUNT = "0123456789abcdef0123456789abcdef";
/** The Zero Trust identity provider (Google Workspace) every people policy requires, as the stack's accessIdentityProviderId does. */
export const IDENTITY_PROVIDER = "2f6b8d0e-4a1c-4e3b-9d5f-7a0c2e4b6d8f";
const TUNNEL_ID = "6ff42ae2-765d-4adf-8112-31c55c1551ef";

export function edgeResources(hostnames: readonly string[] = EDGE_HOSTNAMES): AnalyzerResource[] {
  const tunnelUrn = urnOf(CF.tunnel, "edge-tunnel");
  const policyUrn = urnOf(CF.accessPolicy, "edge-allow-company");
  const outboxUrn = urnOf(CF.queue, "email-outbox");
  const dlqUrn = urnOf(CF.queue, "email-dlq");
  const label = (hostname: string) => hostname.split(".")[0]!;
  return [
    resource(CF.tunnel, "edge-tunnel", {
      accountId: ACCOUNT,
      name: "harness",
      configSrc: "cloudflare",
      tunnelSecret: secret("c2VjcmV0LXR1bm5lbC1zZWNyZXQtZm9yLWZpeHR1cmVzLW9ubHk="),
    }),
    resource(
      CF.tunnelConfig,
      "edge-tunnel-config",
      {
        accountId: ACCOUNT,
        tunnelId: TUNNEL_ID,
        config: {
          ingresses: [
            ...hostnames.map((hostname) => ({ hostname, service: "http://127.0.0.1:80", originRequest: { httpHostHeader: hostname } })),
            { service: "http_status:404" },
          ],
        },
      },
      { propertyDependencies: { tunnelId: [tunnelUrn] } },
    ),
    ...hostnames.map((hostname) =>
      resource(
        CF.dnsRecord,
        `edge-dns-${label(hostname)}`,
        {
          zoneId: "fedcba9876543210fedcba9876543210",
          name: hostname,
          type: "CNAME",
          content: `${TUNNEL_ID}.cfargotunnel.com`,
          proxied: true,
          ttl: 1,
        },
        { propertyDependencies: { content: [tunnelUrn] } },
      ),
    ),
    resource(CF.accessPolicy, "edge-allow-company", {
      accountId: ACCOUNT,
      name: "Company Google Workspace",
      decision: "allow",
      includes: [{ emailDomain: { domain: "example.com" } }],
      requires: [{ loginMethod: { id: IDENTITY_PROVIDER } }],
    }),
    ...hostnames.map((hostname) =>
      resource(
        CF.accessApplication,
        `edge-access-${label(hostname)}`,
        {
          accountId: ACCOUNT,
          name: hostname,
          type: "self_hosted",
          domain: hostname,
          policies: [{ id: "a1b2c3d4-0000-4000-8000-000000000001", precedence: 1 }],
        },
        { propertyDependencies: { policies: [policyUrn] } },
      ),
    ),
    resource(CF.queue, "email-outbox", { accountId: ACCOUNT, queueName: "email_outbox" }),
    resource(CF.queue, "email-dlq", { accountId: ACCOUNT, queueName: "email_dlq" }),
    resource(
      CF.queueConsumer,
      "email-outbox-drain",
      {
        accountId: ACCOUNT,
        queueId: "4c5e1f9a0b2d4e6f8a1c3e5f7a9b1d3f",
        type: "http_pull",
        settings: { maxRetries: 3, visibilityTimeoutMs: 60000 },
        deadLetterQueue: "email_dlq",
      },
      { propertyDependencies: { queueId: [outboxUrn], deadLetterQueue: [dlqUrn] } },
    ),
  ];
}

export const WORKERS = {
  script: "cloudflare:index/workersScript:WorkersScript",
  subdomain: "cloudflare:index/workersScriptSubdomain:WorkersScriptSubdomain",
  customDomain: "cloudflare:index/workersCustomDomain:WorkersCustomDomain",
  route: "cloudflare:index/workersRoute:WorkersRoute",
  serviceToken: "cloudflare:index/zeroTrustAccessServiceToken:ZeroTrustAccessServiceToken",
};

export const MCP_HOSTNAME = "mcp.example.com";

/**
 * The Workers that produce to email_outbox, as the fedora stack declares them: the MCP endpoint on
 * its custom domain behind an Access application (company identities, and a Service Auth policy for
 * the agents' one service token), workers.dev off; and the dead-letter Worker, which has no HTTP
 * surface at all (workers.dev off, no domain).
 */
export function outboxProducerResources(): AnalyzerResource[] {
  const outboxUrn = urnOf(CF.queue, "email-outbox");
  const tokenUrn = urnOf(WORKERS.serviceToken, "mcp-agent-token");
  const peopleUrn = urnOf(CF.accessPolicy, "mcp-access-policy");
  const serviceUrn = urnOf(CF.accessPolicy, "mcp-access-service-policy");
  const applicationUrn = urnOf(CF.accessApplication, "mcp-access-app");
  const mcpScriptUrn = urnOf(WORKERS.script, "mcp-script");
  const dlqScriptUrn = urnOf(WORKERS.script, "dlq-worker-script");
  const outboxBinding = { name: "OUTBOX", type: "queue", queueName: "email_outbox" };
  return [
    resource(WORKERS.serviceToken, "mcp-agent-token", { accountId: ACCOUNT, name: `${MCP_HOSTNAME}: paperclip-agents`, duration: "8760h" }),
    resource(CF.accessPolicy, "mcp-access-policy", {
      accountId: ACCOUNT,
      name: `${MCP_HOSTNAME}: company identities`,
      decision: "allow",
      includes: [{ emailDomain: { domain: "example.com" } }],
      requires: [{ loginMethod: { id: IDENTITY_PROVIDER } }],
    }),
    resource(
      CF.accessPolicy,
      "mcp-access-service-policy",
      {
        accountId: ACCOUNT,
        name: `${MCP_HOSTNAME}: service tokens`,
        decision: "non_identity",
        includes: [{ serviceToken: { tokenId: "b2c3d4e5-0000-4000-8000-000000000002" } }],
      },
      { propertyDependencies: { includes: [tokenUrn] } },
    ),
    resource(
      CF.accessApplication,
      "mcp-access-app",
      {
        accountId: ACCOUNT,
        name: MCP_HOSTNAME,
        type: "self_hosted",
        domain: MCP_HOSTNAME,
        policies: [
          { id: "c3d4e5f6-0000-4000-8000-000000000003", precedence: 1 },
          { id: "d4e5f6a7-0000-4000-8000-000000000004", precedence: 2 },
        ],
      },
      { propertyDependencies: { policies: [peopleUrn, serviceUrn] } },
    ),
    resource(
      WORKERS.script,
      "mcp-script",
      {
        accountId: ACCOUNT,
        scriptName: "harness-mcp",
        mainModule: "mcp-worker.js",
        bindings: [outboxBinding, { name: "ACCESS_AUD", type: "plain_text", text: "a".repeat(64) }],
      },
      { propertyDependencies: { bindings: [outboxUrn, applicationUrn] } },
    ),
    resource(
      WORKERS.subdomain,
      "mcp-subdomain",
      { accountId: ACCOUNT, scriptName: "harness-mcp", enabled: false, previewsEnabled: false },
      { propertyDependencies: { scriptName: [mcpScriptUrn] } },
    ),
    resource(
      WORKERS.customDomain,
      "mcp-domain",
      { accountId: ACCOUNT, zoneId: "fedcba9876543210fedcba9876543210", hostname: MCP_HOSTNAME, service: "harness-mcp" },
      { propertyDependencies: { service: [mcpScriptUrn] }, dependencies: [mcpScriptUrn, applicationUrn, peopleUrn, serviceUrn] },
    ),
    resource(
      WORKERS.script,
      "dlq-worker-script",
      { accountId: ACCOUNT, scriptName: "harness-dlq-worker", mainModule: "dlq-worker.js", bindings: [outboxBinding] },
      { propertyDependencies: { bindings: [outboxUrn] } },
    ),
    resource(
      WORKERS.subdomain,
      "dlq-worker-subdomain",
      { accountId: ACCOUNT, scriptName: "harness-dlq-worker", enabled: false, previewsEnabled: false },
      { propertyDependencies: { scriptName: [dlqScriptUrn] } },
    ),
  ];
}
