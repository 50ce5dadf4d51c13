import { describe, expect, it } from "vitest";
import type { EmailEnvelope } from "../../email-envelope/envelope";
import { describeDeadLetter } from "./deadLetter";

const envelope: EmailEnvelope = {
  v: 2,
  producer: "mcp",
  id: "mail-7",
  from: "Agent <agent@example.com>",
  to: ["someone@example.org"],
  subject: "Quarterly numbers",
  auth: "hmac-sha256:0000000000000000000000000000000000000000000000000000000000000000",
  text: "Attached.",
};

describe("describeDeadLetter", () => {
  it("reads a well-formed envelope sent as JSON: undelivered, fields extracted", () => {
    expect(describeDeadLetter(envelope)).toEqual({
      body: JSON.stringify(envelope),
      bodyEncoding: "json",
      reason: "undelivered",
      parseError: null,
      envelopeId: "mail-7",
      envelopeFrom: "Agent <agent@example.com>",
      envelopeTo: ["someone@example.org"],
      envelopeSubject: "Quarterly numbers",
    });
  });

  it("reads an envelope sent as text", () => {
    const text = JSON.stringify(envelope);
    expect(describeDeadLetter(text)).toMatchObject({ body: text, bodyEncoding: "text", reason: "undelivered", envelopeId: "mail-7" });
  });

  it("reads an envelope sent as UTF-8 bytes", () => {
    const bytes = new TextEncoder().encode(JSON.stringify(envelope));
    expect(describeDeadLetter(bytes.buffer)).toMatchObject({ bodyEncoding: "text", reason: "undelivered", envelopeId: "mail-7" });
  });

  it("keeps text that is not JSON as it came, with the parse error", () => {
    const described = describeDeadLetter("hello, drain");
    expect(described).toMatchObject({ body: "hello, drain", bodyEncoding: "text", reason: "malformed", envelopeId: null });
    expect(described.parseError).toMatch(/^body is not JSON: /);
  });

  it("keeps bytes that are not UTF-8 as base64", () => {
    expect(describeDeadLetter(new Uint8Array([0xff, 0x41]))).toMatchObject({
      body: "/0E=",
      bodyEncoding: "base64",
      reason: "malformed",
      parseError: "body is bytes that are not UTF-8 text",
    });
  });

  it("names every problem of a malformed envelope and keeps the fields it could read", () => {
    const { to: _to, text: _text, ...partial } = envelope;
    expect(describeDeadLetter({ ...partial, v: 1 })).toMatchObject({
      reason: "malformed",
      parseError: "v is not 2; to is not a non-empty list of strings; neither text nor html is a string",
      envelopeId: "mail-7",
      envelopeFrom: "Agent <agent@example.com>",
      envelopeTo: null,
      envelopeSubject: "Quarterly numbers",
    });
  });

  it("refuses a recipient list with a non-string in it", () => {
    expect(describeDeadLetter({ ...envelope, to: ["a@example.org", 7] })).toMatchObject({
      reason: "malformed",
      parseError: "to is not a non-empty list of strings",
      envelopeTo: null,
    });
  });

  it.each([
    ["an array", [envelope]],
    ["a number", 42],
    ["null", null],
  ])("records %s as not a JSON object", (_label, body) => {
    expect(describeDeadLetter(body)).toMatchObject({ bodyEncoding: "json", reason: "malformed", parseError: "body is not a JSON object" });
  });

  it("records a body that has no JSON form without throwing", () => {
    expect(describeDeadLetter(10n)).toEqual(
      expect.objectContaining({ body: "10", bodyEncoding: "text", reason: "malformed", parseError: "body has no JSON form" }),
    );
  });
});
