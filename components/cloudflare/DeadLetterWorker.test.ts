import { beforeAll, describe, expect, it } from "vitest";
import { buildDlqWorkerBundle, DLQ_WORKER_COMPATIBILITY_DATE, DLQ_WORKER_CRON, DLQ_WORKER_MAIN_MODULE } from "../../apps/dlq-worker/bundle";
import { CF, recordComponents, resourceNamed, unsecret, type ComponentRecording } from "../../test/support/recordComponents";
import { DeadLetterWorker } from "./DeadLetterWorker";

const ACCOUNT = "5d1c7a3e9b2f4e6a8c0d1b3f5a7e9c2d";
const LEDGER_ID = "08d36d65-b59f-4918-a763-7ad4ffc0643a";
const DLQ_ID = "4b4d6cf0d26d00146fba59716aa0a45b";
let recording: ComponentRecording;
const inputsOf = (name: string) => unsecret(resourceNamed(recording.resources, name).inputs) as Record<string, unknown>;

beforeAll(async () => {
  recording = await recordComponents(() => {
    new DeadLetterWorker("dlq-worker", {
      accountId: ACCOUNT,
      scriptName: "harness-dlq-worker",
      ledgerDatabaseId: LEDGER_ID,
      outboxQueueName: "email_outbox",
      deadLetterQueueId: DLQ_ID,
      adminEmail: "admin@sodimo.eu",
      senderEmail: "harness@sodimo.eu",
      producerKey: "ab".repeat(32),
    });
  });
});

describe("DeadLetterWorker", () => {
  it("uploads the dlq-worker bundle as an ES module with its five bindings, the producer key a secret", () => {
    const script = resourceNamed(recording.resources, "dlq-worker-script", CF.workersScript);
    const inputs = unsecret(script.inputs) as Record<string, unknown>;
    expect(inputs).toMatchObject({
      accountId: ACCOUNT,
      scriptName: "harness-dlq-worker",
      mainModule: DLQ_WORKER_MAIN_MODULE,
      compatibilityDate: DLQ_WORKER_COMPATIBILITY_DATE,
    });
    expect(inputs.content).toBe(buildDlqWorkerBundle());
    expect(inputs.bindings).toEqual([
      { name: "DB", type: "d1", id: LEDGER_ID },
      { name: "OUTBOX", type: "queue", queueName: "email_outbox" },
      { name: "ADMIN_EMAIL", type: "plain_text", text: "admin@sodimo.eu" },
      { name: "SENDER_EMAIL", type: "plain_text", text: "harness@sodimo.eu" },
      { name: "EMAIL_PRODUCER_KEY", type: "secret_text", text: "ab".repeat(32) },
    ]);
  });

  it("runs weekly on its cron", () => {
    expect(inputsOf("dlq-worker-cron")).toEqual({
      accountId: ACCOUNT,
      scriptName: "harness-dlq-worker",
      schedules: [{ cron: DLQ_WORKER_CRON }],
    });
    expect(DLQ_WORKER_CRON).toBe("0 8 * * 1");
  });

  it("consumes email_dlq as a Worker, retrying long enough to ride out a D1 outage", () => {
    const consumer = resourceNamed(recording.resources, "dlq-worker-consumer", CF.queueConsumer);
    expect(unsecret(consumer.inputs)).toEqual({
      accountId: ACCOUNT,
      queueId: DLQ_ID,
      type: "worker",
      scriptName: "harness-dlq-worker",
      settings: { batchSize: 10, maxRetries: 100, retryDelay: 300 },
    });
    // Named through the script's output, so the consumer is created once the script exists.
    expect(consumer.dependencies).toContain(resourceNamed(recording.resources, "dlq-worker-script").urn);
  });

  it("has no workers.dev hostname, nor preview URLs", () => {
    expect(inputsOf("dlq-worker-subdomain")).toEqual({
      accountId: ACCOUNT,
      scriptName: "harness-dlq-worker",
      enabled: false,
      previewsEnabled: false,
    });
  });
});
