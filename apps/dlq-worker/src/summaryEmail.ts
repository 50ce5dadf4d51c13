import type { UnsignedEnvelope } from "../../email-envelope/envelope";
import type { DeadLetterReason } from "./deadLetter";

/** This Worker's producer name on `email_outbox`: the drain knows its key and its sender rules by it. */
export const DLQ_PRODUCER = "dlq";

/** The mail lists at most this many dead letters; the counts cover all of them. */
export const SUMMARY_ITEM_LIMIT = 50;

export interface ReasonTally {
  reason: DeadLetterReason;
  count: number;
  oldestReceivedAt: string;
  newestReceivedAt: string;
}

export interface SummaryItem {
  messageId: string;
  receivedAt: string;
  reason: DeadLetterReason;
  envelopeId: string | null;
  envelopeFrom: string | null;
  envelopeTo: string[] | null;
  envelopeSubject: string | null;
  parseError: string | null;
}

export interface DeadLetterSummary {
  /** The summary's id: the envelope's idempotency id and `dead_letters.summary_id`. */
  summaryId: string;
  /** ISO week, e.g. `2026-W28`. */
  week: string;
  /** One per reason present; at least one. */
  tallies: ReasonTally[];
  /** The first SUMMARY_ITEM_LIMIT dead letters, in the order they arrived. */
  items: SummaryItem[];
}

export interface SummaryAddressing {
  from: string;
  to: string;
  /** ISO-8601; the scheduled time, so that a retried run renders the same envelope. */
  createdAt: string;
}

const REASON_MEANING: Record<DeadLetterReason, string> = {
  undelivered: "well-formed mail the drain did not deliver",
  malformed: "not an email_outbox envelope",
};

/**
 * The weekly summary mail for the admin, to be signed with the producer key. Every value taken from a dead
 * letter is flattened to one line.
 */
export function summaryEnvelope(summary: DeadLetterSummary, addressing: SummaryAddressing): UnsignedEnvelope {
  const total = summary.tallies.reduce((sum, tally) => sum + tally.count, 0);
  const counted = `${total} dead ${total === 1 ? "letter" : "letters"}`;
  return {
    v: 2,
    producer: DLQ_PRODUCER,
    id: summary.summaryId,
    from: addressing.from,
    to: [addressing.to],
    subject: `[email_dlq] ${counted}, week ${summary.week}`,
    text: summaryText(summary, counted, total),
    createdAt: addressing.createdAt,
    meta: { source: "dlq-worker", summaryId: summary.summaryId, deadLetters: String(total) },
  };
}

function summaryText(summary: DeadLetterSummary, counted: string, total: number): string {
  const receivedTimes = summary.tallies.flatMap((tally) => [tally.oldestReceivedAt, tally.newestReceivedAt]).sort();
  const reasonWidth = Math.max(...summary.tallies.map((tally) => tally.reason.length));
  const lines = [
    `${counted} reached the email dead-letter queue since the last summary.`,
    "",
    "By reason:",
    ...summary.tallies.map(
      (tally) => `  ${tally.reason.padEnd(reasonWidth)}  ${String(tally.count).padStart(4)}  (${REASON_MEANING[tally.reason]})`,
    ),
    "",
    `Oldest: ${receivedTimes[0] ?? ""}`,
    `Newest: ${receivedTimes[receivedTimes.length - 1] ?? ""}`,
    "",
    "In the order they arrived:",
    ...summary.items.flatMap((item, index) => ["", ...itemLines(item, index + 1)]),
  ];
  if (total > summary.items.length) lines.push("", `… and ${total - summary.items.length} more.`);
  lines.push(
    "",
    "Each one is kept, with its body as received, in the run ledger database:",
    `  SELECT * FROM dead_letters WHERE summary_id = '${summary.summaryId}';`,
  );
  return `${lines.join("\n")}\n`;
}

function itemLines(item: SummaryItem, position: number): string[] {
  const lines = [`${position}. ${item.receivedAt}  ${item.reason}  queue message ${oneLine(item.messageId)}`];
  if (item.envelopeId !== null) lines.push(`   id:      ${oneLine(item.envelopeId)}`);
  if (item.envelopeFrom !== null) lines.push(`   from:    ${oneLine(item.envelopeFrom)}`);
  if (item.envelopeTo !== null) lines.push(`   to:      ${oneLine(item.envelopeTo.join(", "))}`);
  if (item.envelopeSubject !== null) lines.push(`   subject: ${oneLine(item.envelopeSubject)}`);
  if (item.parseError !== null) lines.push(`   error:   ${oneLine(item.parseError)}`);
  return lines;
}

const MAX_VALUE_LENGTH = 200;
// Line breaks and other controls would let a dead letter forge lines of this mail; bidi controls
// would let it disguise them.
const UNSAFE_CHARACTERS = /[\p{Cc}\u2028\u2029\u202a-\u202e\u2066-\u2069]/gu;

function oneLine(value: string): string {
  const characters = Array.from(value.replace(UNSAFE_CHARACTERS, " "));
  return characters.length > MAX_VALUE_LENGTH ? `${characters.slice(0, MAX_VALUE_LENGTH - 1).join("")}…` : characters.join("");
}
