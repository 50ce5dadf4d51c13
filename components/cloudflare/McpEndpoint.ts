import * as cloudflare from "@pulumi/cloudflare";
import * as pulumi from "@pulumi/pulumi";
import {
  buildMcpWorkerBundle,
  MCP_PATH,
  MCP_WORKER_BINDINGS,
  MCP_WORKER_COMPATIBILITY_DATE,
  MCP_WORKER_MAIN_MODULE,
} from "../../apps/mcp-worker/bundle";
import type { SenderRulesConfig } from "../../apps/mcp-worker/src/senderRules";
import { AccessGate } from "./AccessGate";

export interface McpEndpointArgs {
  accountId: pulumi.Input<string>;
  /** Zone of `hostname`; the Worker's custom domain creates its DNS record there. */
  zoneId: pulumi.Input<string>;
  /** `mcp.<domain>`. */
  hostname: string;
  scriptName: string;
  /** `<team>` of `<team>.cloudflareaccess.com`: the issuer the Worker verifies Access tokens against. */
  accessTeam: pulumi.Input<string>;
  /** Who may pass the gate by login (see AccessGate); people send as their own address in `personDomains`. */
  emailDomains: readonly string[];
  identityProviderId?: string;
  sessionDuration?: pulumi.Input<string>;
  /** The run ledger's D1 UUID, once migrated. */
  ledgerDatabaseId: pulumi.Input<string>;
  /** `email_outbox`: what `email_send` produces to. */
  outboxQueueName: pulumi.Input<string>;
  /** Domains whose people may send as themselves. */
  personDomains: readonly string[];
  /** The ledger name of the agents' service token and the exact addresses it may send as. */
  agentActor: string;
  agentSenders: readonly string[];
  /** The Worker's producer key on `email_outbox` (64 hex, secret): the drain sends only the envelopes it signs. */
  producerKey: pulumi.Input<string>;
  /** The Worker's module. Default: `buildMcpWorkerBundle()` (apps/mcp-worker). */
  content?: pulumi.Input<string>;
}

/**
 * The company's MCP endpoint (apps/mcp-worker) on its own hostname: the Worker with its ledger and
 * outbox bindings, served on a custom domain behind an Access application that admits the company's
 * people by login and the agents by one service token (created here, included in this application's
 * policy only). No workers.dev hostname: nothing reaches the Worker except through Access, and the
 * Worker checks the Access token again.
 */
export class McpEndpoint extends pulumi.ComponentResource {
  /** `https://<hostname>/mcp`. */
  readonly url: string;
  readonly scriptName: pulumi.Output<string>;
  /** The agents' service token: sent as `CF-Access-Client-Id` / `CF-Access-Client-Secret`. */
  readonly serviceTokenClientId: pulumi.Output<string>;
  readonly serviceTokenClientSecret: pulumi.Output<string>;

  constructor(name: string, args: McpEndpointArgs, opts?: pulumi.ComponentResourceOptions) {
    super("harness:cloudflare:McpEndpoint", name, {}, opts);
    this.url = `https://${args.hostname}${MCP_PATH}`;

    const serviceToken = new cloudflare.ZeroTrustAccessServiceToken(
      `${name}-agent-token`,
      // One year, Cloudflare's default, written down: rotate with clientSecretVersion before it lapses.
      { accountId: args.accountId, name: `${args.hostname}: ${args.agentActor}`, duration: "8760h" },
      { parent: this, additionalSecretOutputs: ["clientSecret"] },
    );

    const gate = new AccessGate(
      `${name}-access`,
      {
        accountId: args.accountId,
        hostname: args.hostname,
        emailDomains: args.emailDomains,
        ...(args.identityProviderId === undefined ? {} : { identityProviderId: args.identityProviderId }),
        ...(args.sessionDuration === undefined ? {} : { sessionDuration: args.sessionDuration }),
        serviceTokenIds: [serviceToken.id],
      },
      { parent: this },
    );

    const senderRules = serviceToken.clientId.apply((clientId) =>
      JSON.stringify({
        personDomains: [...args.personDomains],
        serviceTokens: { [clientId]: { actor: args.agentActor, senders: [...args.agentSenders] } },
      } satisfies SenderRulesConfig),
    );

    const script = new cloudflare.WorkersScript(
      `${name}-script`,
      {
        accountId: args.accountId,
        scriptName: args.scriptName,
        content: args.content ?? buildMcpWorkerBundle(),
        mainModule: MCP_WORKER_MAIN_MODULE,
        compatibilityDate: MCP_WORKER_COMPATIBILITY_DATE,
        bindings: [
          { ...MCP_WORKER_BINDINGS.ledgerDatabase, id: args.ledgerDatabaseId },
          { ...MCP_WORKER_BINDINGS.outboxQueue, queueName: args.outboxQueueName },
          { ...MCP_WORKER_BINDINGS.accessIssuer, text: pulumi.interpolate`https://${args.accessTeam}.cloudflareaccess.com` },
          { ...MCP_WORKER_BINDINGS.accessAudience, text: gate.aud },
          { ...MCP_WORKER_BINDINGS.senderRules, text: senderRules },
          { ...MCP_WORKER_BINDINGS.producerKey, text: pulumi.secret(args.producerKey) },
        ],
      },
      { parent: this },
    );

    new cloudflare.WorkersScriptSubdomain(
      `${name}-subdomain`,
      { accountId: args.accountId, scriptName: script.scriptName, enabled: false, previewsEnabled: false },
      { parent: this },
    );

    // The hostname (and its DNS record, which the custom domain creates) exists only once its gate does.
    new cloudflare.WorkersCustomDomain(
      `${name}-domain`,
      { accountId: args.accountId, zoneId: args.zoneId, hostname: args.hostname, service: script.scriptName },
      { parent: this, dependsOn: [gate] },
    );

    this.scriptName = script.scriptName;
    this.serviceTokenClientId = serviceToken.clientId;
    this.serviceTokenClientSecret = pulumi.secret(serviceToken.clientSecret);
    this.registerOutputs({ url: this.url, scriptName: this.scriptName, serviceTokenClientId: this.serviceTokenClientId });
  }
}
