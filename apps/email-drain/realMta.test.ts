/**
 * The drain through a real MTA: Debian's Postfix, as a private instance (testSupport/postfixInstance.ts).
 * Without Postfix (or root) it is skipped loudly locally and FAILS when CI=true (testSupport/realMtaSuite.ts).
 */
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { UnsignedEnvelope } from "../email-envelope/envelope";
import { startDrain, writeDrainBundle } from "./testSupport/drainProcess";
import { FakeQueuesApi } from "./testSupport/fakeQueuesApi";
import { POSTFIX_DOMAIN, startPostfixInstance, type PostfixInstance } from "./testSupport/postfixInstance";
import { producerEnvironment, signAsSync } from "./testSupport/producerKeys";
import { describeWithPostfix, waitForMail } from "./testSupport/realMtaSuite";

const ACCOUNT = "d".repeat(32);
const OUTBOX = "1".repeat(32);
const DLQ = "2".repeat(32);
const TOKEN = "real-mta-token-0123456789abcdef";
const at = (local: string): string => `${local}@${POSTFIX_DOMAIN}`;

describeWithPostfix("the drain through a real Postfix", () => {
  let directory: string;
  let postfix: PostfixInstance;
  let api: FakeQueuesApi;

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), "drain-postfix-"));
    await chmod(directory, 0o755);
    postfix = await startPostfixInstance(join(directory, "postfix"));
    api = await FakeQueuesApi.start({ accountId: ACCOUNT, apiToken: TOKEN, queues: [{ id: OUTBOX, deadLetterQueueId: DLQ }, { id: DLQ }] });
  });

  afterAll(async () => {
    await postfix?.stop();
    await api?.stop();
    await rm(directory, { recursive: true, force: true });
  });

  it("delivers to every recipient, Bcc included but never shown, with headers and bodies intact", async () => {
    const multipart: UnsignedEnvelope = {
      v: 2,
      producer: "mcp",
      id: "mta-1",
      from: `Zoë Agent <${at("agent")}>`,
      to: [`"Lee, Ann" <${at("ann")}>`],
      cc: [at("carl")],
      bcc: [at("hidden")],
      replyTo: at("sales"),
      subject: "Devis n° 42 — livraison prévue 🎉",
      text: "Bonjour Ann,\n.\nLe devis = 1 200 €.\nFrom the agent\n",
      html: "<p>Bonjour Ann,</p><p>Le devis = 1&nbsp;200&nbsp;€.</p>",
      headers: { "X-Paperclip-Run": "run-42" },
    };
    const plain: UnsignedEnvelope = {
      v: 2,
      producer: "mcp",
      id: "mta-2",
      from: at("agent"),
      to: [at("bob")],
      subject: "Plain",
      text: "Just text.",
    };
    api.enqueue(OUTBOX, signAsSync(multipart));
    api.enqueue(OUTBOX, JSON.stringify(signAsSync(plain)), "text");
    api.enqueue(OUTBOX, signAsSync({ ...plain, id: "mta-3", from: "intruder@evil.example" }));

    const drain = startDrain(
      await writeDrainBundle(directory),
      {
        PATH: process.env.PATH,
        CF_ACCOUNT_ID: ACCOUNT,
        CF_QUEUE_ID: OUTBOX,
        CF_DLQ_QUEUE_ID: DLQ,
        CF_API_TOKEN: TOKEN,
        CF_API_BASE_URL: api.baseUrl,
        ...producerEnvironment({ mcp: { senders: at("agent"), replyTo: at("sales") } }),
        SENDMAIL_PATH: postfix.sendmailPath,
        JOURNAL_PATH: join(directory, "journal"),
      },
      ["--once"],
    );
    expect(await drain.exited).toBe(0);

    const delivered = await waitForMail(postfix, 4);
    const byRecipient = new Map(delivered.map((message) => [message.header("Delivered-To"), message]));
    expect([...byRecipient.keys()].sort()).toEqual([at("ann"), at("bob"), at("carl"), at("hidden")]);
    for (const message of delivered) expect(message.headers.map((h) => h.name.toLowerCase())).not.toContain("bcc");

    const ann = byRecipient.get(at("ann"));
    expect(ann?.header("Subject")).toBe(multipart.subject);
    expect(ann?.header("From")).toBe(`Zoë Agent <${at("agent")}>`);
    expect(ann?.header("To")).toBe(`"Lee, Ann" <${at("ann")}>`);
    expect(ann?.header("Cc")).toBe(at("carl"));
    expect(ann?.header("Reply-To")).toBe(at("sales"));
    expect(ann?.header("Message-ID")).toBe(`<mcp.mta-1@${POSTFIX_DOMAIN}>`);
    expect(ann?.header("Return-Path")).toBe(`<${at("agent")}>`);
    expect(ann?.header("X-Paperclip-Run")).toBe("run-42");
    expect(ann?.parts.get("text/plain")).toBe(multipart.text);
    expect(ann?.parts.get("text/html")).toBe(multipart.html);
    expect(byRecipient.get(at("hidden"))?.header("Message-ID")).toBe(`<mcp.mta-1@${POSTFIX_DOMAIN}>`);
    expect(byRecipient.get(at("bob"))?.parts.get("text/plain")).toBe("Just text.");

    expect(api.bodies(DLQ)).toEqual([expect.objectContaining({ reason: "sender-not-allowed", envelopeId: "mta-3" })]);
    expect(await postfix.mailLog()).toMatch(/status=sent/);
  });
});
