import { renderSendmailWrapper } from "../../components/mail/renderSendmailWrapper";
import { provided } from "./secretValue";
import type { ServiceDefinition } from "./types";

const LIB = ".local/lib/paperclip-harness";
/** EX_CONFIG: the drain's exit status for a configuration error; restarting would only loop. */
const EX_CONFIG = 78;

/**
 * The email drain: the only consumer of the email_outbox Queue. It checks each envelope's producer
 * signature and that producer's sender rules, and hands the message to Postfix's sendmail (in the postfix container), so mail an agent
 * enqueues leaves exactly as mail a person submits does. Deployed when this build includes the
 * drain's program (HostPrograms.emailDrain).
 */
export const emailDrain: ServiceDefinition = (context) => {
  const program = context.hostPrograms.emailDrain;
  const senders = context.settings.emailProducerSenders;
  return {
    kind: "host",
    name: "email-drain",
    description: "Email drain (email_outbox Queue to Postfix)",
    gate: { enabled: program !== undefined, reason: "this build does not include the email drain's program (HostPrograms.emailDrain)" },
    exec: ["/usr/bin/node", `%h/${LIB}/email-drain.js`],
    hostExecutables: ["/usr/bin/node", "/usr/bin/podman"],
    hostFiles: [
      ...(program ? [{ path: `${LIB}/email-drain.js`, content: program() }] : []),
      { path: `${LIB}/sendmail-postfix.sh`, content: renderSendmailWrapper("postfix"), mode: "0755" },
    ],
    env: {
      // Sender rules per producer (docs/email-drain.md §Producers): the summary's one sender, with no
      // Reply-To at all; the MCP Worker's senders, with Reply-To only to one of them (the default).
      PRODUCERS: "mcp,dlq",
      PRODUCER_MCP_SENDERS: (senders?.mcp ?? []).join(","),
      PRODUCER_DLQ_SENDERS: (senders?.dlq ?? []).join(","),
      PRODUCER_DLQ_REPLY_TO: "none",
      SENDMAIL_PATH: `%h/${LIB}/sendmail-postfix.sh`,
    },
    secretEnv: {
      CF_ACCOUNT_ID: provided("cloudflare-account-id"),
      CF_QUEUE_ID: provided("email-outbox-queue-id"),
      CF_DLQ_QUEUE_ID: provided("email-dlq-queue-id"),
      CF_API_TOKEN: provided("email-drain-api-token"),
      // Each producer's key, generated with the Workers that sign with it (infra/targets/fedora/edge.ts).
      PRODUCER_MCP_KEY: provided("email-producer-key-mcp"),
      PRODUCER_DLQ_KEY: provided("email-producer-key-dlq"),
    },
    dependsOn: ["postfix"],
    restart: "on-failure",
    restartPreventExitStatus: [EX_CONFIG],
    // On SIGTERM the drain finishes the message in flight (sendmail up to 30 s, two API calls up to
    // 15 s each) and releases its other leases: let it, rather than killing sendmail mid-delivery.
    stop: { killMode: "mixed", timeoutSec: 90 },
  };
};
