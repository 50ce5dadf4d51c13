/**
 * The `email_send` tool's work, independent of MCP: build the envelope (apps/email-envelope) from the
 * caller's input, validate it there, check the sender against the caller's rules, record the crossing
 * in the run ledger, and enqueue it on `email_outbox`. The ledger row is written before the message
 * is enqueued, so no mail leaves unrecorded; a message the queue refuses is marked so in its row.
 */
import type { D1Database, Queue } from "@cloudflare/workers-types/2023-07-01";
import type { EmailEnvelope, UnsignedEnvelope } from "../../email-envelope/envelope";
import { signEnvelope } from "../../email-envelope/producerAuth";
import { validateEnvelope } from "../../email-envelope/validateEnvelope";
import type { Caller } from "./caller";
import { recordCrossing, updateOutcome } from "./ledger";
import type { SenderRules } from "./senderRules";

/**
 * What the caller gives `email_send`: the envelope's own fields (so the two cannot drift), less
 * those the Worker sets, with the sender optional and the caller's own idempotency key.
 */
export type EmailSendInput = Omit<EmailEnvelope, "v" | "producer" | "id" | "from" | "createdAt" | "meta" | "auth"> & {
  from?: string;
  /** The caller's own idempotency key: the same key from the same caller is sent once. */
  idempotencyKey?: string;
};

/** This Worker's producer name on `email_outbox`: the drain knows its key and its sender rules by it. */
export const MCP_PRODUCER = "mcp";

export const IDEMPOTENCY_KEY_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * Cloudflare Queues takes messages of at most 128 KB, counted in thousands (workerd's queue broker
 * refuses 128,001 bytes), a little less than the envelope format's own 128 KiB: checked before the
 * ledger row, so a message the queue would refuse is refused with its size, and not recorded.
 */
export const QUEUE_MESSAGE_MAX_BYTES = 128_000;

export type EmailSendOutcome =
  { ok: true; envelopeId: string; ledgerId: string; recipients: number } | { ok: false; message: string; ledgerId?: string };

export interface EmailSendDependencies {
  db: D1Database;
  outbox: Queue<EmailEnvelope>;
  rules: SenderRules;
  /** The producer key (EMAIL_PRODUCER_KEY, 64 hex): the drain sends only what it signs. */
  producerKey: string;
  now?: () => Date;
  newId?: () => string;
}

/**
 * Envelope ids live in one namespace per caller (`mcp-<16 hex of the caller>.<key>`): the drain sends an
 * id of this producer once, so a caller who could pick any id could suppress another caller's mail by
 * sending first under its id. (Other producers' ids are apart already: the drain keys by producer.)
 */
export async function envelopeIdFor(caller: Caller, key: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(`${caller.kind}:${caller.id}`)));
  const hex = Array.from(digest.slice(0, 8), (byte) => byte.toString(16).padStart(2, "0")).join("");
  return `mcp-${hex}.${key}`;
}

export async function emailSend(caller: Caller, input: EmailSendInput, deps: EmailSendDependencies): Promise<EmailSendOutcome> {
  const now = (deps.now ?? (() => new Date()))();
  const newId = deps.newId ?? (() => crypto.randomUUID());

  if (input.idempotencyKey !== undefined && !IDEMPOTENCY_KEY_PATTERN.test(input.idempotencyKey)) {
    return {
      ok: false,
      message: `not sent: idempotencyKey must be 1-64 characters of A-Z a-z 0-9 _ - (got ${JSON.stringify(input.idempotencyKey)})`,
    };
  }
  const senders = deps.rules.sendersFor(caller);
  const from = input.from ?? senders[0];
  if (from === undefined) {
    return {
      ok: false,
      message: `not sent: ${caller.kind === "human" ? "your address is" : "this service token is"} not allowed to send mail through this endpoint`,
    };
  }

  const ledgerId = newId();
  const unsigned: UnsignedEnvelope = {
    v: 2,
    producer: MCP_PRODUCER,
    id: await envelopeIdFor(caller, input.idempotencyKey ?? ledgerId),
    from,
    to: input.to,
    ...(input.cc === undefined ? {} : { cc: input.cc }),
    ...(input.bcc === undefined ? {} : { bcc: input.bcc }),
    ...(input.replyTo === undefined ? {} : { replyTo: input.replyTo }),
    subject: input.subject,
    ...(input.text === undefined ? {} : { text: input.text }),
    ...(input.html === undefined ? {} : { html: input.html }),
    ...(input.headers === undefined ? {} : { headers: input.headers }),
    createdAt: now.toISOString(),
    meta: { actor: `${caller.kind}:${caller.id}`.slice(0, 256), ledger: ledgerId },
  };

  let envelope: EmailEnvelope;
  try {
    envelope = await signEnvelope(unsigned, deps.producerKey);
  } catch (error) {
    console.error(JSON.stringify({ msg: "EMAIL_PRODUCER_KEY is unusable; mail not sent", error: String(error) }));
    return {
      ok: false,
      message: "not sent: the endpoint is misconfigured (producer key); the operator has been told in the Worker's logs",
    };
  }
  const validated = validateEnvelope(envelope);
  if (!validated.ok) return { ok: false, message: `not sent: the message is not a valid email envelope: ${validated.reason}` };
  if (!deps.rules.allows(caller, validated.value.from)) {
    return {
      ok: false,
      message: `not sent: you may not send as ${validated.value.from.address}; allowed: ${senders.length > 0 ? senders.join(", ") : "none"}`,
    };
  }
  // The drain's default Reply-To rule for a producer: only an address it may send as. Refused here too,
  // so the caller hears why instead of the mail turning into a dead letter.
  if (validated.value.replyTo !== undefined && !deps.rules.allows(caller, validated.value.replyTo)) {
    return {
      ok: false,
      message: `not sent: replyTo must be an address you may send as (${senders.join(", ")}), not ${validated.value.replyTo.address}`,
    };
  }

  const size = new TextEncoder().encode(JSON.stringify(envelope)).length;
  if (size > QUEUE_MESSAGE_MAX_BYTES) {
    return {
      ok: false,
      message: `not sent: the message is ${size} bytes as queued; the outbox queue takes at most ${QUEUE_MESSAGE_MAX_BYTES} (shorten the text or html)`,
    };
  }

  const recipients = validated.value.to.length + validated.value.cc.length + validated.value.bcc.length;
  const metadata = {
    tool: "email_send",
    queue: "email_outbox",
    from: validated.value.from.address,
    recipients: [...validated.value.to, ...validated.value.cc, ...validated.value.bcc].map((mailbox) => mailbox.address),
    subject: envelope.subject,
    outcome: "enqueued",
  };
  try {
    await recordCrossing(deps.db, caller, {
      id: ledgerId,
      occurredAt: now.toISOString(),
      action: "email_send",
      reference: envelope.id,
      metadata,
    });
  } catch (error) {
    console.error(JSON.stringify({ msg: "run_ledger write failed; mail not sent", error: String(error), envelopeId: envelope.id }));
    return { ok: false, message: "not sent: the run ledger could not be written; try again later" };
  }
  try {
    await deps.outbox.send(envelope, { contentType: "json" });
  } catch (error) {
    console.error(JSON.stringify({ msg: "email_outbox refused the message", error: String(error), envelopeId: envelope.id }));
    await updateOutcome(deps.db, ledgerId, { ...metadata, outcome: "enqueue-failed" }).catch(() => undefined);
    return { ok: false, message: "not sent: the outbox queue refused the message; try again later", ledgerId };
  }
  return { ok: true, envelopeId: envelope.id, ledgerId, recipients };
}
