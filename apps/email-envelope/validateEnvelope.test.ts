import { describe, expect, it } from "vitest";
import { parseMailbox } from "./address";
import type { EmailEnvelope } from "./envelope";
import { ENVELOPE_LIMITS, parseEnvelopeJson, validateEnvelope } from "./validateEnvelope";

const AUTH = "hmac-sha256:abababababababababababababababababababababababababababababababab";

function envelope(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const base: EmailEnvelope = {
    v: 2,
    producer: "mcp",
    id: "01J9ZQ3K8Y.run-42",
    from: "Agent Smith <agent@sodimo.eu>",
    to: ["client@example.com"],
    subject: "Your quote",
    text: "Hello",
    auth: AUTH,
  };
  return { ...base, ...overrides };
}

function reasonOf(value: unknown): string {
  const result = validateEnvelope(value);
  if (result.ok) throw new Error("expected a rejection");
  return result.reason;
}

describe("validateEnvelope", () => {
  it("accepts a minimal envelope and parses its addresses", () => {
    const result = validateEnvelope(envelope());
    expect(result).toEqual({
      ok: true,
      value: {
        producer: "mcp",
        id: "01J9ZQ3K8Y.run-42",
        from: { displayName: "Agent Smith", address: "agent@sodimo.eu", localPart: "agent", domain: "sodimo.eu" },
        to: [{ address: "client@example.com", localPart: "client", domain: "example.com" }],
        cc: [],
        bcc: [],
        subject: "Your quote",
        text: "Hello",
        extraHeaders: [],
        meta: {},
        auth: AUTH,
        // Sorted keys, without auth: what the producer signed (producerAuth.ts).
        signedText:
          '{"from":"Agent Smith <agent@sodimo.eu>","id":"01J9ZQ3K8Y.run-42","producer":"mcp","subject":"Your quote","text":"Hello","to":["client@example.com"],"v":2}',
      },
    });
  });

  it("accepts every optional field", () => {
    const result = validateEnvelope(
      envelope({
        cc: ['"Doe, Jane" <jane@example.com>'],
        bcc: ["<archive@sodimo.eu>"],
        replyTo: "sales@sodimo.eu",
        html: "<p>Hello</p>",
        headers: { "X-Paperclip-Run": "run-42" },
        createdAt: "2026-11-20T10:00:00.123+01:00",
        meta: { agent: "ceo", "run.id": "42" },
      }),
    );
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.cc[0]?.displayName).toBe("Doe, Jane");
    expect(result.value.bcc[0]?.address).toBe("archive@sodimo.eu");
    expect(result.value.createdAt?.toISOString()).toBe("2026-11-20T09:00:00.123Z");
    expect(result.value.extraHeaders).toEqual([{ name: "X-Paperclip-Run", value: "run-42" }]);
  });

  it.each([
    ["not an object", [], "envelope: must be an object"],
    ["unknown field", envelope({ sender: "x" }), 'unknown field "sender"'],
    ["version 1 (unsigned)", envelope({ v: 1 }), "v: unsupported version (expected 2; version 1 envelopes are unsigned"],
    ["no producer", envelope({ producer: undefined }), "producer: must be a string"],
    ["producer upper-case", envelope({ producer: "MCP" }), "producer: must be 1-16 characters"],
    ["producer with a dot", envelope({ producer: "m.cp" }), "producer: must be 1-16 characters"],
    ["no auth", envelope({ auth: undefined }), "auth: must be a string"],
    ["auth of another form", envelope({ auth: "hmac-sha1:00" }), "auth: must be hmac-sha256:"],
    [
      "from display name with @",
      envelope({ from: '"ceo@sodimo.eu" <intruder@evil.example>' }),
      "from: the display name looks like an address",
    ],
    [
      "from display name with a full-width @",
      envelope({ from: "ceo＠sodimo.eu <intruder@evil.example>" }),
      "from: the display name looks like an address",
    ],
    [
      "replyTo display name with @",
      envelope({ replyTo: "ceo@sodimo.eu <intruder@evil.example>" }),
      "replyTo: the display name looks like an address",
    ],
    ["id with a space", envelope({ id: "a b" }), "id: must be"],
    ["id with a leading dot", envelope({ id: ".a" }), "id: must be"],
    ["id with a double dot", envelope({ id: "a..b" }), "id: must be"],
    ["id with an @", envelope({ id: "a@b" }), "id: must be"],
    ["id too long", envelope({ id: "a".repeat(129) }), "id: must be"],
    ["id not a string", envelope({ id: 7 }), "id: must be a string"],
    ["no recipients", envelope({ to: [] }), "to: at least one address"],
    ["to not an array", envelope({ to: "a@example.com" }), "to: must be an array"],
    ["too many recipients", envelope({ to: Array.from({ length: 51 }, (_, i) => `r${i}@example.com`) }), "more than 50"],
    ["blank subject", envelope({ subject: "  " }), "subject: must not be blank"],
    ["subject too long", envelope({ subject: "s".repeat(401) }), "subject: longer than 400"],
    ["no body", envelope({ text: undefined }), "at least one non-empty body"],
    ["empty bodies", envelope({ text: "", html: "" }), "at least one non-empty body"],
    ["NUL in body", envelope({ text: "a\u0000b" }), "text: contains NUL"],
    ["lone surrogate in body", envelope({ html: "a\uD800b" }), "html: contains NUL or an unpaired surrogate"],
    ["body too large", envelope({ text: "é".repeat(ENVELOPE_LIMITS.maxBodyBytes / 2 + 1) }), "text: larger than"],
    ["non-X header", envelope({ headers: { Bcc: "x@example.com" } }), "headers: only X-*"],
    ["header name with a colon", envelope({ headers: { "X-A:": "v" } }), "headers: only X-*"],
    ["duplicate header", envelope({ headers: { "X-A": "1", "x-a": "2" } }), "headers: x-a given twice"],
    ["header value not a string", envelope({ headers: { "X-A": 1 } }), "headers.X-A: must be a string"],
    ["createdAt without zone", envelope({ createdAt: "2026-11-20T10:00:00" }), "createdAt: must be"],
    ["createdAt impossible", envelope({ createdAt: "2026-13-40T10:00:00Z" }), "createdAt: must be"],
    ["meta value not a string", envelope({ meta: { a: 1 } }), "meta.a: must be a string"],
    ["meta key charset", envelope({ meta: { "a b": "1" } }), "meta: keys must be"],
  ])("rejects %s", (_name, value, reason) => {
    expect(reasonOf(value)).toContain(reason);
  });

  it("accepts an address-like display name on a recipient (only From and Reply-To can pose as the sender)", () => {
    expect(validateEnvelope(envelope({ to: ['"ann@example.com" <ann@example.com>'] })).ok).toBe(true);
  });

  it("keeps a __proto__ meta key as data", () => {
    const result = parseEnvelopeJson(JSON.stringify(envelope()).replace(/}$/, ',"meta":{"__proto__":"x"}}'));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(Object.getPrototypeOf(result.value.meta)).toBe(Object.prototype);
    expect(Object.entries(result.value.meta)).toEqual([["__proto__", "x"]]);
  });
});

describe("header injection: every header-bound field rejects CR, LF, NUL and friends", () => {
  const fields: Array<[string, (payload: string) => Record<string, unknown>]> = [
    ["from (address)", (p) => envelope({ from: `agent@sodimo.eu${p}Bcc: victim@example.com` })],
    ["from (display name)", (p) => envelope({ from: `Agent${p}Bcc: victim@example.com <agent@sodimo.eu>` })],
    ["to", (p) => envelope({ to: [`client@example.com${p}Bcc: victim@example.com`] })],
    ["cc", (p) => envelope({ cc: [`"x${p}Bcc: victim@example.com" <c@example.com>`] })],
    ["bcc", (p) => envelope({ bcc: [`b@example.com${p}`] })],
    ["replyTo", (p) => envelope({ replyTo: `r@example.com${p}X-Evil: 1` })],
    ["subject", (p) => envelope({ subject: `Hi${p}Bcc: victim@example.com` })],
    ["X-* header value", (p) => envelope({ headers: { "X-Run": `1${p}Bcc: victim@example.com` } })],
    ["X-* header name", (p) => envelope({ headers: { [`X-Run${p}Bcc`]: "1" } })],
    ["meta value (logged)", (p) => envelope({ meta: { run: `1${p}{"level":"fatal"}` } })],
  ];
  const payloads = ["\r\n", "\n", "\r", "\u0000", "\t", "\u0085", "\u2028"];

  for (const [field, build] of fields) {
    it.each(payloads.map((p) => [JSON.stringify(p), p]))(`${field} with %s`, (_label, payload) => {
      expect(validateEnvelope(build(payload)).ok).toBe(false);
    });
  }

  it("rejects an id that would break out of the Message-ID", () => {
    expect(validateEnvelope(envelope({ id: "x@evil>\r\nBcc: victim@example.com" })).ok).toBe(false);
  });
});

describe("parseEnvelopeJson", () => {
  it("rejects text that is not JSON", () => {
    expect(parseEnvelopeJson("{nope")).toEqual({ ok: false, reason: "body is not valid JSON" });
  });

  it("rejects a message over the queue's size limit before parsing it", () => {
    const json = JSON.stringify(envelope({ text: "a".repeat(ENVELOPE_LIMITS.maxJsonBytes) }));
    expect(parseEnvelopeJson(json)).toEqual({ ok: false, reason: "message larger than 131072 bytes" });
  });
});

describe("parseMailbox", () => {
  it.each([
    ["a@example.com", { address: "a@example.com" }],
    ["<a@example.com>", { address: "a@example.com" }],
    ["  Ann Lee   <a.b+tag@mail.example.com>", { displayName: "Ann Lee", address: "a.b+tag@mail.example.com" }],
    ['"Lee, Ann \\"AL\\"" <a@example.com>', { displayName: 'Lee, Ann "AL"', address: "a@example.com" }],
    ["Zoë Ünlü <z@example.com>", { displayName: "Zoë Ünlü", address: "z@example.com" }],
    ['"" <a@example.com>', { address: "a@example.com" }],
  ])("parses %s", (input, expected) => {
    const result = parseMailbox(input);
    expect(result.ok && result.value).toMatchObject(expected);
  });

  it.each([
    "a",
    "@example.com",
    "a@",
    "a@localhost",
    "a@example.123",
    "a@-example.com",
    "a@exa_mple.com",
    "a..b@example.com",
    ".a@example.com",
    '"quoted local"@example.com',
    "a@[127.0.0.1]",
    "zoë@example.com",
    "a@exämple.com",
    "a b@example.com",
    "Ann <a@example.com",
    "Ann a@example.com>",
    "An<n <a@example.com>",
    '"Ann <a@example.com>',
    `${"l".repeat(65)}@example.com`,
    `a@${"d".repeat(250)}.com`,
    `${"N".repeat(129)} <a@example.com>`,
    "a@example.com, b@example.com",
  ])("rejects %s", (input) => {
    expect(parseMailbox(input).ok).toBe(false);
  });
});
