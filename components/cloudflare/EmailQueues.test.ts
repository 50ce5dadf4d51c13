import { beforeAll, describe, expect, it } from "vitest";
import { fakeHexId } from "../../cli/engine/offlineMocks";
import {
  CF,
  recordComponents,
  resourceNamed,
  resourcesOfType,
  unsecret,
  type ComponentRecording,
} from "../../test/support/recordComponents";
import { EMAIL_DLQ_QUEUE, EMAIL_OUTBOX_QUEUE, EmailQueues, maxRetriesFor, QUEUE_RETENTION_SECONDS } from "./EmailQueues";

const ACCOUNT = "5d1c7a3e9b2f4e6a8c0d1b3f5a7e9c2d";
let recording: ComponentRecording;
const inputsOf = (name: string) => unsecret(resourceNamed(recording.resources, name).inputs) as Record<string, unknown>;

beforeAll(async () => {
  recording = await recordComponents(() => {
    const queues = new EmailQueues("email-queues", { accountId: ACCOUNT });
    return {
      accountId: queues.accountId,
      outboxQueueId: queues.outboxQueueId,
      deadLetterQueueId: queues.deadLetterQueueId,
      deadLetterQueueName: queues.deadLetterQueueName,
    };
  });
});

describe("EmailQueues", () => {
  it("creates email_outbox and email_dlq, keeping messages 14 days", () => {
    const queues = resourcesOfType(recording.resources, CF.queue).map((q) => unsecret(q.inputs));
    expect(queues).toEqual([
      { accountId: ACCOUNT, queueName: "email_outbox", settings: { messageRetentionPeriod: 1_209_600 } },
      { accountId: ACCOUNT, queueName: "email_dlq", settings: { messageRetentionPeriod: 1_209_600 } },
    ]);
    expect(QUEUE_RETENTION_SECONDS).toBe(14 * 86_400);
    expect([EMAIL_OUTBOX_QUEUE, EMAIL_DLQ_QUEUE]).toEqual(["email_outbox", "email_dlq"]);
  });

  it("has the drain pull email_outbox over HTTP, 3 attempts, then email_dlq", () => {
    expect(resourcesOfType(recording.resources, CF.queueConsumer)).toHaveLength(1);
    expect(inputsOf("email-queues-outbox-consumer")).toEqual({
      accountId: ACCOUNT,
      queueId: recording.outputs.outboxQueueId,
      type: "http_pull",
      deadLetterQueue: "email_dlq",
      settings: { maxRetries: 2 },
    });
  });

  it("outputs what the drain needs: the account and both queue ids (32 hex, as the API gives them)", () => {
    expect(recording.outputs).toEqual({
      accountId: ACCOUNT,
      outboxQueueId: fakeHexId(`test/${CF.queue}/email-queues-outbox`),
      deadLetterQueueId: fakeHexId(`test/${CF.queue}/email-queues-dlq`),
      deadLetterQueueName: "email_dlq",
    });
  });

  it.each([
    [1, 0],
    [3, 2],
    [101, 100],
  ])("%i delivery attempts are max_retries %i", (attempts, retries) => {
    expect(maxRetriesFor(attempts)).toBe(retries);
  });

  it.each([0, 102, 2.5])("refuses %s attempts", (attempts) => {
    expect(() => maxRetriesFor(attempts)).toThrow(
      `delivery attempts must be an integer from 1 to 101 (max_retries 0-100), got ${attempts}`,
    );
  });
});
