/**
 * The Cloudflare edge of the fedora stack (system.md §5), derived from the resolved catalogue: every
 * public route becomes a PublicHostname of the Tunnel (Access gate, proxied CNAME, ingress rule), so a
 * catalogue service with a route gets all three and one without gets none. Plus the mail queues, the
 * two D1 databases with their migrations, the dead-letter Worker, and the MCP endpoint (the Worker
 * agents and people send mail through, on `mcp.<domain>` behind Access).
 *
 * `planCloudflareEdge` is pure (config + catalogue → plan, or config problems); `deployCloudflareEdge`
 * declares the resources. The fedora target calls both; tests call them with other catalogues.
 */
import * as cloudflare from "@pulumi/cloudflare";
import * as pulumi from "@pulumi/pulumi";
import { listD1Migrations, type D1DatabaseRole, type D1MigrationFile } from "../../../apps/d1/migrations";
import { BackupBucket } from "../../../components/cloudflare/BackupBucket";
import { D1 } from "../../../components/cloudflare/D1";
import { DeadLetterWorker } from "../../../components/cloudflare/DeadLetterWorker";
import { EmailQueues } from "../../../components/cloudflare/EmailQueues";
import { McpEndpoint } from "../../../components/cloudflare/McpEndpoint";
import { MailDns } from "../../../components/cloudflare/MailDns";
import { Tunnel, type TunnelHostname } from "../../../components/cloudflare/Tunnel";
import { DkimKey } from "../../../components/mail/DkimKey";
import { mailDnsRecords, type MailDomainDns, type MailDnsRecord } from "../../../components/mail/mailDnsRecords";
import { DKIM_PRIVATE_KEY_SECRET } from "../../catalog/mail";
import { MCP_SUBDOMAIN } from "../../catalog/mcpEndpoint";
import { BACKUP_OFFSITE_KEY_ID_SECRET, BACKUP_OFFSITE_REPOSITORY_SECRET, BACKUP_OFFSITE_SECRET_KEY_SECRET } from "./backupPlan";
import type { ResolvedCatalog } from "../../catalog/resolveCatalog";
import { displayValue, type ConfigProblem } from "../../config/ConfigError";
import { PROJECT, type ConfigValues } from "../../config/parse";
import { declareGeneratedSecrets } from "../generatedSecrets";

/** The name under which the tunnel token is a provided secret (`provided(...)`) for the host's cloudflared unit. */
export const CLOUDFLARE_TUNNEL_TOKEN_SECRET = "cloudflare-tunnel-token";

/**
 * Everything the edge hands to the host, by the name catalogue entries use in `provided(...)`: the
 * connector token for cloudflared, and the ids the email drain and the nightly ETL call the API with.
 */
export const EDGE_PROVIDED_SECRETS = {
  tunnelToken: CLOUDFLARE_TUNNEL_TOKEN_SECRET,
  accountId: "cloudflare-account-id",
  outboxQueueId: "email-outbox-queue-id",
  deadLetterQueueId: "email-dlq-queue-id",
  etlDatabaseId: "etl-d1-database-id",
  mcpClientId: "mcp-service-token-client-id",
  mcpClientSecret: "mcp-service-token-client-secret",
  mcpProducerKey: "email-producer-key-mcp",
  dlqProducerKey: "email-producer-key-dlq",
} as const;

/** The off-site backup bucket (docs/backups.md) and the restic repository in it. */
export interface BackupBucketPlan {
  bucketName: string;
  /** `s3:https://<account>.r2.cloudflarestorage.com/<bucket>`. */
  repository: string;
}

/**
 * Who sends through the drain, and as whom, by producer (the drain's PRODUCER_<NAME>_SENDERS): the
 * dead-letter Worker as its one summary sender; the MCP Worker as the agents' exact addresses, and as
 * every local part of the person domains, because that Worker lets each person send as their own
 * verified Access address there (docs/email-drain.md §Producers says why this wildcard is the one).
 */
export function emailProducerSenders(config: ConfigValues): {
  mcp: { agentSenders: readonly string[]; personDomains: readonly string[]; drainSenders: readonly string[] };
  dlq: { from: string; drainSenders: readonly string[] };
} {
  const domain = config.domain!;
  const mailDomains = (config.mailDomains ?? [domain]).map((d) => d.toLowerCase());
  // By default the agents send from the stack's domain, or from the first mail domain when the
  // domain is not one (a problem the catalogue reports on its own when a service needs it).
  const agentSenders = config.mcpAgentSenders ?? [`agents@${mailDomains.includes(domain.toLowerCase()) ? domain : mailDomains[0]}`];
  const from = config.deadLetterSummaryFrom ?? `harness@${domain}`;
  return {
    mcp: { agentSenders, personDomains: mailDomains, drainSenders: [...agentSenders, ...mailDomains.map((d) => `*@${d}`)] },
    dlq: { from, drainSenders: [/<([^<>]+)>\s*$/.exec(from)?.[1] ?? from] },
  };
}

export interface McpEndpointPlan {
  hostname: string;
  scriptName: string;
  /** Domains whose people may send as themselves (the mail domains, which the drain allows). */
  personDomains: readonly string[];
  agentActor: string;
  agentSenders: readonly string[];
}

export interface EdgeDatabasePlan {
  role: D1DatabaseRole;
  databaseName: string;
  migrations: readonly D1MigrationFile[];
  protect: boolean;
}

export interface CloudflareEdgePlan {
  accountId: string;
  zoneId: string;
  tunnelName: string;
  /** One per public route of the catalogue, in catalogue order. */
  hostnames: readonly TunnelHostname[];
  accessTeam: string;
  emailDomains: readonly string[];
  identityProviderId?: string;
  sessionDuration: string;
  deadLetterSummary: { to: string; from: string };
  databases: readonly EdgeDatabasePlan[];
  workerScriptName: string;
  mcp: McpEndpointPlan;
  backupBucket?: BackupBucketPlan;
  /** The mail system's DNS and DKIM key, when the stack runs it (./mailDnsPlan.ts). */
  mail?: MailDnsPlan;
}

/** What the edge publishes for the mail host. */
export interface MailDnsPlan {
  /** rspamd signs: the stack generates the DKIM key (and publishes its record beside the others). */
  dkimKey: boolean;
  /** Mail domains in the stack's zone (the domain and names under it): their records are created. */
  inZone: readonly MailDomainDns[];
  /** Mail domains in other zones: their records are a stack output for the operator to publish. */
  elsewhere: readonly MailDomainDns[];
}

/** Names in the Cloudflare account. Queue names are fixed by the system (producers and the drain use them). */
const DATABASE_NAMES: Record<D1DatabaseRole, string> = { ledger: "harness-run-ledger", etl: "harness-etl" };
const WORKER_SCRIPT_NAME = "harness-dlq-worker";
const MCP_SCRIPT_NAME = "harness-mcp";
/** What the run ledger calls the agents' service token. */
const MCP_AGENT_ACTOR = "paperclip-agents";

/** The edge of a stack whose config and catalogue are valid; problems for what only the edge can judge. */
export function planCloudflareEdge(
  config: ConfigValues,
  catalog: Pick<ResolvedCatalog, "routes">,
): { plan: CloudflareEdgePlan; problems: ConfigProblem[] } {
  const domain = config.domain!;
  const problems: ConfigProblem[] = [];
  const emailDomains = config.accessEmailDomains ?? [];
  if (emailDomains.length === 0 && config.accessIdentityProviderId === undefined) {
    problems.push({
      key: `${PROJECT}:accessEmailDomains`,
      expected:
        "missing: Access needs the company's identities for every public hostname; set accessEmailDomains (such as [" +
        `${domain}]) and/or accessIdentityProviderId`,
    });
  } else if (config.accessIdentityProviderId === undefined && config.accessDomainOnlyReason === undefined) {
    // A domain alone admits whoever proves an address of it by any login method the account offers,
    // a one-time PIN mailed to the address included: a mailbox is then a key to every hostname.
    problems.push({
      key: `${PROJECT}:accessIdentityProviderId`,
      expected:
        "missing: Access requires a login through the company's identity provider by default (a domain-only gate admits any login method the account offers, a one-time PIN included); set accessIdentityProviderId, or set accessDomainOnlyReason to say why the gate may be domain-only",
    });
  } else if (config.accessIdentityProviderId !== undefined && config.accessDomainOnlyReason !== undefined) {
    problems.push({
      key: `${PROJECT}:accessDomainOnlyReason`,
      found: displayValue(config.accessDomainOnlyReason),
      expected: "no reason: accessIdentityProviderId is set, so the gate is not domain-only; remove one of the two",
    });
  }

  const mailDomains = (config.mailDomains ?? [domain]).map((d) => d.toLowerCase());
  const senders = emailProducerSenders(config);
  const agentSenders = senders.mcp.agentSenders;
  const outside = agentSenders.filter((sender) => !mailDomains.includes(sender.slice(sender.lastIndexOf("@") + 1).toLowerCase()));
  if (outside.length > 0) {
    problems.push({
      key: `${PROJECT}:mcpAgentSenders`,
      found: displayValue(outside),
      expected: `addresses of the mail domains (${mailDomains.join(", ")}): the drain sends only for those, so mail from any other would be dead-lettered`,
    });
  }
  const mcpHostname = `${MCP_SUBDOMAIN}.${domain}`;
  const taken = catalog.routes.find((route) => route.hostname === mcpHostname);
  if (taken) {
    problems.push({
      key: `${PROJECT}:services.${taken.service}.subdomain`,
      found: displayValue(MCP_SUBDOMAIN),
      expected: `another subdomain: ${mcpHostname} is the MCP endpoint's`,
    });
  }

  const plan: CloudflareEdgePlan = {
    accountId: config.cloudflareAccountId!,
    zoneId: config.cloudflareZoneId!,
    tunnelName: `harness-${domain}`,
    hostnames: catalog.routes.map((route) => ({ service: route.service, hostname: route.hostname })),
    accessTeam: config.cloudflareAccessTeam!,
    emailDomains,
    ...(config.accessIdentityProviderId === undefined ? {} : { identityProviderId: config.accessIdentityProviderId }),
    sessionDuration: config.accessSessionDuration!,
    deadLetterSummary: {
      to: config.deadLetterSummaryTo ?? `admin@${domain}`,
      from: senders.dlq.from,
    },
    databases: listD1Migrations().map((set) => ({
      role: set.database,
      databaseName: DATABASE_NAMES[set.database],
      migrations: set.files,
      // The ledger is the record of every gateway crossing; the ETL's data comes back with the next dump.
      protect: set.database === "ledger",
    })),
    workerScriptName: WORKER_SCRIPT_NAME,
    mcp: { hostname: mcpHostname, scriptName: MCP_SCRIPT_NAME, personDomains: mailDomains, agentActor: MCP_AGENT_ACTOR, agentSenders },
    ...(config.backupOffsite === false ? {} : { backupBucket: backupBucketPlan(config.cloudflareAccountId!, domain) }),
  };
  return { plan, problems };
}

/** R2 bucket names: 3–63 lowercase letters, digits and hyphens. One bucket per stack domain. */
function backupBucketPlan(accountId: string, domain: string): BackupBucketPlan {
  const bucketName = `harness-backups-${domain.toLowerCase().replaceAll(".", "-")}`.slice(0, 63).replace(/-+$/, "");
  return { bucketName, repository: `s3:https://${accountId}.r2.cloudflarestorage.com/${bucketName}` };
}

/** What the rest of the stack uses from the edge. */
export interface CloudflareEdge {
  /** For the host's cloudflared unit (secret). */
  tunnelToken: pulumi.Output<string>;
  accountId: string;
  tunnelId: pulumi.Output<string>;
  /** `email_outbox` and `email_dlq` ids: what the email drain pulls from and dead-letters to. */
  outboxQueueId: pulumi.Output<string>;
  deadLetterQueueId: pulumi.Output<string>;
  /** D1 UUIDs, available once migrated: the ETL's target and the run ledger. */
  etlDatabaseId: pulumi.Output<string>;
  ledgerDatabaseId: pulumi.Output<string>;
  /** The values above by their `provided(...)` names (EDGE_PROVIDED_SECRETS), each a secret Output. */
  providedSecrets: ReadonlyMap<string, pulumi.Output<string>>;
  /** Non-secret facts for the stack outputs. */
  outputs: Record<string, pulumi.Input<unknown>>;
}

export interface CloudflareEdgeOptions {
  /** The operator's scoped API token (config `cloudflareApiToken`). */
  apiToken: pulumi.Input<string>;
}

export function deployCloudflareEdge(plan: CloudflareEdgePlan, options: CloudflareEdgeOptions): CloudflareEdge {
  const apiToken = pulumi.secret(options.apiToken);
  // One explicit provider: every Cloudflare resource uses the stack's own token, never ambient credentials.
  const provider = new cloudflare.Provider("cloudflare", { apiToken });
  const opts: pulumi.ComponentResourceOptions = { providers: [provider] };
  const accountId = plan.accountId;

  const tunnel = new Tunnel(
    "tunnel",
    {
      accountId,
      zoneId: plan.zoneId,
      tunnelName: plan.tunnelName,
      hostnames: plan.hostnames,
      accessTeam: plan.accessTeam,
      emailDomains: plan.emailDomains,
      ...(plan.identityProviderId === undefined ? {} : { identityProviderId: plan.identityProviderId }),
      sessionDuration: plan.sessionDuration,
    },
    opts,
  );

  const queues = new EmailQueues("email-queues", { accountId }, opts);

  // One key per producer of email_outbox, bound into its Worker and handed to the drain (provided secrets).
  const producerKeys = declareGeneratedSecrets(
    [
      { name: EDGE_PROVIDED_SECRETS.mcpProducerKey, description: "The MCP Worker's key for signing email_outbox envelopes." },
      { name: EDGE_PROVIDED_SECRETS.dlqProducerKey, description: "The dead-letter Worker's key for signing email_outbox envelopes." },
    ],
    {},
  );
  const producerKey = (name: string): pulumi.Output<string> => {
    const secret = producerKeys.get(name);
    if (!secret) throw new Error(`no producer key ${name}`);
    return secret.hex;
  };

  const databases = new Map(
    plan.databases.map((database) => [
      database.role,
      new D1(
        `d1-${database.role}`,
        { accountId, databaseName: database.databaseName, migrations: database.migrations, apiToken, protect: database.protect },
        opts,
      ),
    ]),
  );
  const ledger = databases.get("ledger");
  const etl = databases.get("etl");
  if (!ledger || !etl) throw new Error("the edge plan must have a ledger and an etl database");

  const worker = new DeadLetterWorker(
    "dlq-worker",
    {
      accountId,
      scriptName: plan.workerScriptName,
      ledgerDatabaseId: ledger.databaseId,
      outboxQueueName: queues.outboxQueueName,
      deadLetterQueueId: queues.deadLetterQueueId,
      adminEmail: plan.deadLetterSummary.to,
      senderEmail: plan.deadLetterSummary.from,
      producerKey: producerKey(EDGE_PROVIDED_SECRETS.dlqProducerKey),
    },
    opts,
  );

  const mcp = new McpEndpoint(
    "mcp",
    {
      accountId,
      zoneId: plan.zoneId,
      hostname: plan.mcp.hostname,
      scriptName: plan.mcp.scriptName,
      accessTeam: plan.accessTeam,
      emailDomains: plan.emailDomains,
      ...(plan.identityProviderId === undefined ? {} : { identityProviderId: plan.identityProviderId }),
      sessionDuration: plan.sessionDuration,
      ledgerDatabaseId: ledger.databaseId,
      outboxQueueName: queues.outboxQueueName,
      personDomains: plan.mcp.personDomains,
      agentActor: plan.mcp.agentActor,
      agentSenders: plan.mcp.agentSenders,
      producerKey: producerKey(EDGE_PROVIDED_SECRETS.mcpProducerKey),
    },
    opts,
  );

  const provided: Record<keyof typeof EDGE_PROVIDED_SECRETS, pulumi.Input<string>> = {
    tunnelToken: tunnel.token,
    accountId,
    outboxQueueId: queues.outboxQueueId,
    deadLetterQueueId: queues.deadLetterQueueId,
    etlDatabaseId: etl.databaseId,
    mcpClientId: mcp.serviceTokenClientId,
    mcpClientSecret: mcp.serviceTokenClientSecret,
    mcpProducerKey: producerKey(EDGE_PROVIDED_SECRETS.mcpProducerKey),
    dlqProducerKey: producerKey(EDGE_PROVIDED_SECRETS.dlqProducerKey),
  };
  const providedSecrets = new Map<string, pulumi.Output<string>>(
    Object.entries(EDGE_PROVIDED_SECRETS).map(([role, name]) => [name, pulumi.secret(provided[role as keyof typeof provided])]),
  );
  const mail = plan.mail ? deployMailDns(plan.mail, plan.zoneId, opts) : undefined;
  if (mail?.dkimPrivateKey) providedSecrets.set(DKIM_PRIVATE_KEY_SECRET, mail.dkimPrivateKey);
  const backups = plan.backupBucket
    ? new BackupBucket("backup-bucket", { accountId, bucketName: plan.backupBucket.bucketName }, opts)
    : undefined;
  if (backups && plan.backupBucket) {
    providedSecrets.set(BACKUP_OFFSITE_REPOSITORY_SECRET, pulumi.secret(plan.backupBucket.repository));
    providedSecrets.set(BACKUP_OFFSITE_KEY_ID_SECRET, backups.accessKeyId);
    providedSecrets.set(BACKUP_OFFSITE_SECRET_KEY_SECRET, backups.secretAccessKey);
  }

  return {
    tunnelToken: tunnel.token,
    accountId,
    tunnelId: tunnel.tunnelId,
    outboxQueueId: queues.outboxQueueId,
    deadLetterQueueId: queues.deadLetterQueueId,
    etlDatabaseId: etl.databaseId,
    ledgerDatabaseId: ledger.databaseId,
    providedSecrets,
    outputs: {
      accountId,
      tunnelId: tunnel.tunnelId,
      accessHostnames: plan.hostnames.map((h) => h.hostname),
      outboxQueueId: queues.outboxQueueId,
      deadLetterQueueId: queues.deadLetterQueueId,
      ledgerDatabaseId: ledger.databaseId,
      etlDatabaseId: etl.databaseId,
      deadLetterWorker: worker.scriptName,
      mcpEndpoint: mcp.url,
      mcpWorker: mcp.scriptName,
      ...(backups ? { backupBucket: backups.bucketName } : {}),
      ...(mail ? { mailDns: mail.outputs } : {}),
    },
  };
}

/**
 * The DKIM key (when rspamd signs) and each mail domain's records: created in the zone for the
 * domains in it, listed in the outputs for the operator to publish for the others.
 */
function deployMailDns(
  plan: MailDnsPlan,
  zoneId: string,
  opts: pulumi.ComponentResourceOptions,
): { dkimPrivateKey?: pulumi.Output<string>; outputs: Record<string, pulumi.Input<unknown>> } {
  const dkim = plan.dkimKey ? new DkimKey("dkim-key", {}, opts) : undefined;
  const records = (domain: MailDomainDns): MailDnsRecord<pulumi.Input<string>>[] =>
    mailDnsRecords<pulumi.Input<string>>(domain, dkim ? dkim.txtContent : "").filter((r) => dkim || r.role !== "dkim");
  for (const domain of plan.inZone) {
    new MailDns(`mail-dns-${domain.domain.replaceAll(".", "-")}`, { zoneId, records: records(domain) }, opts);
  }
  return {
    ...(dkim ? { dkimPrivateKey: dkim.privateKeyPem } : {}),
    outputs: {
      published: plan.inZone.flatMap((d) => records(d).map((r) => `${r.name} ${r.type}`)),
      publishElsewhere: plan.elsewhere.flatMap((d) =>
        records(d).map((r) => ({
          name: r.name,
          type: r.type,
          content: r.content,
          ...(r.priority === undefined ? {} : { priority: r.priority }),
        })),
      ),
    },
  };
}
