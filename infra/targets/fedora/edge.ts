/**
 * The Cloudflare edge of the fedora stack (system.md §5), derived from the resolved catalogue: every
 * public route becomes a PublicHostname of the Tunnel (Access gate, proxied CNAME, ingress rule), so a
 * catalogue service with a route gets all three and one without gets none. Plus the mail queues, the
 * two D1 databases with their migrations, and the dead-letter Worker.
 *
 * `planCloudflareEdge` is pure (config + catalogue → plan, or config problems); `deployCloudflareEdge`
 * declares the resources. The fedora target calls both; tests call them with other catalogues.
 */
import * as cloudflare from "@pulumi/cloudflare";
import * as pulumi from "@pulumi/pulumi";
import { listD1Migrations, type D1DatabaseRole, type D1MigrationFile } from "../../../apps/d1/migrations";
import { D1 } from "../../../components/cloudflare/D1";
import { DeadLetterWorker } from "../../../components/cloudflare/DeadLetterWorker";
import { EmailQueues } from "../../../components/cloudflare/EmailQueues";
import { Tunnel, type TunnelHostname } from "../../../components/cloudflare/Tunnel";
import type { ResolvedCatalog } from "../../catalog/resolveCatalog";
import type { ConfigProblem } from "../../config/ConfigError";
import { PROJECT, type ConfigValues } from "../../config/parse";

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
} as const;

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
}

/** Names in the Cloudflare account. Queue names are fixed by the system (producers and the drain use them). */
const DATABASE_NAMES: Record<D1DatabaseRole, string> = { ledger: "harness-run-ledger", etl: "harness-etl" };
const WORKER_SCRIPT_NAME = "harness-dlq-worker";

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
      from: config.deadLetterSummaryFrom ?? `harness@${domain}`,
    },
    databases: listD1Migrations().map((set) => ({
      role: set.database,
      databaseName: DATABASE_NAMES[set.database],
      migrations: set.files,
      // The ledger is the record of every gateway crossing; the ETL's data comes back with the next dump.
      protect: set.database === "ledger",
    })),
    workerScriptName: WORKER_SCRIPT_NAME,
  };
  return { plan, problems };
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
    },
    opts,
  );

  const provided: Record<keyof typeof EDGE_PROVIDED_SECRETS, pulumi.Input<string>> = {
    tunnelToken: tunnel.token,
    accountId,
    outboxQueueId: queues.outboxQueueId,
    deadLetterQueueId: queues.deadLetterQueueId,
    etlDatabaseId: etl.databaseId,
  };
  const providedSecrets = new Map(
    Object.entries(EDGE_PROVIDED_SECRETS).map(([role, name]) => [name, pulumi.secret(provided[role as keyof typeof provided])]),
  );

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
    },
  };
}
