/**
 * Test producers: fixed keys (test data, never a deployed secret), the drain's environment for them, and
 * signing with the real producerAuth.ts, as the Workers do.
 */
import { createHmac } from "node:crypto";
import type { EmailEnvelope, UnsignedEnvelope } from "../../email-envelope/envelope";
import { canonicalEnvelopeText, signEnvelope, SIGNING_CONTEXT } from "../../email-envelope/producerAuth";
import { SenderAllowList } from "../allowList";
import { ProducerRegistry } from "../producers";

export const TEST_PRODUCER_KEYS = {
  mcp: "6d".repeat(32),
  dlq: "d1".repeat(32),
  other: "0f".repeat(32),
} as const;

export type TestProducer = keyof typeof TEST_PRODUCER_KEYS;

/** PRODUCERS and PRODUCER_<NAME>_KEY/_SENDERS (and _REPLY_TO when given) for the drain. */
export function producerEnvironment(rules: Partial<Record<TestProducer, { senders: string; replyTo?: string }>>): Record<string, string> {
  const env: Record<string, string> = { PRODUCERS: Object.keys(rules).join(",") };
  for (const [name, rule] of Object.entries(rules)) {
    const prefix = `PRODUCER_${name.toUpperCase()}_`;
    env[`${prefix}KEY`] = TEST_PRODUCER_KEYS[name as TestProducer];
    env[`${prefix}SENDERS`] = rule.senders;
    if (rule.replyTo !== undefined) env[`${prefix}REPLY_TO`] = rule.replyTo;
  }
  return env;
}

/** Signs `envelope` with a test producer's key (by default the producer the envelope names). */
export function signAs(envelope: UnsignedEnvelope, key: TestProducer = envelope.producer as TestProducer): Promise<EmailEnvelope> {
  return signEnvelope(envelope, TEST_PRODUCER_KEYS[key]);
}

/**
 * The same signature, computed synchronously with node:crypto (a second implementation of the documented
 * format: HMAC-SHA256 over the context line and the canonical text), for tables of test envelopes.
 */
export function signAsSync(envelope: UnsignedEnvelope, key: TestProducer = envelope.producer as TestProducer): EmailEnvelope {
  const mac = createHmac("sha256", Buffer.from(TEST_PRODUCER_KEYS[key], "hex"))
    .update(SIGNING_CONTEXT + canonicalEnvelopeText(envelope))
    .digest("hex");
  return { ...envelope, auth: `hmac-sha256:${mac}` };
}

/** A registry of test producers, as loadConfig builds it from the environment. */
export function testProducers(rules: Partial<Record<TestProducer, { senders: string; replyTo?: string }>>): ProducerRegistry {
  const list = (text: string): SenderAllowList => {
    const parsed = SenderAllowList.parse(text);
    if (!parsed.ok) throw new Error(parsed.reason);
    return parsed.value;
  };
  return new ProducerRegistry(
    Object.entries(rules).map(([name, rule]) => ({
      name,
      key: TEST_PRODUCER_KEYS[name as TestProducer],
      senders: list(rule.senders),
      replyTo: rule.replyTo === undefined ? undefined : rule.replyTo === "none" ? "none" : list(rule.replyTo),
    })),
  );
}
