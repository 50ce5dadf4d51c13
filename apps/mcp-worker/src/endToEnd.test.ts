/**
 * End to end: an agent's MCP call (the official SDK's client, a service token's Access JWT) → the
 * MCP Worker in workerd → the email_outbox queue → the real drain (its bundled process) → Debian's
 * real Postfix (a private, listener-less instance) → a delivered mail.
 *
 * The one stand-in is Cloudflare Queues' HTTP pull API, which does not run here: what workerd's queue
 * delivers is handed to the drain's test API server (apps/email-drain/testSupport/fakeQueuesApi.ts)
 * exactly as enqueued (json).
 *
 * Without Postfix (or root) it is skipped loudly locally and FAILS when CI=true (CI installs the
 * postfix package, see .ci/run), by the guard every real-MTA suite shares
 * (apps/email-drain/testSupport/realMtaSuite.ts).
 */
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startDrain, writeDrainBundle } from "../../email-drain/testSupport/drainProcess";
import { FakeQueuesApi } from "../../email-drain/testSupport/fakeQueuesApi";
import { producerEnvironment } from "../../email-drain/testSupport/producerKeys";
import { POSTFIX_DOMAIN, startPostfixInstance, type PostfixInstance } from "../../email-drain/testSupport/postfixInstance";
import { describeWithPostfix, waitForMail } from "../../email-drain/testSupport/realMtaSuite";
import { AccessIssuer } from "../testSupport/accessIssuer";
import { startMcpWorker, type McpWorkerHarness } from "../testSupport/mcpWorkerHarness";

const ACCOUNT = "d".repeat(32);
const OUTBOX = "1".repeat(32);
const DLQ = "2".repeat(32);
const TOKEN = "mcp-e2e-token-0123456789abcdef";
const AUDIENCE = "c".repeat(64);
const AGENT_CLIENT_ID = "fedcba9876543210fedcba9876543210.access";
const at = (local: string): string => `${local}@${POSTFIX_DOMAIN}`;

describeWithPostfix("an agent's mail from the MCP endpoint to a mailbox", () => {
  let directory: string;
  let postfix: PostfixInstance;
  let api: FakeQueuesApi;
  let issuer: AccessIssuer;
  let worker: McpWorkerHarness;

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), "mcp-e2e-"));
    await chmod(directory, 0o755);
    postfix = await startPostfixInstance(join(directory, "postfix"));
    api = await FakeQueuesApi.start({ accountId: ACCOUNT, apiToken: TOKEN, queues: [{ id: OUTBOX, deadLetterQueueId: DLQ }, { id: DLQ }] });
    issuer = await AccessIssuer.start(AUDIENCE);
    worker = await startMcpWorker({
      issuer: issuer.issuer,
      audience: AUDIENCE,
      senderRules: {
        personDomains: [POSTFIX_DOMAIN],
        serviceTokens: { [AGENT_CLIENT_ID]: { actor: "paperclip-agents", senders: [at("agents")] } },
      },
    });
  });

  afterAll(async () => {
    await worker?.dispose();
    await issuer?.stop();
    await postfix?.stop();
    await api?.stop();
    if (directory) await rm(directory, { recursive: true, force: true });
  });

  it("is delivered by Postfix, with the ledger row naming the agent and the envelope id as Message-ID", async () => {
    const client = await worker.connect(await issuer.serviceToken(AGENT_CLIENT_ID));
    const result = (await client.callTool({
      name: "email_send",
      arguments: {
        to: [`"Lee, Ann" <${at("ann")}>`],
        bcc: [at("archive")],
        subject: "Devis n° 42 — livraison prévue",
        text: "Bonjour Ann,\n\nLe devis = 1 200 €.\n",
        headers: { "X-Paperclip-Run": "run-42" },
        idempotencyKey: "quote-42",
      },
    })) as { isError?: boolean; structuredContent?: { envelopeId: string; ledgerId: string } };
    expect(result.isError).toBeFalsy();
    const envelopeId = result.structuredContent!.envelopeId;

    const queued = await worker.outboxMessages();
    expect(queued).toHaveLength(1);
    api.enqueue(OUTBOX, queued[0], "json");

    const drain = startDrain(
      await writeDrainBundle(directory),
      {
        PATH: process.env.PATH,
        CF_ACCOUNT_ID: ACCOUNT,
        CF_QUEUE_ID: OUTBOX,
        CF_DLQ_QUEUE_ID: DLQ,
        CF_API_TOKEN: TOKEN,
        CF_API_BASE_URL: api.baseUrl,
        ...producerEnvironment({ mcp: { senders: at("agents") } }),
        SENDMAIL_PATH: postfix.sendmailPath,
        JOURNAL_PATH: join(directory, "journal"),
      },
      ["--once"],
    );
    expect(await drain.exited, drain.stdout()).toBe(0);

    const delivered = await waitForMail(postfix, 2);
    const byRecipient = new Map(delivered.map((message) => [message.header("Delivered-To"), message]));
    expect([...byRecipient.keys()].sort()).toEqual([at("ann"), at("archive")]);
    const ann = byRecipient.get(at("ann"));
    expect(ann?.header("From")).toBe(at("agents"));
    expect(ann?.header("Subject")).toBe("Devis n° 42 — livraison prévue");
    expect(ann?.header("Message-ID")).toBe(`<mcp.${envelopeId}@${POSTFIX_DOMAIN}>`);
    expect(ann?.header("X-Paperclip-Run")).toBe("run-42");
    expect(ann?.parts.get("text/plain")).toBe("Bonjour Ann,\n\nLe devis = 1 200 €.\n");
    for (const message of delivered) expect(message.headers.map((h) => h.name.toLowerCase())).not.toContain("bcc");
    expect(api.bodies(DLQ)).toEqual([]);
    expect(await postfix.mailLog()).toMatch(/status=sent/);

    const rows = await worker.ledger
      .prepare("SELECT actor_kind, actor_id, pathway, action, reference FROM run_ledger WHERE id = ?1")
      .bind(result.structuredContent!.ledgerId)
      .all();
    expect(rows.results).toEqual([
      { actor_kind: "agent", actor_id: "paperclip-agents", pathway: "mcp", action: "email_send", reference: envelopeId },
    ]);
  });
});
