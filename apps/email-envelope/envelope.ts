/**
 * The message format on the `email_outbox` queue (version 2).
 *
 * Producers: the MCP Worker's `email_send` tool (producer `mcp`) and the dead-letter Worker's weekly summary
 * (producer `dlq`), each signing with its own key (producerAuth.ts).
 * Consumer: the email drain on the Fedora host (apps/email-drain), which validates it with
 * validateEnvelope.ts (strict: see the limits there), checks the signature and the producer's sender rules,
 * and hands an RFC 5322 rendering of it to sendmail.
 * Documented for producers and operators in docs/email-envelope.md.
 */
export interface EmailEnvelope {
  /** Format version. Version 1 (unsigned, one id namespace for all producers) is no longer accepted. */
  v: 2;
  /** Who enqueued it; `auth` proves it. Ids are unique per producer: the drain de-duplicates by `<producer>.<id>`. */
  producer: string;
  /** Idempotency id, unique per logical message of this producer: redeliveries carry the same id and are sent once. */
  id: string;
  /** Sender mailbox: `addr@domain` or `Display Name <addr@domain>`; must be allowed for the producer. */
  from: string;
  to: string[];
  cc?: string[];
  bcc?: string[];
  /** Must be allowed for the producer too (by default: an address it may send as). */
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
  /** `hmac-sha256:<64 hex>` over every other field, with the producer's key (producerAuth.ts). */
  auth: string;
}

/** An envelope before its producer signs it. */
export type UnsignedEnvelope = Omit<EmailEnvelope, "auth">;
