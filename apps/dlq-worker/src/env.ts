import type { D1Database, Queue } from "@cloudflare/workers-types/2023-07-01";
import type { EmailEnvelope } from "../../email-envelope/envelope";

/** What the dead-letter Worker finds in `env`. */
export interface DlqWorkerEnv {
  /** The run ledger database (`dead_letters`, `run_ledger`). */
  DB: D1Database;
  /** Producer for `email_outbox`: the weekly summary leaves like any other mail. */
  OUTBOX: Queue<EmailEnvelope>;
  /** Where the weekly summary goes. */
  ADMIN_EMAIL: string;
  /** The summary's sender; the drain only sends for senders on its allow-list. */
  SENDER_EMAIL: string;
  /** This producer's key on `email_outbox` (64 hex, secret): signs the summary (apps/email-envelope/producerAuth.ts). */
  EMAIL_PRODUCER_KEY: string;
}

/** Each binding by role: its name in `env` and its Cloudflare binding type. */
export const DLQ_WORKER_BINDINGS = {
  ledgerDatabase: { name: "DB", type: "d1" },
  outboxQueue: { name: "OUTBOX", type: "queue" },
  adminEmail: { name: "ADMIN_EMAIL", type: "plain_text" },
  senderEmail: { name: "SENDER_EMAIL", type: "plain_text" },
  producerKey: { name: "EMAIL_PRODUCER_KEY", type: "secret_text" },
} as const satisfies Record<string, { name: keyof DlqWorkerEnv; type: "d1" | "queue" | "plain_text" | "secret_text" }>;
