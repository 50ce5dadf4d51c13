// The bundled Worker in workerd (Miniflare), on a ledger database migrated by wrangler, fed through
// a real email_dlq queue, with what it enqueues on email_outbox captured by a second worker.
import type { D1Database } from "@cloudflare/workers-types/experimental";
import { Miniflare } from "miniflare";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LocalD1 } from "../../../test/support/localD1";
import { TEST_PRODUCER_KEYS } from "../../email-drain/testSupport/producerKeys";
import type { EmailEnvelope } from "../../email-envelope/envelope";
import { verifyEnvelopeAuth } from "../../email-envelope/producerAuth";
import { parseEnvelopeJson } from "../../email-envelope/validateEnvelope";
import {
  buildDlqWorkerBundle,
  DLQ_WORKER_BINDINGS,
  DLQ_WORKER_COMPATIBILITY_DATE,
  DLQ_WORKER_CRON,
  DLQ_WORKER_MAIN_MODULE,
} from "../bundle";

const ADMIN_EMAIL = "admin@example.com";
const SENDER_EMAIL = "Paperclip <paperclip@example.com>";

// Feeds email_dlq and email_outbox from the test, and records everything that reaches email_outbox.
const HARNESS_SCRIPT = `
export default {
  async queue(batch, env) {
    for (const message of batch.messages) {
      await env.CAPTURED.prepare("INSERT INTO outbox (body) VALUES (?1)").bind(JSON.stringify(message.body)).run();
      message.ack();
    }
  },
};`;

const wellFormed: EmailEnvelope = {
  v: 2,
  producer: "mcp",
  id: "mail-well-formed",
  from: "Agent <agent@example.com>",
  to: ["someone@example.org"],
  subject: "Quarterly numbers",
  text: "Attached.",
  auth: "hmac-sha256:0000000000000000000000000000000000000000000000000000000000000000",
};

interface DeadLetterRow {
  queue: string;
  message_id: string;
  attempts: number;
  reason: string;
  body: string;
  body_encoding: string;
  parse_error: string | null;
  envelope_id: string | null;
  envelope_from: string | null;
  envelope_to: string | null;
  envelope_subject: string | null;
  summary_id: string | null;
  summarized_at: string | null;
}

let localD1: LocalD1;
let mf: Miniflare;
let ledger: D1Database;
let captured: D1Database;
let sentinels = 0;

beforeAll(async () => {
  localD1 = new LocalD1();
  const migration = await localD1.applyMigrations("ledger");
  if (migration.exitCode !== 0) throw new Error(`ledger migrations failed: ${migration.stderr || migration.stdout}`);

  const bindings = DLQ_WORKER_BINDINGS;
  mf = new Miniflare({
    host: "127.0.0.1",
    d1Persist: localD1.d1Persist,
    workers: [
      {
        name: "dlq-worker",
        modules: [{ type: "ESModule", path: DLQ_WORKER_MAIN_MODULE, contents: buildDlqWorkerBundle() }],
        compatibilityDate: DLQ_WORKER_COMPATIBILITY_DATE,
        d1Databases: { [bindings.ledgerDatabase.name]: LocalD1.databaseId("ledger") },
        queueProducers: { [bindings.outboxQueue.name]: { queueName: "email_outbox" } },
        queueConsumers: { email_dlq: { maxBatchSize: 10, maxBatchTimeout: 0, maxRetries: 2 } },
        bindings: {
          [bindings.adminEmail.name]: ADMIN_EMAIL,
          [bindings.senderEmail.name]: SENDER_EMAIL,
          [bindings.producerKey.name]: TEST_PRODUCER_KEYS.dlq,
        },
      },
      {
        name: "harness",
        modules: true,
        script: HARNESS_SCRIPT,
        compatibilityDate: DLQ_WORKER_COMPATIBILITY_DATE,
        d1Databases: { CAPTURED: "captured-outbox" },
        queueProducers: { DEAD_LETTERS: { queueName: "email_dlq" }, OUTBOX: { queueName: "email_outbox" } },
        queueConsumers: { email_outbox: { maxBatchSize: 100, maxBatchTimeout: 0 } },
      },
    ],
  });
  ledger = await mf.getD1Database(bindings.ledgerDatabase.name, "dlq-worker");
  captured = await mf.getD1Database("CAPTURED", "harness");
  await captured.prepare("CREATE TABLE outbox (id INTEGER PRIMARY KEY, body TEXT NOT NULL)").run();
});

afterAll(async () => {
  await mf?.dispose();
  localD1?.remove();
});

async function sendDeadLetter(body: unknown, contentType: "json" | "text" | "bytes"): Promise<void> {
  const deadLetters = await mf.getQueueProducer("DEAD_LETTERS", "harness");
  await deadLetters.send(body, { contentType });
}

/** Polls until `read` gives a value `done` accepts: queue delivery is asynchronous. */
async function waitFor<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`gave up waiting; last value: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function rowsWhere(condition: string, ...values: unknown[]): Promise<DeadLetterRow[]> {
  return ledger
    .prepare(`SELECT * FROM dead_letters WHERE ${condition} ORDER BY id`)
    .bind(...values)
    .all<DeadLetterRow>()
    .then((result) => result.results);
}

/**
 * Everything email_outbox has delivered so far. The queue delivers in order, so once a sentinel
 * sent now has arrived, so has anything the Worker enqueued before it.
 */
async function outboxMessages(): Promise<unknown[]> {
  const sentinel = { sentinel: ++sentinels };
  await (await mf.getQueueProducer("OUTBOX", "harness")).send(sentinel, { contentType: "json" });
  const bodies = await waitFor(
    async () =>
      (await captured.prepare("SELECT body FROM outbox ORDER BY id").all<{ body: string }>()).results.map(
        (row) => JSON.parse(row.body) as unknown,
      ),
    (messages) => messages.some((message) => JSON.stringify(message) === JSON.stringify(sentinel)),
  );
  return bodies.filter((body) => typeof body !== "object" || body === null || !("sentinel" in body));
}

async function runWeekly(scheduledTime: string): Promise<void> {
  const worker = await mf.getWorker("dlq-worker");
  const result = await worker.scheduled({ scheduledTime: new Date(scheduledTime), cron: DLQ_WORKER_CRON });
  expect(result.outcome).toBe("ok");
}

/** The shape the drain expects of an `email_outbox` message (apps/email-envelope/envelope.ts). */
function expectEmailEnvelopeShape(value: unknown): asserts value is EmailEnvelope {
  const allowedKeys = [
    "v",
    "producer",
    "id",
    "from",
    "to",
    "cc",
    "bcc",
    "replyTo",
    "subject",
    "text",
    "html",
    "headers",
    "createdAt",
    "meta",
    "auth",
  ];
  expect(value).toBeTypeOf("object");
  const envelope = value as Record<string, unknown>;
  expect(Object.keys(envelope).filter((key) => !allowedKeys.includes(key))).toEqual([]);
  expect(envelope).toMatchObject({ v: 2, id: expect.any(String), from: expect.any(String), subject: expect.any(String) });
  expect(envelope["to"]).toEqual([expect.any(String)]);
  expect(typeof envelope["text"] === "string" || typeof envelope["html"] === "string").toBe(true);
  expect(new Date(String(envelope["createdAt"])).toISOString()).toBe(envelope["createdAt"]);
  expect(Object.values(envelope["meta"] as object).every((item) => typeof item === "string")).toBe(true);
}

describe("dead letters from email_dlq", () => {
  it("records a well-formed envelope with its fields", async () => {
    await sendDeadLetter(wellFormed, "json");
    const [row] = await waitFor(
      () => rowsWhere("envelope_id = ?1", wellFormed.id),
      (rows) => rows.length > 0,
    );
    expect(row).toMatchObject({
      queue: "email_dlq",
      attempts: 1,
      reason: "undelivered",
      body: JSON.stringify(wellFormed),
      body_encoding: "json",
      parse_error: null,
      envelope_from: "Agent <agent@example.com>",
      envelope_to: '["someone@example.org"]',
      envelope_subject: "Quarterly numbers",
      summary_id: null,
      summarized_at: null,
    });
  });

  it("records malformed messages instead of dropping them", async () => {
    const missingRecipients = { v: 2, id: "mail-without-recipients", from: "agent@example.com", subject: "?", text: "…" };
    await sendDeadLetter("send this to the boss", "text");
    await sendDeadLetter(new Uint8Array([0xc3, 0x28, 0x42]), "bytes");
    await sendDeadLetter(missingRecipients, "json");

    const rows = await waitFor(
      () => rowsWhere("reason = 'malformed'"),
      (found) => found.length >= 3,
    );
    expect(rows).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          body: "send this to the boss",
          body_encoding: "text",
          parse_error: expect.stringMatching(/^body is not JSON/),
        }),
        expect.objectContaining({ body: "wyhC", body_encoding: "base64", parse_error: "body is bytes that are not UTF-8 text" }),
        expect.objectContaining({
          body: JSON.stringify(missingRecipients),
          parse_error: "to is not a non-empty list of strings",
          envelope_id: "mail-without-recipients",
          envelope_to: null,
        }),
      ]),
    );
  });

  it("adds no row when a message is delivered again", async () => {
    const worker = await mf.getWorker("dlq-worker");
    const message = { id: "redelivered-message", timestamp: new Date("2026-07-01T09:00:00Z"), body: { ...wellFormed, id: "mail-twice" } };
    const first = await worker.queue("email_dlq", [{ ...message, attempts: 1 }]);
    const second = await worker.queue("email_dlq", [{ ...message, attempts: 2 }]);

    expect(first.explicitAcks).toEqual(["redelivered-message"]);
    expect(second.explicitAcks).toEqual(["redelivered-message"]);
    const rows = await rowsWhere("message_id = ?1", "redelivered-message");
    expect(rows.map((row) => row.attempts)).toEqual([1]);
  });

  it("retries, rather than acks, a message whose row could not be written", async () => {
    await ledger
      .prepare(
        `CREATE TRIGGER fail_one_insert BEFORE INSERT ON dead_letters WHEN NEW.message_id = 'unwritable'
         BEGIN SELECT RAISE(ABORT, 'injected D1 failure'); END`,
      )
      .run();
    try {
      const worker = await mf.getWorker("dlq-worker");
      const timestamp = new Date();
      const result = await worker.queue("email_dlq", [
        { id: "writable", timestamp, attempts: 1, body: "fine" },
        { id: "unwritable", timestamp, attempts: 1, body: "fine too" },
      ]);
      expect(result).toMatchObject({ outcome: "ok", ackAll: false, explicitAcks: ["writable"], retryMessages: [{ msgId: "unwritable" }] });
      expect(await rowsWhere("message_id IN ('writable', 'unwritable')")).toEqual([expect.objectContaining({ message_id: "writable" })]);
    } finally {
      await ledger.prepare("DROP TRIGGER fail_one_insert").run();
    }
  });
});

describe("the weekly summary, week by week", () => {
  const week28 = "2026-07-06T08:00:00.000Z";
  const week29 = "2026-07-13T08:00:00.000Z";

  it("enqueues exactly one summary of the unreported dead letters, to the admin", async () => {
    const unreported = await rowsWhere("summarized_at IS NULL");
    expect(unreported.length).toBeGreaterThan(0);

    await runWeekly(week28);

    const messages = await outboxMessages();
    expect(messages).toHaveLength(1);
    const [summary] = messages;
    expectEmailEnvelopeShape(summary);
    // Signed as producer dlq with the Worker's key: what the drain verifies before it de-duplicates.
    const parsed = parseEnvelopeJson(JSON.stringify(summary));
    if (!parsed.ok) expect.fail(parsed.reason);
    expect(parsed.value.producer).toBe("dlq");
    expect(await verifyEnvelopeAuth(parsed.value.signedText, parsed.value.auth, TEST_PRODUCER_KEYS.dlq)).toBe(true);
    expect(await verifyEnvelopeAuth(parsed.value.signedText, parsed.value.auth, TEST_PRODUCER_KEYS.mcp)).toBe(false);
    expect(summary).toMatchObject({
      id: "dlq-summary-2026-W28",
      from: SENDER_EMAIL,
      to: [ADMIN_EMAIL],
      subject: `[email_dlq] ${unreported.length} dead letters, week 2026-W28`,
      createdAt: week28,
    });
    for (const row of unreported) expect(summary.text).toContain(`queue message ${row.message_id}`);
  });

  it("marks what it reported and records the mail in the run ledger", async () => {
    expect(await rowsWhere("summarized_at IS NULL")).toEqual([]);
    expect(await rowsWhere("summary_id IS NOT 'dlq-summary-2026-W28'")).toEqual([]);
    const crossings = await ledger.prepare("SELECT * FROM run_ledger").all();
    expect(crossings.results).toEqual([
      expect.objectContaining({
        pathway: "email_outbox",
        actor_kind: "service",
        actor_id: "dlq-worker",
        reference: "dlq-summary-2026-W28",
      }),
    ]);
  });

  it("enqueues nothing when run again with nothing new", async () => {
    await runWeekly(week28);
    await runWeekly(week29);
    expect(await outboxMessages()).toHaveLength(1);
  });

  it("leaves a dead letter that arrives after the week's summary for the next week", async () => {
    await sendDeadLetter({ ...wellFormed, id: "mail-late" }, "json");
    await waitFor(
      () => rowsWhere("envelope_id = 'mail-late'"),
      (rows) => rows.length === 1,
    );

    await runWeekly(week28);
    expect(await outboxMessages()).toHaveLength(1);

    await runWeekly("2026-07-20T08:00:00.000Z");
    const messages = await outboxMessages();
    expect(messages).toHaveLength(2);
    expect(messages[1]).toMatchObject({ id: "dlq-summary-2026-W30", subject: "[email_dlq] 1 dead letter, week 2026-W30" });
  });

  it("re-sends the identical mail when a retried run finds its rows unmarked", async () => {
    // As if the run had enqueued its mail and failed before marking the rows.
    await ledger.prepare("UPDATE dead_letters SET summarized_at = NULL WHERE summary_id = 'dlq-summary-2026-W30'").run();
    await sendDeadLetter({ ...wellFormed, id: "mail-during-retry" }, "json");
    await waitFor(
      () => rowsWhere("envelope_id = 'mail-during-retry'"),
      (rows) => rows.length === 1,
    );

    await runWeekly("2026-07-20T08:00:00.000Z");
    const messages = await outboxMessages();
    expect(messages).toHaveLength(3);
    expect(messages[2]).toEqual(messages[1]);
    expect(await rowsWhere("envelope_id = 'mail-during-retry' AND summary_id IS NULL")).toHaveLength(1);
  });
});

describe("HTTP", () => {
  it("has no interface: every request is a 404", async () => {
    const response = await mf.dispatchFetch("http://localhost/anything", { method: "POST" });
    expect(response.status).toBe(404);
    await response.text();
  });
});
