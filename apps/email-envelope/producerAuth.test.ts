import { describe, expect, it } from "vitest";
import { signAsSync, TEST_PRODUCER_KEYS } from "../email-drain/testSupport/producerKeys";
import type { UnsignedEnvelope } from "./envelope";
import { canonicalEnvelopeText, signEnvelope, verifyEnvelopeAuth } from "./producerAuth";
import { parseEnvelopeJson } from "./validateEnvelope";

const unsigned: UnsignedEnvelope = {
  v: 2,
  producer: "dlq",
  id: "dlq-summary-2026-W49",
  from: "harness@sodimo.eu",
  to: ["admin@sodimo.eu"],
  subject: "Summary",
  text: "…",
  meta: { source: "dlq-worker" },
};

describe("producer signatures", () => {
  it("signs with Web Crypto exactly as node:crypto's HMAC-SHA256 over the documented text", async () => {
    expect(await signEnvelope(unsigned, TEST_PRODUCER_KEYS.dlq)).toEqual(signAsSync(unsigned));
  });

  it("verifies what the producer signed, after any re-serialisation that keeps the values", async () => {
    const signed = await signEnvelope(unsigned, TEST_PRODUCER_KEYS.dlq);
    const reordered = JSON.stringify(Object.fromEntries(Object.entries(signed).reverse()), null, 2);
    const parsed = parseEnvelopeJson(reordered);
    if (!parsed.ok) expect.fail(parsed.reason);
    expect(await verifyEnvelopeAuth(parsed.value.signedText, parsed.value.auth, TEST_PRODUCER_KEYS.dlq)).toBe(true);
  });

  it.each([
    ["another producer's key", { ...unsigned }, TEST_PRODUCER_KEYS.mcp],
    ["a changed recipient", { ...unsigned, to: ["intruder@evil.example"] }, TEST_PRODUCER_KEYS.dlq],
    ["a changed producer", { ...unsigned, producer: "mcp" }, TEST_PRODUCER_KEYS.dlq],
    ["an added field", { ...unsigned, replyTo: "intruder@evil.example" }, TEST_PRODUCER_KEYS.dlq],
    ["a changed meta value", { ...unsigned, meta: { source: "mcp" } }, TEST_PRODUCER_KEYS.dlq],
  ])("refuses %s", async (_name, received, key) => {
    const { auth } = await signEnvelope(unsigned, TEST_PRODUCER_KEYS.dlq);
    expect(await verifyEnvelopeAuth(canonicalEnvelopeText(received), auth, key)).toBe(false);
  });

  it("refuses a malformed signature without throwing", async () => {
    expect(await verifyEnvelopeAuth(canonicalEnvelopeText(unsigned), "hmac-sha256:zz", TEST_PRODUCER_KEYS.dlq)).toBe(false);
  });

  it("keeps a __proto__ key as data in the signed text", () => {
    const text = canonicalEnvelopeText(JSON.parse('{"b":1,"meta":{"__proto__":"x"},"a":2}') as Record<string, unknown>);
    expect(text).toBe('{"a":2,"b":1,"meta":{"__proto__":"x"}}');
  });
});
