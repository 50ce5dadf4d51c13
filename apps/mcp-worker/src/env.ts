import type { D1Database, Queue } from "@cloudflare/workers-types/2023-07-01";
import type { EmailEnvelope } from "../../email-envelope/envelope";

/** Where the Worker serves MCP (Streamable HTTP); every other path is a 404. */
export const MCP_PATH = "/mcp";

/** What the MCP Worker finds in `env`. */
export interface McpWorkerEnv {
  /** The run ledger database (`run_ledger`). */
  DB: D1Database;
  /** Producer for `email_outbox`: the only thing `email_send` does with a message. */
  OUTBOX: Queue<EmailEnvelope>;
  /** The Access team's issuer, `https://<team>.cloudflareaccess.com`; its keys are under `/cdn-cgi/access/certs`. */
  ACCESS_ISSUER: string;
  /** The AUD tag of the Access application in front of this Worker. */
  ACCESS_AUD: string;
  /** Who may send as whom (JSON, see senderRules.ts). */
  SENDER_RULES: string;
  /** This producer's key on `email_outbox` (64 hex, secret): signs every envelope (apps/email-envelope/producerAuth.ts). */
  EMAIL_PRODUCER_KEY: string;
}

/** Each binding by role: its name in `env` and its Cloudflare binding type. */
export const MCP_WORKER_BINDINGS = {
  ledgerDatabase: { name: "DB", type: "d1" },
  outboxQueue: { name: "OUTBOX", type: "queue" },
  accessIssuer: { name: "ACCESS_ISSUER", type: "plain_text" },
  accessAudience: { name: "ACCESS_AUD", type: "plain_text" },
  senderRules: { name: "SENDER_RULES", type: "plain_text" },
  producerKey: { name: "EMAIL_PRODUCER_KEY", type: "secret_text" },
} as const satisfies Record<string, { name: keyof McpWorkerEnv; type: "d1" | "queue" | "plain_text" | "secret_text" }>;
