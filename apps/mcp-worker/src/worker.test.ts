// The bundled MCP Worker in workerd (Miniflare), called by the official MCP SDK's client over
// Streamable HTTP, with Access tokens signed by a local key whose JWKS a loopback server publishes.
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SenderAllowList } from "../../email-drain/allowList";
import { decodeMessageBody } from "../../email-drain/queueClient";
import { TEST_PRODUCER_KEYS } from "../../email-drain/testSupport/producerKeys";
import { verifyEnvelopeAuth } from "../../email-envelope/producerAuth";
import { parseEnvelopeJson } from "../../email-envelope/validateEnvelope";
import { AccessIssuer } from "../testSupport/accessIssuer";
import { startMcpWorker, type McpWorkerHarness } from "../testSupport/mcpWorkerHarness";
import { emailSend, envelopeIdFor, type EmailSendDependencies } from "./emailSend";
import { SenderRules } from "./senderRules";

const AUDIENCE = "a".repeat(64);
const AGENT_CLIENT_ID = "0123456789abcdef0123456789abcdef.access";
const PERSON = "ann@sodimo.test";
const AGENT_SENDER = "agents@sodimo.test";

let issuer: AccessIssuer;
let harness: McpWorkerHarness;

beforeAll(async () => {
  issuer = await AccessIssuer.start(AUDIENCE);
  harness = await startMcpWorker({
    issuer: issuer.issuer,
    audience: AUDIENCE,
    senderRules: {
      personDomains: ["sodimo.test"],
      serviceTokens: { [AGENT_CLIENT_ID]: { actor: "paperclip-agents", senders: [AGENT_SENDER] } },
    },
  });
});

afterAll(async () => {
  await harness?.dispose();
  await issuer?.stop();
});

type ToolResult = { isError?: boolean; content: Array<{ type: string; text?: string }>; structuredContent?: Record<string, unknown> };

async function call(client: Client, name: string, args: Record<string, unknown>): Promise<ToolResult> {
  return (await client.callTool({ name, arguments: args })) as ToolResult;
}

const textOf = (result: ToolResult): string => result.content.map((item) => item.text ?? "").join("\n");

describe("the MCP endpoint", () => {
  it("lists exactly email_send and ledger_recent, ledger_recent read-only", async () => {
    const client = await harness.connect(await issuer.serviceToken(AGENT_CLIENT_ID));
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name).sort()).toEqual(["email_send", "ledger_recent"]);
    expect(tools.find((tool) => tool.name === "ledger_recent")?.annotations?.readOnlyHint).toBe(true);
    expect(tools.find((tool) => tool.name === "email_send")?.description).toContain(AGENT_SENDER);
    expect(tools.find((tool) => tool.name === "email_send")?.inputSchema.required).toEqual(expect.arrayContaining(["to", "subject"]));
  });

  it("email_send enqueues exactly one message, which the drain's own parser accepts, and records it", async () => {
    const before = await harness.outboxMessages();
    const client = await harness.connect(await issuer.serviceToken(AGENT_CLIENT_ID));
    const result = await call(client, "email_send", {
      to: ['"Lee, Ann" <ann@example.com>'],
      subject: "Devis n° 42",
      text: "Bonjour,\n\nVoici le devis.\n",
      idempotencyKey: "quote-42",
    });
    expect(result.isError, textOf(result)).toBeFalsy();
    const envelopeId = await envelopeIdFor({ kind: "agent", id: "paperclip-agents" }, "quote-42");
    expect(result.structuredContent).toMatchObject({ envelopeId, recipients: 1 });

    const after = await harness.outboxMessages();
    expect(after.length - before.length).toBe(1);
    const body = after[after.length - 1];
    // What the drain does with a pulled json message: decode, parse and validate, check the sender.
    const decoded = decodeMessageBody({ body: JSON.stringify(body), contentType: "text" });
    expect(decoded.ok).toBe(true);
    const parsed = parseEnvelopeJson(decoded.ok ? decoded.value : "");
    if (!parsed.ok) expect.fail(parsed.reason);
    const allowList = SenderAllowList.parse(AGENT_SENDER);
    if (!allowList.ok) expect.fail(allowList.reason);
    expect(allowList.value.allows(parsed.value.from)).toBe(true);
    expect(parsed.value).toMatchObject({
      id: envelopeId,
      subject: "Devis n° 42",
      to: [{ displayName: "Lee, Ann", address: "ann@example.com" }],
    });
    expect(parsed.value.producer).toBe("mcp");
    expect(parsed.value.meta).toMatchObject({ actor: "agent:paperclip-agents" });
    // Signed with the producer key the Worker was given: the drain verifies it with the same key.
    expect(await verifyEnvelopeAuth(parsed.value.signedText, parsed.value.auth, TEST_PRODUCER_KEYS.mcp)).toBe(true);
    expect(await verifyEnvelopeAuth(parsed.value.signedText, parsed.value.auth, TEST_PRODUCER_KEYS.dlq)).toBe(false);

    const rows = await harness.ledger.prepare("SELECT * FROM run_ledger WHERE reference = ?1").bind(envelopeId).all();
    expect(rows.results).toEqual([
      expect.objectContaining({
        actor_kind: "agent",
        actor_id: "paperclip-agents",
        pathway: "mcp",
        action: "email_send",
        id: result.structuredContent?.["ledgerId"],
      }),
    ]);
    expect(JSON.parse(String(rows.results[0]?.["metadata"]))).toMatchObject({
      from: AGENT_SENDER,
      recipients: ["ann@example.com"],
      outcome: "enqueued",
    });
  });

  it("a person sends as their own verified address, recorded under it", async () => {
    const client = await harness.connect(await issuer.personToken(PERSON));
    const result = await call(client, "email_send", { to: ["bob@example.com"], subject: "Hi", html: "<p>Hi</p>" });
    expect(result.isError, textOf(result)).toBeFalsy();
    const [last] = (await harness.outboxMessages()).slice(-1);
    expect(last).toMatchObject({ from: PERSON, to: ["bob@example.com"] });
    const rows = await harness.ledger
      .prepare("SELECT actor_kind, actor_id FROM run_ledger WHERE id = ?1")
      .bind(result.structuredContent?.["ledgerId"])
      .all();
    expect(rows.results).toEqual([{ actor_kind: "human", actor_id: PERSON }]);
  });

  it("a bad envelope is a tool error naming the field, and nothing is enqueued or recorded", async () => {
    const before = await harness.outboxMessages();
    const rowsBefore = await harness.ledger.prepare("SELECT COUNT(*) AS n FROM run_ledger").first<{ n: number }>();
    const client = await harness.connect(await issuer.serviceToken(AGENT_CLIENT_ID));
    const injected = await call(client, "email_send", { to: ["ann@example.com"], subject: "Hi\r\nBcc: everyone@example.com", text: "x" });
    expect(injected.isError).toBe(true);
    expect(textOf(injected)).toMatch(/^not sent: the message is not a valid email envelope: subject: .*control character/);
    const noBody = await call(client, "email_send", { to: ["ann@example.com"], subject: "Hi" });
    expect(textOf(noBody)).toMatch(/not a valid email envelope: .*text.*html/);
    const badAddress = await call(client, "email_send", { to: ["not an address"], subject: "Hi", text: "x" });
    expect(textOf(badAddress)).toMatch(/not a valid email envelope: to\[0\]/);
    const wrongType = await call(client, "email_send", { to: "ann@example.com", subject: "Hi", text: "x" });
    expect(wrongType.isError).toBe(true);
    expect(textOf(wrongType)).toMatch(/Invalid arguments for tool email_send/);

    expect(await harness.outboxMessages()).toHaveLength(before.length);
    expect(await harness.ledger.prepare("SELECT COUNT(*) AS n FROM run_ledger").first<{ n: number }>()).toEqual(rowsBefore);
  });

  it("sends nothing when the run ledger cannot be written: no mail leaves unrecorded", async () => {
    await harness.ledger
      .prepare(
        `CREATE TRIGGER fail_ledger BEFORE INSERT ON run_ledger WHEN json_extract(NEW.metadata, '$.subject') = 'unrecordable'
         BEGIN SELECT RAISE(ABORT, 'injected D1 failure'); END`,
      )
      .run();
    try {
      const before = await harness.outboxMessages();
      const client = await harness.connect(await issuer.serviceToken(AGENT_CLIENT_ID));
      const result = await call(client, "email_send", { to: ["ann@example.com"], subject: "unrecordable", text: "x" });
      expect(result.isError).toBe(true);
      expect(textOf(result)).toBe("not sent: the run ledger could not be written; try again later");
      expect(await harness.outboxMessages()).toHaveLength(before.length);
    } finally {
      await harness.ledger.prepare("DROP TRIGGER fail_ledger").run();
    }
  });

  it("refuses a message over the queue's 128 KB (though within the envelope's 128 KiB) with its size, before recording it", async () => {
    const before = await harness.outboxMessages();
    const client = await harness.connect(await issuer.serviceToken(AGENT_CLIENT_ID));
    const result = await call(client, "email_send", {
      to: ["ann@example.com"],
      subject: "Large",
      text: "a".repeat(100 * 1024),
      html: "b".repeat(27 * 1024),
    });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/^not sent: the message is 130443 bytes as queued; the outbox queue takes at most 128000/);
    expect(await harness.outboxMessages()).toHaveLength(before.length);
    expect(
      await harness.ledger.prepare("SELECT id FROM run_ledger WHERE json_extract(metadata, '$.subject') = 'Large'").all(),
    ).toMatchObject({ results: [] });
    // Just under the limit goes through: the limit is the queue's, not a guess.
    const fits = await call(client, "email_send", {
      to: ["ann@example.com"],
      subject: "Large but fits",
      text: "a".repeat(100 * 1024),
      html: "b".repeat(24 * 1024),
    });
    expect(fits.isError, textOf(fits)).toBeFalsy();
    expect(await harness.outboxMessages()).toHaveLength(before.length + 1);
  });

  it("marks the row and reports it when the queue refuses the message (a Queues outage, which workerd cannot stage: the queue here throws)", async () => {
    const rules = SenderRules.parse(
      JSON.stringify({ personDomains: [], serviceTokens: { [AGENT_CLIENT_ID]: { actor: "paperclip-agents", senders: [AGENT_SENDER] } } }),
    );
    if (!rules.ok) expect.fail(rules.reason);
    const failingQueue = {
      send: () => Promise.reject(new Error("Queue send failed: 503")),
      sendBatch: () => Promise.reject(new Error("unused")),
    };
    const outcome = await emailSend(
      { kind: "agent", id: "paperclip-agents", serviceTokenClientId: AGENT_CLIENT_ID },
      { to: ["ann@example.com"], subject: "During an outage", text: "x" },
      {
        db: harness.ledger,
        outbox: failingQueue,
        rules: rules.rules,
        producerKey: TEST_PRODUCER_KEYS.mcp,
      } as unknown as EmailSendDependencies,
    );
    expect(outcome).toEqual({
      ok: false,
      message: "not sent: the outbox queue refused the message; try again later",
      ledgerId: expect.any(String),
    });
    const row = await harness.ledger
      .prepare("SELECT metadata FROM run_ledger WHERE id = ?1")
      .bind(outcome.ok ? "" : outcome.ledgerId)
      .first<{ metadata: string }>();
    expect(JSON.parse(row?.metadata ?? "{}")).toMatchObject({ subject: "During an outage", outcome: "enqueue-failed" });
  });

  it("refuses a sender outside the caller's rules", async () => {
    const agent = await harness.connect(await issuer.serviceToken(AGENT_CLIENT_ID));
    const spoof = await call(agent, "email_send", { from: "ceo@sodimo.test", to: ["bob@example.com"], subject: "Pay this", text: "x" });
    expect(spoof.isError).toBe(true);
    expect(textOf(spoof)).toBe(`not sent: you may not send as ceo@sodimo.test; allowed: ${AGENT_SENDER}`);

    const outsider = await harness.connect(await issuer.personToken("eve@elsewhere.test"));
    const denied = await call(outsider, "email_send", { to: ["bob@example.com"], subject: "Hi", text: "x" });
    expect(textOf(denied)).toBe("not sent: your address is not allowed to send mail through this endpoint");

    const unknownToken = await harness.connect(await issuer.serviceToken("ffffffffffffffffffffffffffffffff.access"));
    expect(textOf(await call(unknownToken, "email_send", { to: ["bob@example.com"], subject: "Hi", text: "x" }))).toBe(
      "not sent: this service token is not allowed to send mail through this endpoint",
    );
  });

  it("refuses a Reply-To outside the caller's senders and an address-like display name, before recording anything", async () => {
    const agent = await harness.connect(await issuer.serviceToken(AGENT_CLIENT_ID));
    const before = await harness.outboxMessages();
    const redirected = await call(agent, "email_send", {
      to: ["bob@example.com"],
      replyTo: "harvest@evil.example",
      subject: "Hi",
      text: "x",
    });
    expect(textOf(redirected)).toBe(`not sent: replyTo must be an address you may send as (${AGENT_SENDER}), not harvest@evil.example`);
    const disguised = await call(agent, "email_send", {
      from: `"ceo@sodimo.test" <${AGENT_SENDER}>`,
      to: ["bob@example.com"],
      subject: "Hi",
      text: "x",
    });
    expect(textOf(disguised)).toContain("from: the display name looks like an address");
    expect(await harness.outboxMessages()).toHaveLength(before.length);
  });

  it("ledger_recent shows the caller's own crossings only, newest first", async () => {
    const agent = await harness.connect(await issuer.serviceToken(AGENT_CLIENT_ID));
    const result = await call(agent, "ledger_recent", { limit: 10 });
    expect(result.isError, textOf(result)).toBeFalsy();
    const crossings = result.structuredContent?.["crossings"] as Array<Record<string, unknown>>;
    expect(result.structuredContent?.["actor"]).toBe("agent:paperclip-agents");
    expect(crossings.length).toBeGreaterThan(0);
    expect(crossings.every((row) => row["pathway"] === "mcp" && row["action"] === "email_send")).toBe(true);
    const mine = await harness.ledger
      .prepare("SELECT COUNT(*) AS n FROM run_ledger WHERE actor_id = 'paperclip-agents'")
      .first<{ n: number }>();
    expect(crossings).toHaveLength(mine?.n ?? -1);
    const times = crossings.map((row) => String(row["occurredAt"]));
    expect(times).toEqual([...times].sort().reverse());
    expect(JSON.stringify(crossings)).not.toContain(PERSON);

    const person = await harness.connect(await issuer.personToken(PERSON));
    const own = (await call(person, "ledger_recent", {})).structuredContent?.["crossings"] as Array<Record<string, unknown>>;
    expect(own).toHaveLength(1);
    expect(own[0]?.["metadata"]).toMatchObject({ from: PERSON });
  });
});

describe("the Access token, verified in the Worker", () => {
  async function status(headers: Record<string, string>): Promise<{ status: number; error: unknown }> {
    const response = await fetch(harness.url, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json, text/event-stream", ...headers },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }),
    });
    const body = (await response.json()) as { error?: unknown };
    return { status: response.status, error: body.error };
  }

  it("missing: the SDK client cannot connect", async () => {
    await expect(harness.connect(undefined)).rejects.toMatchObject({
      code: 401,
      message: expect.stringMatching(/no Cf-Access-Jwt-Assertion header/),
    });
    expect(await status({})).toEqual({ status: 401, error: expect.stringMatching(/no Cf-Access-Jwt-Assertion header/) });
  });

  it("forged (signed by a key the team does not publish)", async () => {
    await expect(harness.connect(await issuer.serviceToken(AGENT_CLIENT_ID, { forged: true }))).rejects.toMatchObject({ code: 403 });
    expect(await status({ "Cf-Access-Jwt-Assertion": await issuer.personToken(PERSON, { forged: true }) })).toEqual({
      status: 403,
      error: expect.stringMatching(/signature does not verify/),
    });
  });

  it("expired", async () => {
    await expect(harness.connect(await issuer.personToken(PERSON, { expiresIn: -60 }))).rejects.toMatchObject({
      code: 403,
      message: expect.stringMatching(/expired/),
    });
    expect(await status({ "Cf-Access-Jwt-Assertion": await issuer.personToken(PERSON, { expiresIn: -60 }) })).toEqual({
      status: 403,
      error: expect.stringMatching(/expired/),
    });
  });

  it("for another application (audience) or another team (issuer)", async () => {
    expect(await status({ "Cf-Access-Jwt-Assertion": await issuer.personToken(PERSON, { audience: "b".repeat(64) }) })).toEqual({
      status: 403,
      error: expect.stringMatching(/claim aud failed/),
    });
    expect(
      await status({ "Cf-Access-Jwt-Assertion": await issuer.personToken(PERSON, { issuer: "https://other.cloudflareaccess.com" }) }),
    ).toEqual({
      status: 403,
      error: expect.stringMatching(/claim iss failed/),
    });
  });

  it("not a token at all", async () => {
    expect(await status({ "Cf-Access-Jwt-Assertion": "not-a-jwt" })).toEqual({
      status: 403,
      error: expect.stringMatching(/not valid for this application/),
    });
  });

  it("fetched the team's keys once for all of the above", () => {
    expect(issuer.certsRequests).toBe(1);
  });
});

describe("HTTP", () => {
  it("serves MCP at /mcp only", async () => {
    const response = await fetch(new URL("/", harness.url));
    expect(response.status).toBe(404);
    await response.text();
  });
});
