import { signEnvelope } from "../../email-envelope/producerAuth";
import type { DlqWorkerEnv } from "./env";
import { isoWeekOf } from "./isoWeek";
import { SUMMARY_ITEM_LIMIT, summaryEnvelope, type ReasonTally, type SummaryItem } from "./summaryEmail";

// A week's summary claims the dead letters it reports by writing its id into them, once: a retried
// run of the same week finds its claim and reports exactly the same rows under the same id, so the
// drain (which sends an id once) sends one mail. Dead letters arriving after the claim wait for the
// next week. Every unreported row is claimed, including rows of an earlier week whose mail was never
// confirmed: reporting one twice beats never reporting it.
const CLAIM_UNREPORTED = `
  UPDATE dead_letters SET summary_id = ?1
  WHERE summarized_at IS NULL
    AND NOT EXISTS (SELECT 1 FROM dead_letters WHERE summary_id = ?1)`;

const TALLY_CLAIMED = `
  SELECT reason, COUNT(*) AS count, MIN(received_at) AS oldestReceivedAt, MAX(received_at) AS newestReceivedAt
  FROM dead_letters WHERE summary_id = ?1 AND summarized_at IS NULL
  GROUP BY reason ORDER BY reason`;

const LIST_CLAIMED = `
  SELECT message_id AS messageId, received_at AS receivedAt, reason, envelope_id AS envelopeId,
         envelope_from AS envelopeFrom, envelope_to AS envelopeTo, envelope_subject AS envelopeSubject,
         parse_error AS parseError
  FROM dead_letters WHERE summary_id = ?1 AND summarized_at IS NULL
  ORDER BY id LIMIT ?2`;

const MARK_REPORTED = `UPDATE dead_letters SET summarized_at = ?2 WHERE summary_id = ?1 AND summarized_at IS NULL`;

// One ledger row per summary mail, however often the run is retried.
const RECORD_CROSSING = `
  INSERT INTO run_ledger (id, occurred_at, actor_kind, actor_id, pathway, action, reference, metadata)
  VALUES (?1, ?2, 'service', 'dlq-worker', 'email_outbox', 'enqueue', ?3, ?4)
  ON CONFLICT (id) DO NOTHING`;

type ListedRow = Omit<SummaryItem, "envelopeTo"> & { envelopeTo: string | null };

/**
 * The weekly run: when there are unreported dead letters, enqueues one summary mail to the admin on
 * `email_outbox`, then marks them reported and records the crossing in the run ledger.
 */
export async function sendWeeklySummary(env: DlqWorkerEnv, scheduledTime: Date): Promise<void> {
  const to = requireVariable(env, "ADMIN_EMAIL");
  const from = requireVariable(env, "SENDER_EMAIL");
  const producerKey = requireVariable(env, "EMAIL_PRODUCER_KEY");
  const week = isoWeekOf(scheduledTime);
  const summaryId = `dlq-summary-${week}`;

  await env.DB.prepare(CLAIM_UNREPORTED).bind(summaryId).run();
  const { results: tallies } = await env.DB.prepare(TALLY_CLAIMED).bind(summaryId).all<ReasonTally>();
  if (tallies.length === 0) return;
  const { results: listed } = await env.DB.prepare(LIST_CLAIMED).bind(summaryId, SUMMARY_ITEM_LIMIT).all<ListedRow>();
  const items = listed.map((row) => ({ ...row, envelopeTo: row.envelopeTo === null ? null : (JSON.parse(row.envelopeTo) as string[]) }));

  // Signed, so that no other producer can send (or pre-empt) the summary under its predictable id: the drain
  // keys deliveries by the proven producer, `dlq.dlq-summary-<week>`. A retried run signs the same bytes.
  const envelope = await signEnvelope(
    summaryEnvelope({ summaryId, week, tallies, items }, { from, to, createdAt: scheduledTime.toISOString() }),
    producerKey,
  );
  // Explicitly JSON: the drain reads the queue over the HTTP pull API, which cannot decode v8 bodies.
  await env.OUTBOX.send(envelope, { contentType: "json" });

  const enqueuedAt = new Date().toISOString();
  const deadLetters = tallies.reduce((sum, tally) => sum + tally.count, 0);
  await env.DB.batch([
    env.DB.prepare(MARK_REPORTED).bind(summaryId, enqueuedAt),
    env.DB.prepare(RECORD_CROSSING).bind(`email_outbox:${summaryId}`, enqueuedAt, envelope.id, JSON.stringify({ to, week, deadLetters })),
  ]);
}

function requireVariable(env: DlqWorkerEnv, name: "ADMIN_EMAIL" | "SENDER_EMAIL" | "EMAIL_PRODUCER_KEY"): string {
  const value = env[name];
  if (typeof value !== "string" || value.trim() === "") throw new Error(`dlq-worker: the ${name} variable is not set`);
  return value;
}
