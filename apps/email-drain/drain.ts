/**
 * The drain loop: pull a batch from `email_outbox`, settle every message, ack or retry them in one call.
 *
 * Per message, in order:
 *   1. decode and validate the envelope, verify its producer's signature, check From and Reply-To against that
 *      producer's rules (producers.ts); a failure is dead-lettered (sent to `email_dlq` with a reason, then
 *      acked; if that send fails the message is retried instead);
 *   2. consult the journal under the delivery key `<producer>.<id>`: `sent` → ack without sending (a redelivery); `sending` → a previous run died while
 *      sendmail was running and the mail may have gone out, so it is dead-lettered as `delivery-uncertain`
 *      rather than risking a duplicate (re-send it under a new id after checking the mail log);
 *   3. journal `sending`, run sendmail, journal `sent` (→ ack) or, when sendmail exited with a failure status
 *      or could not start, `not-sent` (→ retry after a delay that grows with the queue's attempt count; after
 *      the queue's last attempt it dead-letters the message itself). A timeout or a signal leaves the outcome
 *      unknown (the MTA may have queued the mail): the journal stays at `sending` and the message is
 *      dead-lettered as `delivery-uncertain`, never sent a second time.
 * Every journal write is fsync'd before the ack that depends on it, so a crash anywhere leads to a redelivery
 * that the journal turns into either an ack or a dead letter: never a second send.
 *
 * A message is only started while its lease has time left for the worst case (messageBudgetMs), so an ack
 * never races the visibility timeout. On stop() the in-flight message finishes and the rest of the batch is
 * released (retry with delay 0).
 */
import { deliveryKeyOf, parseEnvelopeJson, type ValidatedEmail } from "../email-envelope/validateEnvelope";
import { PollBackoff, retryDelaySeconds } from "./backoff";
import { messageBudgetMs, type DrainConfig } from "./config";
import type { DeliveryJournal } from "./journal";
import type { Logger, LogFields } from "./log";
import type { ProducerRegistry } from "./producers";
import { decodeMessageBody, QueueApiError, type PulledMessage, type QueueApi, type Settlement } from "./queueClient";
import { renderMessage, messageIdFor } from "./rfc5322";
import type { SendmailOutcome, SendmailRequest } from "./sendmail";

export type DrainSettings = Pick<
  DrainConfig,
  | "batchSize"
  | "visibilityTimeoutMs"
  | "apiTimeoutMs"
  | "sendmailTimeoutMs"
  | "retryBaseDelaySeconds"
  | "retryMaxDelaySeconds"
  | "idlePollMinMs"
  | "idlePollMaxMs"
>;

export interface DrainDependencies {
  queue: QueueApi;
  journal: Pick<DeliveryJournal, "stateOf" | "record">;
  producers: Pick<ProducerRegistry, "check">;
  sendmail: (request: SendmailRequest) => Promise<SendmailOutcome>;
  log: Logger;
  now?: () => number;
}

export type DeadLetterReason =
  "undecodable-body" | "invalid-envelope" | "producer-not-authenticated" | "sender-not-allowed" | "delivery-uncertain";

/** What `email_dlq` receives for a message the drain rejects (documented in docs/email-envelope.md). */
export interface DeadLetterRecord {
  reason: DeadLetterReason;
  detail: string;
  /** The message body as received (decoded when possible), cut to MAX_ORIGINAL_BYTES. */
  original: string;
  originalTruncated?: true;
  /** When the drain handled it, and when the producer enqueued it (ISO-8601). */
  receivedAt: string;
  enqueuedAt?: string;
  attempts: number;
  queueMessageId: string;
  /** The producer the envelope names (proven only when reason is neither of the two above it). */
  producer?: string;
  envelopeId?: string;
}

export interface CycleSummary {
  pullFailed: boolean;
  pulled: number;
  delivered: number;
  duplicates: number;
  deadLettered: number;
  retried: number;
  released: number;
}

type Decision = { kind: "delivered" | "duplicate" | "dead-lettered" } | { kind: "retry"; delaySeconds: number };

/** Leaves room for JSON escaping within the queue's 128 KB message limit. */
const MAX_ORIGINAL_BYTES = 60 * 1024;
const SETTLE_ATTEMPTS = 3;

export class EmailDrain {
  private stopping = false;
  private wake: (() => void) | undefined;
  private readonly now: () => number;

  constructor(
    private readonly settings: DrainSettings,
    private readonly deps: DrainDependencies,
  ) {
    this.now = deps.now ?? Date.now;
  }

  /** Pulls and settles batches until stop(); throws only what a restart cannot fix (see main.ts). */
  async run(): Promise<void> {
    const poll = new PollBackoff(this.settings.idlePollMinMs, this.settings.idlePollMaxMs);
    while (!this.stopping) {
      const summary = await this.runCycle();
      if (summary.pulled > 0) poll.reset();
      else await this.sleep(poll.next());
    }
  }

  /** One pull and the settlement of what it returned. */
  async runCycle(): Promise<CycleSummary> {
    const summary: CycleSummary = {
      pullFailed: false,
      pulled: 0,
      delivered: 0,
      duplicates: 0,
      deadLettered: 0,
      retried: 0,
      released: 0,
    };
    // The lease clock starts no later than the request, so measuring from here is conservative.
    const leaseDeadline = this.now() + this.settings.visibilityTimeoutMs;
    let messages: PulledMessage[];
    try {
      const pulled = await this.deps.queue.pull({
        batchSize: this.settings.batchSize,
        visibilityTimeoutMs: this.settings.visibilityTimeoutMs,
      });
      messages = pulled.messages;
      if (pulled.unusable > 0) this.deps.log.warn("pulled items without id or lease; leaving them to expire", { count: pulled.unusable });
    } catch (error) {
      if (!(error instanceof QueueApiError) || error.isConfigurationProblem) throw error;
      this.deps.log.warn("pull failed", { error: error.message, kind: error.kind });
      return { ...summary, pullFailed: true };
    }
    summary.pulled = messages.length;

    const settlement: Settlement = { acks: [], retries: [] };
    const budgetMs = messageBudgetMs(this.settings);
    for (const message of messages) {
      if (this.stopping || this.now() + budgetMs > leaseDeadline) {
        settlement.retries.push({ leaseId: message.leaseId, delaySeconds: 0 });
        summary.released += 1;
        continue;
      }
      const decision = await this.process(message);
      if (decision.kind === "retry") {
        settlement.retries.push({ leaseId: message.leaseId, delaySeconds: decision.delaySeconds });
        summary.retried += 1;
      } else {
        settlement.acks.push(message.leaseId);
        if (decision.kind === "delivered") summary.delivered += 1;
        if (decision.kind === "duplicate") summary.duplicates += 1;
        if (decision.kind === "dead-lettered") summary.deadLettered += 1;
      }
    }
    if (summary.released > 0) this.deps.log.info("released leases", { count: summary.released, stopping: this.stopping });
    await this.settle(settlement, leaseDeadline);
    return summary;
  }

  /** Stop pulling; the in-flight message finishes, the rest of its batch is released. */
  stop(): void {
    this.stopping = true;
    this.wake?.();
  }

  private async process(message: PulledMessage): Promise<Decision> {
    const context: LogFields = { queueMessageId: message.id, attempt: message.attempts };
    const decoded = decodeMessageBody(message);
    if (!decoded.ok) return this.deadLetter(message, message.body, "undecodable-body", decoded.reason, context);
    const parsed = parseEnvelopeJson(decoded.value);
    if (!parsed.ok) return this.deadLetter(message, decoded.value, "invalid-envelope", parsed.reason, context);
    const email = parsed.value;
    const fields: LogFields = { ...context, producer: email.producer, id: email.id, from: email.from.address, meta: email.meta };
    // Before the journal is consulted: an envelope that does not prove its producer (or that the producer may
    // not send) never reads or writes a delivery record, so it cannot make the drain ack another's mail.
    const checked = await this.deps.producers.check(email);
    if (!checked.ok) return this.deadLetter(message, decoded.value, checked.reason, checked.detail, fields, email);

    switch (this.deps.journal.stateOf(deliveryKeyOf(email))) {
      case "sent":
        this.deps.log.info("already delivered; acking the redelivery", fields);
        return { kind: "duplicate" };
      case "sending": {
        const detail =
          `sendmail was started for this id and did not report an outcome (the drain stopped, or sendmail ` +
          `timed out or was killed), so it may have been delivered; ` +
          `check the mail log for Message-ID ${messageIdFor(email)} and re-send under a new id if it was not`;
        return this.deadLetter(message, decoded.value, "delivery-uncertain", detail, fields, email);
      }
      default:
        return this.send(message, decoded.value, email, fields);
    }
  }

  private async send(message: PulledMessage, original: string, email: ValidatedEmail, fields: LogFields): Promise<Decision> {
    const rendered = renderMessage(email, { date: email.createdAt ?? new Date(this.now()) });
    const key = deliveryKeyOf(email);
    await this.deps.journal.record(key, "sending");
    const outcome = await this.deps.sendmail({
      envelopeSender: email.from.address,
      recipients: uniqueRecipients(email),
      message: rendered,
    });
    if (outcome.kind === "sent") {
      await this.deps.journal.record(key, "sent");
      this.deps.log.info("delivered", { ...fields, recipients: email.to.length + email.cc.length + email.bcc.length });
      return { kind: "delivered" };
    }
    if (outcome.kind === "timeout" || outcome.kind === "signal") {
      // sendmail had the message and stopped without saying whether the MTA took it (Postfix's postdrop
      // may have committed it already): the journal stays at `sending`, so no copy is ever sent again.
      const how = outcome.kind === "timeout" ? "timed out and was killed" : `was killed by ${outcome.signal}`;
      const detail =
        `sendmail ${how} after the message was handed to it, so it may have been delivered; ` +
        `check the mail log for Message-ID ${messageIdFor(email)} and re-send under a new id if it was not`;
      this.deps.log.warn("sendmail outcome unknown; not retrying", { ...fields, ...describeOutcome(outcome) });
      return this.deadLetter(message, original, "delivery-uncertain", detail, fields, email);
    }
    await this.deps.journal.record(key, "not-sent");
    const delaySeconds = this.retryDelay(message);
    this.deps.log.warn("sendmail failed; will retry", { ...fields, ...describeOutcome(outcome), delaySeconds });
    return { kind: "retry", delaySeconds };
  }

  private async deadLetter(
    message: PulledMessage,
    original: string,
    reason: DeadLetterReason,
    detail: string,
    fields: LogFields,
    envelope?: Pick<ValidatedEmail, "producer" | "id">,
  ): Promise<Decision> {
    const record = deadLetterRecord(message, original, reason, detail, new Date(this.now()), envelope);
    try {
      await this.deps.queue.sendToDeadLetterQueue(record);
    } catch (error) {
      if (!(error instanceof QueueApiError) || error.isConfigurationProblem) throw error;
      const delaySeconds = this.retryDelay(message);
      this.deps.log.error("could not dead-letter; will retry", { ...fields, reason, error: error.message, delaySeconds });
      return { kind: "retry", delaySeconds };
    }
    this.deps.log.warn("dead-lettered", { ...fields, reason, detail });
    return { kind: "dead-lettered" };
  }

  /** Acks and retries in one call, tried again briefly while the leases last; redelivery covers the rest. */
  private async settle(settlement: Settlement, leaseDeadline: number): Promise<void> {
    for (let attempt = 1; attempt <= SETTLE_ATTEMPTS; attempt += 1) {
      try {
        await this.deps.queue.settle(settlement);
        return;
      } catch (error) {
        if (!(error instanceof QueueApiError) || error.isConfigurationProblem) throw error;
        const last = attempt === SETTLE_ATTEMPTS || this.now() + this.settings.apiTimeoutMs > leaseDeadline;
        this.deps.log.warn(last ? "ack failed; the messages will be redelivered" : "ack failed; trying again", {
          error: error.message,
          acks: settlement.acks.length,
          retries: settlement.retries.length,
        });
        if (last) return;
        await delay(100 * 2 ** attempt);
      }
    }
  }

  private retryDelay(message: PulledMessage): number {
    return retryDelaySeconds(message.attempts, this.settings.retryBaseDelaySeconds, this.settings.retryMaxDelaySeconds);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    }).finally(() => {
      this.wake = undefined;
    });
  }
}

export function deadLetterRecord(
  message: PulledMessage,
  original: string,
  reason: DeadLetterReason,
  detail: string,
  receivedAt: Date,
  envelope?: Pick<ValidatedEmail, "producer" | "id">,
): DeadLetterRecord {
  const bytes = Buffer.from(original, "utf8");
  const truncated = bytes.length > MAX_ORIGINAL_BYTES;
  return {
    reason,
    detail,
    original: truncated ? bytes.subarray(0, MAX_ORIGINAL_BYTES).toString("utf8") : original,
    ...(truncated && { originalTruncated: true as const }),
    receivedAt: receivedAt.toISOString(),
    ...(message.timestampMs > 0 && { enqueuedAt: new Date(message.timestampMs).toISOString() }),
    attempts: message.attempts,
    queueMessageId: message.id,
    ...(envelope !== undefined && { producer: envelope.producer, envelopeId: envelope.id }),
  };
}

/** To, Cc and Bcc addresses once each (domains compare case-insensitively), for sendmail's argument list. */
export function uniqueRecipients(email: Pick<ValidatedEmail, "to" | "cc" | "bcc">): string[] {
  const seen = new Set<string>();
  return [...email.to, ...email.cc, ...email.bcc].flatMap((mailbox) => {
    const key = `${mailbox.localPart}@${mailbox.domain.toLowerCase()}`;
    if (seen.has(key)) return [];
    seen.add(key);
    return [mailbox.address];
  });
}

function describeOutcome(outcome: Exclude<SendmailOutcome, { kind: "sent" }>): LogFields {
  switch (outcome.kind) {
    case "exit":
      return { outcome: outcome.exitCode === 75 ? "tempfail" : "exit", exitCode: outcome.exitCode, stderr: outcome.stderr.trim() };
    case "signal":
      return { outcome: "signal", signal: outcome.signal, stderr: outcome.stderr.trim() };
    case "timeout":
      return { outcome: "timeout", stderr: outcome.stderr.trim() };
    case "spawn-error":
      return { outcome: "spawn-error", code: outcome.code };
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
