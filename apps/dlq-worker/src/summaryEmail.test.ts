import { describe, expect, it } from "vitest";
import { summaryEnvelope, type DeadLetterSummary, type SummaryItem } from "./summaryEmail";

const addressing = { from: "Paperclip <paperclip@example.com>", to: "admin@example.com", createdAt: "2026-07-06T08:00:00.000Z" };

const undelivered: SummaryItem = {
  messageId: "5f3a9c",
  receivedAt: "2026-07-01T10:00:00.000Z",
  reason: "undelivered",
  envelopeId: "mail-7",
  envelopeFrom: "Agent <agent@example.com>",
  envelopeTo: ["someone@example.org", "other@example.org"],
  envelopeSubject: "Quarterly numbers",
  parseError: null,
};

const malformed: SummaryItem = {
  messageId: "77b2e1",
  receivedAt: "2026-07-05T12:00:00.000Z",
  reason: "malformed",
  envelopeId: null,
  envelopeFrom: null,
  envelopeTo: null,
  envelopeSubject: null,
  parseError: "body is not JSON: Unexpected token 'h', \"hello\" is not valid JSON",
};

const summary: DeadLetterSummary = {
  summaryId: "dlq-summary-2026-W28",
  week: "2026-W28",
  tallies: [
    { reason: "malformed", count: 1, oldestReceivedAt: malformed.receivedAt, newestReceivedAt: malformed.receivedAt },
    { reason: "undelivered", count: 1, oldestReceivedAt: undelivered.receivedAt, newestReceivedAt: undelivered.receivedAt },
  ],
  items: [undelivered, malformed],
};

describe("summaryEnvelope", () => {
  it("renders the weekly summary", () => {
    expect(summaryEnvelope(summary, addressing)).toMatchSnapshot();
  });

  it("addresses one mail to the admin, identified by the summary id", () => {
    const envelope = summaryEnvelope(summary, addressing);
    expect(envelope).toMatchObject({
      v: 2,
      producer: "dlq",
      id: "dlq-summary-2026-W28",
      from: addressing.from,
      to: ["admin@example.com"],
      subject: "[email_dlq] 2 dead letters, week 2026-W28",
      createdAt: addressing.createdAt,
    });
  });

  it("spans oldest to newest across reasons", () => {
    const { text } = summaryEnvelope(summary, addressing);
    expect(text).toContain("Oldest: 2026-07-01T10:00:00.000Z\nNewest: 2026-07-05T12:00:00.000Z\n");
  });

  it("says how many are not listed when the list is capped", () => {
    const capped = { ...summary, tallies: [{ ...summary.tallies[1]!, count: 60 }], items: [undelivered] };
    const { subject, text } = summaryEnvelope(capped, addressing);
    expect(subject).toBe("[email_dlq] 60 dead letters, week 2026-W28");
    expect(text).toContain("\n… and 59 more.\n");
  });

  it("keeps every value from a dead letter on its own line", () => {
    const forged = { ...undelivered, envelopeSubject: "hi\r\nNewest: 1999-01-01\u2028\u202eevil", envelopeFrom: "x".repeat(500) };
    const { text } = summaryEnvelope({ ...summary, items: [forged] }, addressing);
    const lines = text?.split("\n") ?? [];
    expect(lines).toContain("   subject: hi  Newest: 1999-01-01  evil");
    expect(lines.filter((line) => line.startsWith("Newest:"))).toHaveLength(1);
    expect(lines.find((line) => line.startsWith("   from:"))).toBe(`   from:    ${"x".repeat(199)}…`);
  });
});
