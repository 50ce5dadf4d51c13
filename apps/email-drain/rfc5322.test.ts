import { describe, expect, it } from "vitest";
import type { EmailEnvelope } from "../email-envelope/envelope";
import { validateEnvelope, type ValidatedEmail } from "../email-envelope/validateEnvelope";
import { encodedWords, encodeQuotedPrintable, formatDate, renderMessage } from "./rfc5322";
import { decodeEncodedWords, parseMessage } from "./testSupport/mime";

const DATE = new Date("2026-11-20T09:05:03Z");

function email(overrides: Partial<EmailEnvelope> = {}): ValidatedEmail {
  const result = validateEnvelope({
    v: 2,
    producer: "mcp",
    id: "01J9ZQ3K8Y.run-42",
    from: "Agent Smith <agent@sodimo.eu>",
    to: ["client@example.com"],
    subject: "Your quote",
    text: "Hello",
    // Rendering does not look at the signature (the drain verified it before).
    auth: `hmac-sha256:${"0".repeat(64)}`,
    ...overrides,
  });
  if (!result.ok) throw new Error(result.reason);
  return result.value;
}

function render(overrides: Partial<EmailEnvelope> = {}): string {
  return renderMessage(email(overrides), { date: DATE });
}

function headerNames(message: string): string[] {
  return parseMessage(message).headers.map((h) => h.name);
}

describe("renderMessage", () => {
  it("renders a text-only message", () => {
    expect(render()).toMatchSnapshot();
  });

  it("renders multipart/alternative with encoded headers", () => {
    expect(
      render({
        from: "Zoë Ünlü <zoe@sodimo.eu>",
        to: ['"Lee, Ann" <ann@example.com>', "bob@example.com"],
        cc: ["Carla <carla@example.org>"],
        bcc: ["hidden@example.net"],
        replyTo: "sales@sodimo.eu",
        subject: "Devis n° 42 — livraison prévue",
        text: "Bonjour,\n\nVoici le devis n° 42 = 1 200 €.\n-- \nAgent",
        html: "<p>Bonjour,</p>\n<p>Voici le devis n° 42 = 1&nbsp;200&nbsp;€.</p>",
        headers: { "X-Paperclip-Run": "run-42" },
      }),
    ).toMatchSnapshot();
  });

  it("uses CRLF everywhere, stays 7-bit and keeps lines within 78 characters", () => {
    const message = render({
      to: Array.from({ length: 30 }, (_, i) => `Recipient Number ${i} <recipient.${i}@example.com>`),
      subject: "A long subject line that certainly needs folding because it goes on and on and on past the limit",
      text: `${"x".repeat(500)}\n${"é".repeat(300)}\n`,
      html: "<p>ok</p>",
    });
    expect(message.replace(/\r\n/g, "")).not.toMatch(/[\r\n]/);
    expect(message).toMatch(/^\p{ASCII}*$/u);
    for (const line of message.split("\r\n")) expect(line.length).toBeLessThanOrEqual(78);
    expect(message.endsWith("\r\n")).toBe(true);
  });

  it("round-trips every header value through folding and encoding", () => {
    const subject = "Réunion 🎉 demain =?not-an-encoded-word?= à 10h, merci de confirmer votre présence s'il vous plaît";
    const message = parseMessage(
      render({
        from: '"Ag\\"ent \\\\ Smith" <agent@sodimo.eu>',
        to: ["Zoë <zoe@example.com>", '"Doe, John" <john@example.com>'],
        subject,
        headers: { "X-Trace": "état 42" },
      }),
    );
    expect(message.header("Subject")).toBe(subject);
    expect(message.header("From")).toBe('"Ag\\"ent \\\\ Smith" <agent@sodimo.eu>');
    expect(message.header("To")).toBe('Zoë <zoe@example.com>, "Doe, John" <john@example.com>');
    expect(message.header("X-Trace")).toBe("état 42");
  });

  it("derives Message-ID from the producer, the idempotency id and the sender domain, and dates in UTC", () => {
    const message = parseMessage(render({ from: "agent@Sodimo.EU", createdAt: "2026-11-20T10:05:03+01:00" }));
    expect(message.header("Message-ID")).toBe("<mcp.01J9ZQ3K8Y.run-42@sodimo.eu>");
    expect(message.header("Date")).toBe("Fri, 20 Nov 2026 09:05:03 +0000");
  });

  it("never writes Bcc, and writes only the expected headers", () => {
    const names = headerNames(render({ bcc: ["hidden@example.net"], cc: ["c@example.com"], headers: { "X-A": "1" }, html: "<b>x</b>" }));
    expect(names).toEqual(["Date", "From", "To", "Cc", "Subject", "Message-ID", "X-A", "MIME-Version", "Content-Type"]);
  });

  it("decodes back to the original bodies, with line breaks normalised", () => {
    const text = "line one\r\nline two\rline three\n. starts with a dot\nFrom the start\ntrailing space \n=equals=\n";
    const html = `<p>${"long ".repeat(60)}</p>`;
    const message = parseMessage(render({ text, html }));
    expect(message.parts.get("text/plain")).toBe(text.replace(/\r\n|\r/g, "\n"));
    expect(message.parts.get("text/html")).toBe(html);
  });

  it("chooses base64 for mostly non-ASCII text and quoted-printable otherwise", () => {
    expect(render({ text: "Привет, как дела? ".repeat(20) })).toContain("Content-Transfer-Encoding: base64");
    expect(render({ text: "Hello, café" })).toContain("Content-Transfer-Encoding: quoted-printable");
  });
});

describe("header injection is neutralised when rendering", () => {
  it("keeps quotes, commas and brackets inside a quoted display name", () => {
    // On a recipient: From and Reply-To refuse address-like display names altogether (validateEnvelope.ts).
    const message = parseMessage(render({ to: ['"Evil\\" <x@evil.example>, Bcc: v@example.com" <ann@example.com>'] }));
    expect(message.header("To")).toBe('"Evil\\" <x@evil.example>, Bcc: v@example.com" <ann@example.com>');
    expect(message.headers.map((h) => h.name)).not.toContain("Bcc");
  });

  it("encodes a subject that looks like an encoded-word instead of passing it through", () => {
    expect(render({ subject: "=?UTF-8?B?QmNjOiB4?=" })).not.toContain("Subject: =?UTF-8?B?QmNjOiB4?=\r\n");
  });
});

describe("encodedWords", () => {
  it("keeps each word within 75 characters and never splits a character", () => {
    const text = "é🎉中".repeat(40);
    const words = encodedWords(text);
    for (const word of words) {
      expect(word.length).toBeLessThanOrEqual(75);
      expect(decodeEncodedWords(word)).not.toContain("\uFFFD");
    }
    expect(decodeEncodedWords(words.join(" "))).toBe(text);
  });
});

describe("encodeQuotedPrintable", () => {
  it.each([
    ["a=b", "a=3Db"],
    ["trailing ", "trailing=20"],
    ["tab\t", "tab=09"],
    [".dot", "=2Edot"],
    ["From here", "=46rom here"],
    ["é", "=C3=A9"],
    ["a\nb", "a\r\nb"],
  ])("encodes %j as %j", (input, expected) => {
    expect(encodeQuotedPrintable(input)).toBe(expected);
  });

  it("soft-wraps long lines at most 76 characters without splitting an escape", () => {
    const encoded = encodeQuotedPrintable("é".repeat(100));
    for (const line of encoded.split("\r\n")) {
      expect(line.length).toBeLessThanOrEqual(76);
      expect(line).toMatch(/^(=[0-9A-F]{2})+=?$/);
    }
  });
});

describe("formatDate", () => {
  it("formats RFC 5322 dates with a zero-padded day", () => {
    expect(formatDate(new Date("2027-01-03T04:05:06Z"))).toBe("Sun, 03 Jan 2027 04:05:06 +0000");
  });
});
