/**
 * The message format on the `email_outbox` queue (version 1).
 *
 * Producers: the MCP Worker's `email_send` tool and the dead-letter Worker's weekly summary.
 * Consumer: the email drain on the Fedora host (apps/email-drain), which validates it with
 * validateEnvelope.ts (strict: see the limits there) and hands an RFC 5322 rendering of it to sendmail.
 * Documented for producers and operators in docs/email-envelope.md.
 */
export interface EmailEnvelope {
  /** Format version. */
  v: 1;
  /** Idempotency id, unique per logical message: redeliveries carry the same id and are sent once. */
  id: string;
  /** Sender mailbox: `addr@domain` or `Display Name <addr@domain>`; must be on the drain's allow-list. */
  from: string;
  to: string[];
  cc?: string[];
  bcc?: string[];
  replyTo?: string;
  subject: string;
  /** At least one of text and html. */
  text?: string;
  html?: string;
  /** Extra headers; only `X-*` names are accepted by the drain. */
  headers?: Record<string, string>;
  /** ISO-8601 time the producer created the message. */
  createdAt?: string;
  /** Opaque trace data (agent id, run id…) logged by the drain, never put in the mail. */
  meta?: Record<string, string>;
}
