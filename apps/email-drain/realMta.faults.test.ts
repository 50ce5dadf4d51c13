/**
 * Fault tests of the drain through the real Postfix (testSupport/postfixInstance.ts): Debian's sendmail and
 * postdrop commit every message; only what happens around them is staged, by a wrapper script used as
 * SENDMAIL_PATH that picks its behaviour from the recipient's local part:
 *
 *   ok-*            runs Postfix's sendmail
 *   hang-after-*    runs Postfix's sendmail (the mail is queued), then hangs until the drain's timeout kills it
 *   signal-after-*  runs Postfix's sendmail, then dies by SIGKILL
 *   hang-before-*   hangs before calling Postfix's sendmail (killed by the timeout: nothing is queued)
 *
 * After the drain has settled everything, each envelope is enqueued a second time (a producer's retry, or the
 * queue redelivering), and the invariants are: no Message-ID reaches a mailbox twice (0 duplicates), and every
 * envelope is either in the mailbox or in email_dlq with a reason (0 losses).
 *
 * The id-forgery case: before the dead-letter Worker's real weekly summary (rendered and signed by its own
 * code, apps/dlq-worker), another producer enqueues envelopes under the summary's predictable id
 * `dlq-summary-<week>`: claiming to be `dlq` with its own key, replaying a signature of another summary,
 * and as itself. The real summary must still be delivered, once, and nothing else sent as it.
 * Without Postfix (or root) it is skipped loudly locally and FAILS when CI=true (testSupport/realMtaSuite.ts).
 */
import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { summaryEnvelope, type DeadLetterSummary } from "../dlq-worker/src/summaryEmail";
import type { EmailEnvelope, UnsignedEnvelope } from "../email-envelope/envelope";
import { signEnvelope } from "../email-envelope/producerAuth";
import type { DeadLetterRecord } from "./drain";
import { startDrain, writeDrainBundle } from "./testSupport/drainProcess";
import { FakeQueuesApi } from "./testSupport/fakeQueuesApi";
import type { ParsedMessage } from "./testSupport/mime";
import { POSTFIX_DOMAIN, startPostfixInstance, type PostfixInstance } from "./testSupport/postfixInstance";
import { producerEnvironment, signAsSync, TEST_PRODUCER_KEYS } from "./testSupport/producerKeys";
import { describeWithPostfix, waitForEmptyQueue, waitForMail } from "./testSupport/realMtaSuite";

const ACCOUNT = "e".repeat(32);
const OUTBOX = "1".repeat(32);
const DLQ = "2".repeat(32);
const TOKEN = "real-mta-faults-token-0123456789abcdef";
const at = (local: string): string => `${local}@${POSTFIX_DOMAIN}`;

describeWithPostfix("drain fault tests through a real Postfix", () => {
  let directory: string;
  let postfix: PostfixInstance;
  let api: FakeQueuesApi;
  let bundle: string;
  let sendmailPath: string;

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), "drain-postfix-faults-"));
    await chmod(directory, 0o755);
    postfix = await startPostfixInstance(join(directory, "postfix"));
    api = await FakeQueuesApi.start({ accountId: ACCOUNT, apiToken: TOKEN, queues: [{ id: OUTBOX, deadLetterQueueId: DLQ }, { id: DLQ }] });
    bundle = await writeDrainBundle(directory);
    sendmailPath = join(directory, "sendmail-faults");
    // The last argument is the (only) recipient. The sleeps are detached from the drain's pipes.
    await writeFile(
      sendmailPath,
      [
        "#!/bin/sh",
        "for rcpt; do :; done",
        'case "$rcpt" in',
        `  hang-after-*) '${postfix.sendmailPath}' "$@"; sleep 20 </dev/null >/dev/null 2>&1 ;;`,
        `  signal-after-*) '${postfix.sendmailPath}' "$@"; kill -KILL $$ ;;`,
        `  hang-before-*) sleep 20 </dev/null >/dev/null 2>&1; exec '${postfix.sendmailPath}' "$@" ;;`,
        `  *) exec '${postfix.sendmailPath}' "$@" ;;`,
        "esac",
        "",
      ].join("\n"),
      { mode: 0o755 },
    );
  });

  afterAll(async () => {
    await postfix?.stop();
    await api?.stop();
    await rm(directory, { recursive: true, force: true });
  });

  async function drainOnce(extra: NodeJS.ProcessEnv = {}): Promise<string> {
    const drain = startDrain(
      bundle,
      {
        PATH: process.env.PATH,
        CF_ACCOUNT_ID: ACCOUNT,
        CF_QUEUE_ID: OUTBOX,
        CF_DLQ_QUEUE_ID: DLQ,
        CF_API_TOKEN: TOKEN,
        CF_API_BASE_URL: api.baseUrl,
        ...producerEnvironment({ mcp: { senders: `${at("agent")},${at("agents")}` }, dlq: { senders: at("harness"), replyTo: "none" } }),
        SENDMAIL_PATH: sendmailPath,
        SENDMAIL_TIMEOUT_MS: "1500",
        API_TIMEOUT_MS: "2000",
        VISIBILITY_TIMEOUT_MS: "120000",
        PULL_BATCH_SIZE: "100",
        JOURNAL_PATH: join(directory, "journal"),
        ...extra,
      },
      ["--once"],
    );
    const code = await drain.exited;
    if (code !== 0) throw new Error(`drain exited with ${code}:\n${drain.stdout()}`);
    return drain.stdout();
  }

  it("never sends a second copy after a sendmail timeout or signal: 0 duplicates, 0 losses", async () => {
    const kinds = ["ok", "hang-after", "signal-after", "hang-before"] as const;
    const envelopes: EmailEnvelope[] = kinds.flatMap((kind) =>
      [1, 2].map((n) =>
        signAsSync({
          v: 2,
          producer: "mcp",
          id: `fault-${kind}-${n}`,
          from: at("agent"),
          to: [at(`${kind}-${n}`)],
          subject: `${kind} ${n}`,
          text: `Message ${kind} ${n}.\n`,
        }),
      ),
    );
    await rm(postfix.newMailDirectory, { recursive: true, force: true });
    for (const envelope of envelopes) api.enqueue(OUTBOX, envelope);
    await drainOnce();
    expect(api.pending(OUTBOX)).toBe(0);
    // Every envelope again: what was sent is acked, what is uncertain is dead-lettered again.
    for (const envelope of envelopes) api.enqueue(OUTBOX, envelope);
    await drainOnce();
    expect(api.pending(OUTBOX)).toBe(0);

    await waitForMail(postfix, 6);
    await waitForEmptyQueue(postfix);
    const delivered = byMessageId(await waitForMail(postfix, 6, 0));
    const deadLetters = deadLettersById(api.bodies(DLQ));

    const problems: string[] = [];
    for (const envelope of envelopes) {
      const copies = delivered.get(`<mcp.${envelope.id}@${POSTFIX_DOMAIN}>`) ?? 0;
      const reasons = deadLetters.get(envelope.id) ?? [];
      if (copies > 1) problems.push(`${envelope.id}: ${copies} copies delivered`);
      if (copies === 0 && reasons.length === 0) problems.push(`${envelope.id}: lost (neither delivered nor dead-lettered)`);
      if (reasons.some((reason) => reason !== "delivery-uncertain")) problems.push(`${envelope.id}: dead-lettered as ${reasons.join(",")}`);
    }
    expect(problems).toEqual([]);

    // What each fault did: Postfix had the mail when sendmail was stopped after the hand-off, not before it.
    const summary = Object.fromEntries(
      envelopes.map((envelope) => [
        envelope.id,
        { delivered: delivered.get(`<mcp.${envelope.id}@${POSTFIX_DOMAIN}>`) ?? 0, deadLetters: deadLetters.get(envelope.id)?.length ?? 0 },
      ]),
    );
    expect(summary).toEqual({
      "fault-ok-1": { delivered: 1, deadLetters: 0 },
      "fault-ok-2": { delivered: 1, deadLetters: 0 },
      "fault-hang-after-1": { delivered: 1, deadLetters: 2 },
      "fault-hang-after-2": { delivered: 1, deadLetters: 2 },
      "fault-signal-after-1": { delivered: 1, deadLetters: 2 },
      "fault-signal-after-2": { delivered: 1, deadLetters: 2 },
      "fault-hang-before-1": { delivered: 0, deadLetters: 2 },
      "fault-hang-before-2": { delivered: 0, deadLetters: 2 },
    });
  });

  it("a forged dlq-summary-<week> from another producer does not stop the real summary: 0 duplicates, 0 losses", async () => {
    await rm(postfix.newMailDirectory, { recursive: true, force: true });
    const earlierDeadLetters = api.bodies(DLQ).length;
    const week = "2026-W49";
    const summary = (summaryId: string): DeadLetterSummary => ({
      summaryId,
      week,
      tallies: [
        { reason: "undelivered", count: 1, oldestReceivedAt: "2026-12-01T10:00:00.000Z", newestReceivedAt: "2026-12-01T10:00:00.000Z" },
      ],
      items: [],
    });
    const addressing = { from: `Harness <${at("harness")}>`, to: at("admin"), createdAt: "2026-11-30T08:00:00.000Z" };
    // What the dead-letter Worker enqueues (its own rendering, signed with its key), and last week's.
    const real = await signEnvelope(summaryEnvelope(summary(`dlq-summary-${week}`), addressing), TEST_PRODUCER_KEYS.dlq);
    const lastWeek = await signEnvelope(summaryEnvelope(summary("dlq-summary-2026-W48"), addressing), TEST_PRODUCER_KEYS.dlq);
    const forgedBody: UnsignedEnvelope = {
      ...summaryEnvelope(summary(`dlq-summary-${week}`), addressing),
      subject: "Nothing to report",
      text: "All is well.\n",
    };
    const forgeries = {
      // mcp's key, claiming to be dlq
      claimsDlq: signAsSync(forgedBody, "mcp"),
      // a real dlq signature, of last week's summary, on this week's id
      replayed: { ...forgedBody, auth: lastWeek.auth },
      // unsigned garbage in the auth field
      unsigned: { ...forgedBody, auth: `hmac-sha256:${"0".repeat(64)}` },
      // mcp as itself under the same id, but as dlq's sender
      asDlqSender: signAsSync({ ...forgedBody, producer: "mcp" }),
    };
    // mcp as itself under the same id and its own sender: its own namespace, a mail of its own.
    const ownNamespace = signAsSync({ ...forgedBody, producer: "mcp", from: at("agents"), to: [at("admin2")] });
    for (const forged of Object.values(forgeries)) api.enqueue(OUTBOX, forged);
    api.enqueue(OUTBOX, ownNamespace);
    await drainOnce();
    // The real summary after the forgeries, and again (a retried Worker run renders the same envelope).
    api.enqueue(OUTBOX, real);
    api.enqueue(OUTBOX, JSON.stringify(real), "text");
    await drainOnce();
    expect(api.pending(OUTBOX)).toBe(0);

    await waitForMail(postfix, 2);
    await waitForEmptyQueue(postfix);
    const mail = await waitForMail(postfix, 2, 0);
    expect(byMessageId(mail)).toEqual(
      new Map([
        [`<dlq.dlq-summary-${week}@${POSTFIX_DOMAIN}>`, 1],
        [`<mcp.dlq-summary-${week}@${POSTFIX_DOMAIN}>`, 1],
      ]),
    );
    const delivered = mail.find((message) => message.header("Message-ID") === `<dlq.dlq-summary-${week}@${POSTFIX_DOMAIN}>`);
    expect(delivered?.header("Delivered-To")).toBe(at("admin"));
    expect(delivered?.header("Subject")).toBe(real.subject);
    expect(delivered?.parts.get("text/plain")).toBe(real.text);

    const records = api.bodies(DLQ).slice(earlierDeadLetters) as DeadLetterRecord[];
    expect(records.map(({ reason, producer, envelopeId }) => ({ reason, producer, envelopeId }))).toEqual([
      { reason: "producer-not-authenticated", producer: "dlq", envelopeId: `dlq-summary-${week}` },
      { reason: "producer-not-authenticated", producer: "dlq", envelopeId: `dlq-summary-${week}` },
      { reason: "producer-not-authenticated", producer: "dlq", envelopeId: `dlq-summary-${week}` },
      { reason: "sender-not-allowed", producer: "mcp", envelopeId: `dlq-summary-${week}` },
    ]);
    // Nothing forged reached a mailbox: the forged subject only in the mail mcp sent as itself.
    expect(mail.filter((message) => message.header("Subject") === "Nothing to report").map((m) => m.header("Delivered-To"))).toEqual([
      at("admin2"),
    ]);
  });
});

function byMessageId(messages: readonly ParsedMessage[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const message of messages) {
    const id = message.header("Message-ID") ?? "(none)";
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
}

function deadLettersById(bodies: readonly unknown[]): Map<string, string[]> {
  const reasons = new Map<string, string[]>();
  for (const body of bodies) {
    const record = body as DeadLetterRecord;
    const id = record.envelopeId ?? "(no envelope id)";
    reasons.set(id, [...(reasons.get(id) ?? []), record.reason]);
  }
  return reasons;
}
