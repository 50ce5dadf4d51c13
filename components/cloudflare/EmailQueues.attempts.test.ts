// What `maxRetriesFor(EMAIL_OUTBOX_DELIVERY_ATTEMPTS)` means in workerd's own queue broker (Miniflare):
// a message that fails every delivery is delivered exactly that many times, then lands in the dead-letter
// queue. The production consumer is an HTTP pull consumer, which Miniflare does not emulate; the retry
// count is the consumer's setting either way (docs/cloudflare.md, "3 attempts").
import { Miniflare } from "miniflare";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EMAIL_DLQ_QUEUE, EMAIL_OUTBOX_DELIVERY_ATTEMPTS, EMAIL_OUTBOX_QUEUE, maxRetriesFor } from "./EmailQueues";

const FAILING_CONSUMER = `
export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    if (url.pathname === "/send") {
      await env.OUTBOX.send({ id: url.searchParams.get("id") });
      return new Response("queued", { status: 202 });
    }
    const { results } = await env.DB.prepare("SELECT queue, id, attempts FROM deliveries ORDER BY rowid").all();
    return Response.json(results);
  },
  async queue(batch, env) {
    for (const message of batch.messages) {
      await env.DB.prepare("INSERT INTO deliveries (queue, id, attempts) VALUES (?1, ?2, ?3)")
        .bind(batch.queue, message.body.id, message.attempts).run();
      // The outbox's consumer fails every time (sendmail down); the dead-letter queue's acknowledges.
      if (batch.queue === "${EMAIL_OUTBOX_QUEUE}") message.retry(); else message.ack();
    }
  },
};`;

let mf: Miniflare;

beforeAll(async () => {
  mf = new Miniflare({
    modules: true,
    script: FAILING_CONSUMER,
    compatibilityDate: "2026-04-01",
    host: "127.0.0.1",
    d1Databases: { DB: "deliveries" },
    queueProducers: { OUTBOX: { queueName: EMAIL_OUTBOX_QUEUE } },
    queueConsumers: {
      [EMAIL_OUTBOX_QUEUE]: {
        maxBatchSize: 1,
        maxBatchTimeout: 0,
        retryDelay: 0,
        maxRetries: maxRetriesFor(EMAIL_OUTBOX_DELIVERY_ATTEMPTS),
        deadLetterQueue: EMAIL_DLQ_QUEUE,
      },
      [EMAIL_DLQ_QUEUE]: { maxBatchSize: 1, maxBatchTimeout: 0 },
    },
  });
  const db = await mf.getD1Database("DB");
  await db.exec("CREATE TABLE deliveries (queue TEXT NOT NULL, id TEXT NOT NULL, attempts INTEGER NOT NULL)");
});
afterAll(async () => {
  await mf.dispose();
});

describe(`${EMAIL_OUTBOX_DELIVERY_ATTEMPTS} delivery attempts on ${EMAIL_OUTBOX_QUEUE}`, () => {
  it("delivers a failing message exactly 3 times, then moves it to email_dlq", async () => {
    expect((await mf.dispatchFetch("http://localhost/send?id=stuck")).status).toBe(202);
    let deliveries: Array<{ queue: string; id: string; attempts: number }> = [];
    // Not a timing assertion: wait until the message reaches the dead-letter queue, however long it takes.
    for (let poll = 0; poll < 200 && !deliveries.some((d) => d.queue === EMAIL_DLQ_QUEUE); poll++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      deliveries = (await (await mf.dispatchFetch("http://localhost/log")).json()) as typeof deliveries;
    }
    expect(deliveries).toEqual([
      { queue: "email_outbox", id: "stuck", attempts: 1 },
      { queue: "email_outbox", id: "stuck", attempts: 2 },
      { queue: "email_outbox", id: "stuck", attempts: 3 },
      { queue: "email_dlq", id: "stuck", attempts: 1 },
    ]);
  });
});
