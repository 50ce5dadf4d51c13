import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { EmailEnvelope, UnsignedEnvelope } from "../email-envelope/envelope";
import { deadLetterRecord, EmailDrain, uniqueRecipients, type DrainSettings } from "./drain";
import { DeliveryJournal } from "./journal";
import { createLogger } from "./log";
import { CloudflareQueuesClient, type PulledMessage } from "./queueClient";
import { runSendmail, type SendmailOutcome, type SendmailRequest } from "./sendmail";
import { FakeQueuesApi, type ContentType } from "./testSupport/fakeQueuesApi";
import { FakeSendmail, type FakeSendmailMode } from "./testSupport/fakeSendmail";
import { signAsSync, testProducers } from "./testSupport/producerKeys";
import { parseMessage } from "./testSupport/mime";

const ACCOUNT = "a".repeat(32);
const OUTBOX = "1".repeat(32);
const DLQ = "2".repeat(32);
const TOKEN = "drain-test-token-0123456789abcdef";
const BODY_MARKER = "BODY-MARKER-never-logged";

const SETTINGS: DrainSettings = {
  batchSize: 10,
  visibilityTimeoutMs: 5_000,
  apiTimeoutMs: 500,
  sendmailTimeoutMs: 500,
  retryBaseDelaySeconds: 30,
  retryMaxDelaySeconds: 600,
  idlePollMinMs: 10,
  idlePollMaxMs: 20,
};

let directory: string;
let api: FakeQueuesApi;
let journal: DeliveryJournal;
let fakeSendmail: FakeSendmail;
let logLines: string[];

beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), "drain-"));
  api = await FakeQueuesApi.start({
    accountId: ACCOUNT,
    apiToken: TOKEN,
    queues: [{ id: OUTBOX, maxAttempts: 3, deadLetterQueueId: DLQ }, { id: DLQ }],
    msPerDelaySecond: 1,
  });
  journal = (await DeliveryJournal.open(join(directory, "journal"), { retentionMs: 60_000 })).journal;
  fakeSendmail = await FakeSendmail.create(join(directory, "sendmail"));
  logLines = [];
});

afterEach(async () => {
  await journal.close();
  await api.stop();
  await rm(directory, { recursive: true, force: true });
  const logs = logLines.join("");
  expect(logs).not.toContain(TOKEN);
  expect(logs).not.toContain(BODY_MARKER);
});

function drain(
  overrides: { settings?: Partial<DrainSettings>; sendmail?: (request: SendmailRequest) => Promise<SendmailOutcome> } = {},
): EmailDrain {
  return new EmailDrain(
    { ...SETTINGS, ...overrides.settings },
    {
      queue: new CloudflareQueuesClient({
        baseUrl: api.baseUrl,
        accountId: ACCOUNT,
        queueId: OUTBOX,
        deadLetterQueueId: DLQ,
        apiToken: TOKEN,
        timeoutMs: SETTINGS.apiTimeoutMs,
      }),
      journal,
      producers: testProducers({ mcp: { senders: "*@sodimo.eu" } }),
      sendmail:
        overrides.sendmail ??
        ((request) => runSendmail({ path: fakeSendmail.path, timeoutMs: SETTINGS.sendmailTimeoutMs, env: process.env }, request)),
      log: createLogger({ level: "debug", write: (line) => logLines.push(line) }),
    },
  );
}

/** A test envelope of producer mcp, signed with its key. */
function envelope(id: string, overrides: Partial<UnsignedEnvelope> = {}): EmailEnvelope {
  return signAsSync({
    v: 2,
    producer: "mcp",
    id,
    from: "Agent <agent@sodimo.eu>",
    to: ["client@example.com"],
    subject: "Hi",
    text: `Hello ${BODY_MARKER}`,
    ...overrides,
  });
}

function enqueue(value: unknown, contentType?: ContentType): void {
  api.enqueue(OUTBOX, value, contentType);
}

async function setMode(mode: FakeSendmailMode): Promise<void> {
  await fakeSendmail.setMode(mode);
}

describe("EmailDrain", () => {
  it("delivers a valid message once, acks it and journals it as sent", async () => {
    enqueue(envelope("m-1", { cc: ["c@example.com"], bcc: ["client@EXAMPLE.com", "hidden@example.net"] }));
    const summary = await drain().runCycle();
    expect(summary).toMatchObject({ pulled: 1, delivered: 1, deadLettered: 0, retried: 0 });
    const [delivery] = await fakeSendmail.deliveries();
    expect(delivery?.args).toEqual(["-i", "-f", "agent@sodimo.eu", "--", "client@example.com", "c@example.com", "hidden@example.net"]);
    expect(parseMessage(delivery?.message ?? "").header("Message-ID")).toBe("<mcp.m-1@sodimo.eu>");
    expect(delivery?.message).not.toMatch(/^Bcc:/im);
    expect(api.pending(OUTBOX)).toBe(0);
    expect(journal.stateOf("mcp.m-1")).toBe("sent");
  });

  it("acks a redelivered id that the journal says was sent, without sending again", async () => {
    await journal.record("mcp.m-2", "sent");
    enqueue(envelope("m-2"));
    expect(await drain().runCycle()).toMatchObject({ duplicates: 1, delivered: 0 });
    expect(await fakeSendmail.deliveries()).toEqual([]);
    expect(api.pending(OUTBOX)).toBe(0);
  });

  it("dead-letters an id whose earlier send was interrupted, instead of risking a duplicate", async () => {
    await journal.record("mcp.m-3", "sending");
    enqueue(envelope("m-3"));
    expect(await drain().runCycle()).toMatchObject({ deadLettered: 1 });
    expect(await fakeSendmail.deliveries()).toEqual([]);
    expect(api.bodies(DLQ)).toEqual([expect.objectContaining({ reason: "delivery-uncertain", envelopeId: "m-3", attempts: 1 })]);
  });

  it.each([
    [
      "a disallowed sender",
      envelope("m-4", { from: "boss@evil.example" }),
      "json",
      "sender-not-allowed",
      "sender boss@evil.example is not allowed for producer mcp (PRODUCER_MCP_SENDERS)",
    ],
    ["invalid JSON", '{"v":1,', "text", "invalid-envelope", "body is not valid JSON"],
    [
      "an invalid envelope",
      envelope("m-5", { subject: "a\r\nBcc: x@example.com" }),
      "json",
      "invalid-envelope",
      "subject: contains a control character (CR, LF, NUL, TAB…)",
    ],
    ["a v8 body", "AAAA", "v8", "undecodable-body", "content type v8 cannot be decoded outside Workers (send json or text)"],
  ] as const)("dead-letters %s with its reason, then acks it", async (_name, value, contentType, reason, detail) => {
    enqueue(value, contentType);
    expect(await drain().runCycle()).toMatchObject({ deadLettered: 1, delivered: 0 });
    const [record, ...others] = api.bodies(DLQ);
    expect(others).toEqual([]);
    const original = typeof value === "string" ? value : JSON.stringify(value);
    expect(record).toMatchObject({ reason, detail, original, attempts: 1, queueMessageId: expect.stringMatching(/^msg-/) });
    expect(api.pending(OUTBOX)).toBe(0);
    expect(await fakeSendmail.deliveries()).toEqual([]);
  });

  it("retries a sendmail failure with a delay growing with attempts, until the queue dead-letters it", async () => {
    await setMode("tempfail");
    enqueue(envelope("m-6"));
    const queueDrain = drain();
    for (let attempt = 1; attempt <= 3; attempt += 1) {
      expect(await queueDrain.runCycle()).toMatchObject({ pulled: 1, retried: 1 });
      expect(journal.stateOf("mcp.m-6")).toBe("not-sent");
      await new Promise((resolve) => setTimeout(resolve, 30 * 2 ** attempt + 20));
    }
    const delays = logLines
      .map((line) => JSON.parse(line) as { msg: string; delaySeconds?: number })
      .filter((line) => line.msg === "sendmail failed; will retry")
      .map((line) => line.delaySeconds);
    expect(delays).toEqual([30, 60, 120]);
    expect(api.pending(OUTBOX)).toBe(0);
    expect(api.bodies(DLQ)).toEqual([envelope("m-6")]);
  });

  it("does not ack a reject whose dead-letter send failed, and dead-letters it on redelivery", async () => {
    enqueue(envelope("m-7", { from: "x@evil.example" }));
    api.setFaults({ serverError: 1 }, ["send", "ack"]);
    expect(await drain({ settings: { visibilityTimeoutMs: 2_600 } }).runCycle()).toMatchObject({ retried: 1, deadLettered: 0 });
    api.setFaults({ serverError: 0 });
    expect(api.pending(OUTBOX)).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 2_700));
    expect(await drain().runCycle()).toMatchObject({ deadLettered: 1 });
    expect(api.bodies(DLQ)).toEqual([expect.objectContaining({ reason: "sender-not-allowed", attempts: 2 })]);
  });

  it.each([
    ["a timeout", { kind: "timeout", stderr: "" }, "sendmail timed out and was killed after the message was handed to it"],
    ["a signal", { kind: "signal", signal: "SIGKILL", stderr: "" }, "sendmail was killed by SIGKILL after the message was handed to it"],
  ] as const)("dead-letters %s as delivery-uncertain and never runs sendmail again for the id", async (_name, outcome, detail) => {
    let runs = 0;
    const uncertain = drain({
      sendmail: async () => {
        runs += 1;
        return outcome;
      },
    });
    enqueue(envelope("m-u"));
    expect(await uncertain.runCycle()).toMatchObject({ deadLettered: 1, retried: 0 });
    expect(journal.stateOf("mcp.m-u")).toBe("sending");
    // The producer (or the queue) delivers the same id again: dead-lettered again, sendmail not run.
    enqueue(envelope("m-u"));
    expect(await uncertain.runCycle()).toMatchObject({ deadLettered: 1, delivered: 0 });
    expect(runs).toBe(1);
    const records = api.bodies(DLQ) as Array<{ reason: string; detail: string }>;
    expect(records.map((record) => record.reason)).toEqual(["delivery-uncertain", "delivery-uncertain"]);
    expect(records[0]?.detail).toContain(detail);
    expect(records[0]?.detail).toContain("Message-ID <mcp.m-u@sodimo.eu>");
  });

  it("releases what is left of a batch once the leases cannot cover another message", async () => {
    await setMode("hang");
    for (const id of ["m-8", "m-9", "m-10"]) enqueue(envelope(id));
    // budget = 500 + 1000 + 2 × 500 = 2500 ms; after the first message times out only ~1 s of lease is left.
    const summary = await drain({ settings: { visibilityTimeoutMs: 3_000 } }).runCycle();
    expect(summary).toMatchObject({ pulled: 3, deadLettered: 1, released: 2 });
    expect(journal.stateOf("mcp.m-8")).toBe("sending");
    expect([journal.stateOf("mcp.m-9"), journal.stateOf("mcp.m-10")]).toEqual([undefined, undefined]);
  });

  it("on stop() finishes the message in flight, releases the rest and returns", async () => {
    for (const id of ["m-11", "m-12", "m-13"]) enqueue(envelope(id));
    const sent: string[] = [];
    const stoppable = drain({
      sendmail: async (request) => {
        sent.push(request.message);
        stoppable.stop();
        return { kind: "sent" };
      },
    });
    await stoppable.run();
    expect(sent).toHaveLength(1);
    expect(journal.stateOf("mcp.m-11")).toBe("sent");
    expect(api.pending(OUTBOX)).toBe(2);
    expect((await drain().runCycle()).pulled).toBe(2);
  });

  it("keeps polling an empty queue until stopped", async () => {
    const idle = drain();
    const running = idle.run();
    await new Promise((resolve) => setTimeout(resolve, 100));
    idle.stop();
    await running;
    expect(api.stats.pulls).toBeGreaterThan(2);
  });
});

describe("EmailDrain with two producers", () => {
  const rules = {
    mcp: { senders: "agents@sodimo.eu,agent-*@sodimo.eu" },
    dlq: { senders: "harness@sodimo.eu", replyTo: "none" },
  };
  function twoProducerDrain(): EmailDrain {
    return new EmailDrain(SETTINGS, {
      queue: new CloudflareQueuesClient({
        baseUrl: api.baseUrl,
        accountId: ACCOUNT,
        queueId: OUTBOX,
        deadLetterQueueId: DLQ,
        apiToken: TOKEN,
        timeoutMs: SETTINGS.apiTimeoutMs,
      }),
      journal,
      producers: testProducers(rules),
      sendmail: (request) => runSendmail({ path: fakeSendmail.path, timeoutMs: SETTINGS.sendmailTimeoutMs, env: process.env }, request),
      log: createLogger({ level: "debug", write: (line) => logLines.push(line) }),
    });
  }
  const summary = (overrides: Partial<UnsignedEnvelope> = {}): UnsignedEnvelope => ({
    v: 2,
    producer: "dlq",
    id: "dlq-summary-2026-W49",
    from: "harness@sodimo.eu",
    to: ["admin@sodimo.eu"],
    subject: "[email_dlq] 3 dead letters",
    text: "…",
    ...overrides,
  });

  it.each([
    [
      "names another producer (signed with its own key)",
      signAsSync(summary(), "mcp"),
      "the signature does not verify with producer dlq's key",
    ],
    ["names an unknown producer", signAsSync(summary({ producer: "other" })), "producer other is not in PRODUCERS"],
    ["was altered after signing", { ...signAsSync(summary()), to: ["intruder@evil.example"] }, "the signature does not verify"],
    [
      "has a signature of another envelope",
      { ...summary(), auth: signAsSync(summary({ id: "dlq-summary-2026-W48" })).auth },
      "does not verify",
    ],
  ])("dead-letters an envelope that %s without touching the journal", async (_name, forged, detail) => {
    enqueue(forged);
    expect(await twoProducerDrain().runCycle()).toMatchObject({ deadLettered: 1, delivered: 0, duplicates: 0 });
    expect(api.bodies(DLQ)).toEqual([
      expect.objectContaining({ reason: "producer-not-authenticated", detail: expect.stringContaining(detail) }),
    ]);
    expect(journal.stateOf("dlq.dlq-summary-2026-W49")).toBeUndefined();
    expect(await fakeSendmail.deliveries()).toEqual([]);
  });

  it("keeps each producer's ids apart: the same id from two producers is two mails", async () => {
    enqueue(signAsSync(summary({ producer: "mcp", from: "agents@sodimo.eu" })));
    enqueue(signAsSync(summary()));
    expect(await twoProducerDrain().runCycle()).toMatchObject({ delivered: 2, duplicates: 0 });
    expect([journal.stateOf("mcp.dlq-summary-2026-W49"), journal.stateOf("dlq.dlq-summary-2026-W49")]).toEqual(["sent", "sent"]);
    const ids = (await fakeSendmail.deliveries()).map((delivery) => parseMessage(delivery.message).header("Message-ID"));
    expect(ids.sort()).toEqual(["<dlq.dlq-summary-2026-W49@sodimo.eu>", "<mcp.dlq-summary-2026-W49@sodimo.eu>"]);
  });

  it.each([
    ["mcp as an exact address", summary({ producer: "mcp", from: "agents@sodimo.eu" }), undefined],
    ["mcp as a local-part pattern", summary({ producer: "mcp", from: "Sales <agent-sales@sodimo.eu>" }), undefined],
    [
      "mcp as dlq's address",
      summary({ producer: "mcp", from: "harness@sodimo.eu" }),
      "sender harness@sodimo.eu is not allowed for producer mcp",
    ],
    ["mcp as ceo", summary({ producer: "mcp", from: "ceo@sodimo.eu" }), "sender ceo@sodimo.eu is not allowed for producer mcp"],
    ["mcp with a pattern's prefix only", summary({ producer: "mcp", from: "agent@sodimo.eu" }), "not allowed for producer mcp"],
    ["dlq as mcp's address", summary({ from: "agents@sodimo.eu" }), "sender agents@sodimo.eu is not allowed for producer dlq"],
    [
      "mcp with Reply-To one of its senders (the default rule)",
      summary({ producer: "mcp", from: "agents@sodimo.eu", replyTo: "agent-x@sodimo.eu" }),
      undefined,
    ],
    [
      "mcp with Reply-To elsewhere",
      summary({ producer: "mcp", from: "agents@sodimo.eu", replyTo: "harvest@evil.example" }),
      "Reply-To harvest@evil.example is not allowed for producer mcp (PRODUCER_MCP_REPLY_TO, unset: only the PRODUCER_MCP_SENDERS addresses)",
    ],
    [
      "dlq with any Reply-To (none allowed)",
      summary({ replyTo: "harness@sodimo.eu" }),
      "Reply-To harness@sodimo.eu is not allowed for producer dlq",
    ],
  ])("applies the sender rules per producer: %s", async (_name, unsigned, detail) => {
    enqueue(signAsSync(unsigned));
    const result = await twoProducerDrain().runCycle();
    if (detail === undefined) {
      expect(result).toMatchObject({ delivered: 1 });
    } else {
      expect(result).toMatchObject({ deadLettered: 1, delivered: 0 });
      expect(api.bodies(DLQ)).toEqual([expect.objectContaining({ reason: "sender-not-allowed", detail: expect.stringContaining(detail) })]);
    }
  });
});

describe("uniqueRecipients", () => {
  it("keeps the first spelling of each address, comparing domains case-insensitively", () => {
    const mailbox = (address: string) => {
      const [localPart = "", domain = ""] = address.split("@");
      return { address, localPart, domain };
    };
    expect(
      uniqueRecipients({
        to: [mailbox("a@example.com"), mailbox("A@example.com")],
        cc: [mailbox("a@EXAMPLE.com")],
        bcc: [mailbox("b@example.com")],
      }),
    ).toEqual(["a@example.com", "A@example.com", "b@example.com"]);
  });
});

describe("deadLetterRecord", () => {
  const message: PulledMessage = {
    id: "q-1",
    leaseId: "l",
    attempts: 2,
    timestampMs: Date.UTC(2026, 10, 20),
    body: "",
    contentType: "text",
  };

  it("wraps the original with the reason and times", () => {
    expect(deadLetterRecord(message, "{}", "invalid-envelope", "id: must be a string", new Date(Date.UTC(2026, 10, 21)))).toEqual({
      reason: "invalid-envelope",
      detail: "id: must be a string",
      original: "{}",
      receivedAt: "2026-11-21T00:00:00.000Z",
      enqueuedAt: "2026-11-20T00:00:00.000Z",
      attempts: 2,
      queueMessageId: "q-1",
    });
  });

  it("truncates a large original so the record fits in a queue message", () => {
    const record = deadLetterRecord(message, '"'.repeat(200_000), "invalid-envelope", "x", new Date(0));
    expect(record.originalTruncated).toBe(true);
    expect(Buffer.byteLength(JSON.stringify(record))).toBeLessThan(128 * 1024);
  });
});
