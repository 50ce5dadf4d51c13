/**
 * Throughput of the email drain: messages per second through the fake Cloudflare Queues API (127.0.0.1) and a
 * fast fake sendmail (`exec cat > /dev/null`: one process per message, as a real sendmail costs at least),
 * with the real journal (two fsyncs per message) in a temporary directory, for a few pull batch sizes.
 *
 *   npx tsx cli/bench/emailDrain.ts [--messages 400]
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { signAsSync, testProducers } from "../../apps/email-drain/testSupport/producerKeys";
import { EmailDrain } from "../../apps/email-drain/drain";
import { DeliveryJournal } from "../../apps/email-drain/journal";
import { createLogger } from "../../apps/email-drain/log";
import { CloudflareQueuesClient } from "../../apps/email-drain/queueClient";
import { runSendmail } from "../../apps/email-drain/sendmail";
import { FakeQueuesApi } from "../../apps/email-drain/testSupport/fakeQueuesApi";

const ACCOUNT = "b".repeat(32);
const OUTBOX = "1".repeat(32);
const DLQ = "2".repeat(32);
const TOKEN = "bench-token-0123456789abcdefghij";
const BATCH_SIZES = [1, 10, 50, 100];

async function measure(batchSize: number, messages: number): Promise<number> {
  const directory = await mkdtemp(join(tmpdir(), "drain-bench-"));
  const api = await FakeQueuesApi.start({
    accountId: ACCOUNT,
    apiToken: TOKEN,
    queues: [{ id: OUTBOX, deadLetterQueueId: DLQ }, { id: DLQ }],
  });
  const { journal } = await DeliveryJournal.open(join(directory, "journal"), { retentionMs: 86_400_000 });
  const sendmailPath = join(directory, "sendmail");
  await writeFile(sendmailPath, "#!/bin/sh\nexec cat > /dev/null\n", { mode: 0o755 });
  try {
    for (let index = 0; index < messages; index += 1) {
      api.enqueue(
        OUTBOX,
        signAsSync({
          v: 2,
          producer: "mcp",
          id: `bench-${index}`,
          from: "Agent <agent@sodimo.eu>",
          to: ["client@example.com"],
          subject: `Quote ${index}`,
          text: "Hello,\n\nplease find the quote below.\n".repeat(20),
        }),
      );
    }
    const drain = new EmailDrain(
      {
        batchSize,
        visibilityTimeoutMs: 300_000,
        apiTimeoutMs: 15_000,
        sendmailTimeoutMs: 30_000,
        retryBaseDelaySeconds: 120,
        retryMaxDelaySeconds: 3_600,
        idlePollMinMs: 10,
        idlePollMaxMs: 10,
      },
      {
        queue: new CloudflareQueuesClient({
          baseUrl: api.baseUrl,
          accountId: ACCOUNT,
          queueId: OUTBOX,
          deadLetterQueueId: DLQ,
          apiToken: TOKEN,
          timeoutMs: 15_000,
        }),
        journal,
        producers: testProducers({ mcp: { senders: "agent@sodimo.eu" } }),
        sendmail: (request) => runSendmail({ path: sendmailPath, timeoutMs: 30_000, env: process.env }, request),
        log: createLogger({ level: "error", write: (line) => void process.stderr.write(line) }),
      },
    );
    const started = process.hrtime.bigint();
    let delivered = 0;
    while (delivered < messages) delivered += (await drain.runCycle()).delivered;
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    if (api.pending(OUTBOX) !== 0) throw new Error("bench: messages left in the queue");
    return messages / seconds;
  } finally {
    await journal.close();
    await api.stop();
    await rm(directory, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { messages: { type: "string", default: "400" } } });
  const messages = Number(values.messages);
  if (!Number.isInteger(messages) || messages < 1) throw new Error("--messages must be a positive integer");
  console.log(`email drain throughput: ${messages} messages per batch size; fake Queues API, cat as sendmail, fsync'd journal`);
  console.log("batch size  messages/s");
  for (const batchSize of BATCH_SIZES) {
    const rate = await measure(batchSize, messages);
    console.log(`${String(batchSize).padStart(10)}  ${rate.toFixed(1).padStart(10)}`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
