import type { D1Database, MessageBatch } from "@cloudflare/workers-types/2023-07-01";
import { describeDeadLetter } from "./deadLetter";

// ON CONFLICT rather than INSERT OR IGNORE: OR IGNORE would also skip, silently, a row that breaks a
// NOT NULL or CHECK constraint, and its message would then be acked without being recorded.
const INSERT_DEAD_LETTER = `
  INSERT INTO dead_letters (
    queue, message_id, enqueued_at, received_at, attempts, reason, body, body_encoding, parse_error,
    envelope_id, envelope_from, envelope_to, envelope_subject
  ) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)
  ON CONFLICT (queue, message_id) DO NOTHING`;

/**
 * Records every message of a dead-letter batch in `dead_letters`, malformed ones included, and acks
 * each one only once its row is written; a message whose write fails is retried. A re-delivered
 * message finds its row already there and is acked again.
 */
export async function recordDeadLetters(batch: MessageBatch<unknown>, db: D1Database): Promise<void> {
  // Each message is acked or retried explicitly: when the handler returns, the queue acks whatever
  // was left undecided, which would lose a message whose write had failed.
  for (const message of batch.messages) {
    try {
      const content = describeDeadLetter(message.body);
      await db
        .prepare(INSERT_DEAD_LETTER)
        .bind(
          batch.queue,
          message.id,
          message.timestamp.toISOString(),
          new Date().toISOString(),
          message.attempts,
          content.reason,
          content.body,
          content.bodyEncoding,
          content.parseError,
          content.envelopeId,
          content.envelopeFrom,
          content.envelopeTo === null ? null : JSON.stringify(content.envelopeTo),
          content.envelopeSubject,
        )
        .run();
      message.ack();
    } catch (error) {
      console.error(`dead letter ${message.id} on ${batch.queue} not recorded, retrying:`, error);
      message.retry();
    }
  }
}
