import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CloudflareQueuesClient, decodeMessageBody, QueueApiError } from "./queueClient";
import { FakeQueuesApi } from "./testSupport/fakeQueuesApi";

const ACCOUNT = "a".repeat(32);
const OUTBOX = "1".repeat(32);
const DLQ = "2".repeat(32);
const TOKEN = "test-token-0123456789-abcdefghij";

let api: FakeQueuesApi;

beforeEach(async () => {
  api = await FakeQueuesApi.start({
    accountId: ACCOUNT,
    apiToken: TOKEN,
    queues: [{ id: OUTBOX, maxAttempts: 3, deadLetterQueueId: DLQ }, { id: DLQ }],
    msPerDelaySecond: 10,
  });
});

afterEach(async () => {
  await api.stop();
});

function client(overrides: Partial<ConstructorParameters<typeof CloudflareQueuesClient>[0]> = {}): CloudflareQueuesClient {
  return new CloudflareQueuesClient({
    baseUrl: api.baseUrl,
    accountId: ACCOUNT,
    queueId: OUTBOX,
    deadLetterQueueId: DLQ,
    apiToken: TOKEN,
    timeoutMs: 500,
    ...overrides,
  });
}

async function failure(promise: Promise<unknown>): Promise<QueueApiError> {
  const error: unknown = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!(error instanceof QueueApiError)) throw new Error(`expected a QueueApiError, got ${String(error)}`);
  return error;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("CloudflareQueuesClient against the fake API", () => {
  it("pulls messages with their lease, attempts and content type", async () => {
    api.enqueue(OUTBOX, { hello: "wörld" });
    api.enqueue(OUTBOX, '{"plain":true}');
    const { messages, unusable } = await client().pull({ batchSize: 10, visibilityTimeoutMs: 5_000 });
    expect(unusable).toBe(0);
    expect(messages.map((m) => [m.attempts, m.contentType, decodeMessageBody(m)])).toEqual([
      [1, "json", { ok: true, value: '{"hello":"wörld"}' }],
      [1, "text", { ok: true, value: '{"plain":true}' }],
    ]);
    expect(messages[0]?.leaseId).toMatch(/^lease-/);
  });

  it("acks, and retries with a delay that counts an attempt", async () => {
    api.enqueue(OUTBOX, "a");
    api.enqueue(OUTBOX, "b");
    const queue = client();
    const first = await queue.pull({ batchSize: 10, visibilityTimeoutMs: 5_000 });
    const [a, b] = first.messages;
    await queue.settle({ acks: [a?.leaseId ?? ""], retries: [{ leaseId: b?.leaseId ?? "", delaySeconds: 3 }] });
    expect((await queue.pull({ batchSize: 10, visibilityTimeoutMs: 5_000 })).messages).toEqual([]);
    await sleep(40);
    const again = await queue.pull({ batchSize: 10, visibilityTimeoutMs: 5_000 });
    expect(again.messages.map((m) => [m.body, m.attempts])).toEqual([["b", 2]]);
    expect(api.pending(OUTBOX)).toBe(1);
  });

  it("redelivers after the visibility timeout and dead-letters after the third attempt", async () => {
    api.enqueue(OUTBOX, "stuck");
    const queue = client();
    for (let attempt = 1; attempt <= 3; attempt += 1) {
      const { messages } = await queue.pull({ batchSize: 1, visibilityTimeoutMs: 20 });
      expect(messages.map((m) => m.attempts)).toEqual([attempt]);
      await sleep(30);
    }
    expect(api.pending(OUTBOX)).toBe(0);
    expect(api.bodies(DLQ)).toEqual(["stuck"]);
  });

  it("accepts a late ack by an expired lease", async () => {
    api.enqueue(OUTBOX, "late");
    const queue = client();
    const { messages } = await queue.pull({ batchSize: 1, visibilityTimeoutMs: 10 });
    await sleep(20);
    await queue.settle({ acks: [messages[0]?.leaseId ?? ""], retries: [] });
    expect(api.pending(OUTBOX)).toBe(0);
  });

  it("sends dead letters as json objects", async () => {
    await client().sendToDeadLetterQueue({ reason: "sender-not-allowed", attempts: 1 });
    expect(api.bodies(DLQ)).toEqual([{ reason: "sender-not-allowed", attempts: 1 }]);
  });

  it("classifies a bad token and a wrong queue as configuration problems", async () => {
    const auth = await failure(client({ apiToken: "wrong-token-0123456789-abcdefgh" }).pull({ batchSize: 1, visibilityTimeoutMs: 1_000 }));
    expect([auth.kind, auth.status, auth.isConfigurationProblem]).toEqual(["auth", 401, true]);
    expect(auth.message).toBe("pull: HTTP 401: [10000] Authentication error");
    const missing = await failure(client({ queueId: "3".repeat(32) }).pull({ batchSize: 1, visibilityTimeoutMs: 1_000 }));
    expect([missing.kind, missing.isConfigurationProblem]).toEqual(["not-found", true]);
  });

  it("classifies injected faults as transient", async () => {
    api.setFaults({ serverError: 1 });
    expect((await failure(client().settle({ acks: ["x"], retries: [] }))).kind).toBe("server");
    api.setFaults({ serverError: 0, drop: 1 });
    expect((await failure(client().pull({ batchSize: 1, visibilityTimeoutMs: 1_000 }))).kind).toBe("network");
    api.setFaults({ drop: 0, hang: 1 });
    const timeout = await failure(client({ timeoutMs: 100 }).sendToDeadLetterQueue({}));
    expect([timeout.kind, timeout.isConfigurationProblem]).toEqual(["timeout", false]);
  });

  it("loses the response but applies the request on an injected lost response", async () => {
    api.enqueue(OUTBOX, "x");
    const queue = client();
    const { messages } = await queue.pull({ batchSize: 1, visibilityTimeoutMs: 5_000 });
    api.setFaults({ serverErrorAfterApplying: 1 });
    expect((await failure(queue.settle({ acks: [messages[0]?.leaseId ?? ""], retries: [] }))).status).toBe(502);
    expect(api.pending(OUTBOX)).toBe(0);
  });
});

describe("decodeMessageBody", () => {
  it.each([
    ["text", "plain {", { ok: true, value: "plain {" }],
    ["json", Buffer.from('{"a":1}').toString("base64"), { ok: true, value: '{"a":1}' }],
    ["bytes", Buffer.from("ünï").toString("base64"), { ok: true, value: "ünï" }],
    [undefined, Buffer.from("{}").toString("base64"), { ok: true, value: "{}" }],
    ["json", '{"not":"base64"}', { ok: true, value: '{"not":"base64"}' }],
    ["bytes", Buffer.from([0xff, 0xfe]).toString("base64"), { ok: false, reason: "base64 body is not UTF-8" }],
    ["v8", "AAAA", { ok: false, reason: "content type v8 cannot be decoded outside Workers (send json or text)" }],
    ["avro", "{}", { ok: false, reason: "unknown content type" }],
  ])("decodes content type %s", (contentType, body, expected) => {
    expect(decodeMessageBody({ contentType, body })).toEqual(expected);
  });
});
