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
 * Without Postfix (or root) it is skipped loudly locally and FAILS when CI=true (testSupport/realMtaSuite.ts).
 */
import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { EmailEnvelope } from "../email-envelope/envelope";
import type { DeadLetterRecord } from "./drain";
import { startDrain, writeDrainBundle } from "./testSupport/drainProcess";
import { FakeQueuesApi } from "./testSupport/fakeQueuesApi";
import type { ParsedMessage } from "./testSupport/mime";
import { POSTFIX_DOMAIN, startPostfixInstance, type PostfixInstance } from "./testSupport/postfixInstance";
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
        ALLOWED_SENDERS: `@${POSTFIX_DOMAIN}`,
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
      [1, 2].map((n) => ({
        v: 1 as const,
        id: `fault-${kind}-${n}`,
        from: at("agent"),
        to: [at(`${kind}-${n}`)],
        subject: `${kind} ${n}`,
        text: `Message ${kind} ${n}.\n`,
      })),
    );
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
      const copies = delivered.get(`<${envelope.id}@${POSTFIX_DOMAIN}>`) ?? 0;
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
        { delivered: delivered.get(`<${envelope.id}@${POSTFIX_DOMAIN}>`) ?? 0, deadLetters: deadLetters.get(envelope.id)?.length ?? 0 },
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
