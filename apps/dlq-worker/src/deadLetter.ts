/**
 * - `malformed`: the body is not an `email_outbox` envelope, so no attempt could have delivered it.
 * - `undelivered`: a well-formed envelope the drain did not deliver within its attempts (sender not on
 *   the allow-list, sendmail failing, …; the queue does not say which).
 */
export type DeadLetterReason = "malformed" | "undelivered";

/** How `body` is stored: JSON of a structured body, the text as sent, or base64 of non-UTF-8 bytes. */
export type BodyEncoding = "json" | "text" | "base64";

/** What a dead letter's body says: the columns of its `dead_letters` row that come from the body. */
export interface DeadLetterContent {
  body: string;
  bodyEncoding: BodyEncoding;
  reason: DeadLetterReason;
  /** Why the body is not a well-formed envelope; null when it is one. */
  parseError: string | null;
  /** Each envelope field that could be read, also from a malformed envelope; otherwise null. */
  envelopeId: string | null;
  envelopeFrom: string | null;
  envelopeTo: string[] | null;
  envelopeSubject: string | null;
}

/**
 * Reads a dead letter's body, whatever arrived: never throws, so no message goes unrecorded.
 * This is a structural reading for the record, not the drain's validation: the drain has the last
 * word on what it sends.
 */
export function describeDeadLetter(body: unknown): DeadLetterContent {
  const { text, encoding, decoded } = readBody(body);
  const { problems, fields } = "error" in decoded ? { problems: [decoded.error], fields: NO_FIELDS } : readEnvelope(decoded.value);
  return {
    body: text,
    bodyEncoding: encoding,
    reason: problems.length === 0 ? "undelivered" : "malformed",
    parseError: problems.length === 0 ? null : problems.join("; "),
    ...fields,
  };
}

type EnvelopeFields = Pick<DeadLetterContent, "envelopeId" | "envelopeFrom" | "envelopeTo" | "envelopeSubject">;

const NO_FIELDS: EnvelopeFields = { envelopeId: null, envelopeFrom: null, envelopeTo: null, envelopeSubject: null };

/** The body as a JavaScript value, or why it has none. */
type Decoded = { value: unknown } | { error: string };

// Queue bodies arrive as text (content type `text`), an ArrayBuffer (`bytes`) or a value (`json`, `v8`).
function readBody(body: unknown): { text: string; encoding: BodyEncoding; decoded: Decoded } {
  if (typeof body === "string") return { text: body, encoding: "text", decoded: parseJson(body) };
  if (body instanceof ArrayBuffer || ArrayBuffer.isView(body)) {
    const bytes = body instanceof ArrayBuffer ? new Uint8Array(body) : new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
    const text = decodeUtf8(bytes);
    if (text === null) return { text: toBase64(bytes), encoding: "base64", decoded: { error: "body is bytes that are not UTF-8 text" } };
    return { text, encoding: "text", decoded: parseJson(text) };
  }
  const json = toJson(body);
  if (json === null) return { text: String(body), encoding: "text", decoded: { error: "body has no JSON form" } };
  return { text: json, encoding: "json", decoded: { value: body } };
}

function parseJson(text: string): Decoded {
  try {
    return { value: JSON.parse(text) as unknown };
  } catch (error) {
    return { error: `body is not JSON: ${error instanceof Error ? error.message : String(error)}` };
  }
}

function decodeUtf8(bytes: Uint8Array): string | null {
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    return null;
  }
}

function toBase64(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

// A v8-serialized body may hold what JSON cannot (a BigInt, a cycle).
function toJson(value: unknown): string | null {
  try {
    return JSON.stringify(value) ?? null;
  } catch {
    return null;
  }
}

function readEnvelope(value: unknown): { problems: string[]; fields: EnvelopeFields } {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return { problems: ["body is not a JSON object"], fields: NO_FIELDS };
  }
  const candidate = value as Record<string, unknown>;
  const fields: EnvelopeFields = {
    envelopeId: nonEmptyString(candidate["id"]),
    envelopeFrom: nonEmptyString(candidate["from"]),
    envelopeTo: addressList(candidate["to"]),
    envelopeSubject: typeof candidate["subject"] === "string" ? candidate["subject"] : null,
  };
  const problems: string[] = [];
  if (candidate["v"] !== 2) problems.push("v is not 2");
  if (fields.envelopeId === null) problems.push("id is not a non-empty string");
  if (fields.envelopeFrom === null) problems.push("from is not a non-empty string");
  if (fields.envelopeTo === null) problems.push("to is not a non-empty list of strings");
  if (fields.envelopeSubject === null) problems.push("subject is not a string");
  if (typeof candidate["text"] !== "string" && typeof candidate["html"] !== "string") problems.push("neither text nor html is a string");
  return { problems, fields };
}

function nonEmptyString(value: unknown): string | null {
  return typeof value === "string" && value.length > 0 ? value : null;
}

function addressList(value: unknown): string[] | null {
  if (!Array.isArray(value) || value.length === 0) return null;
  return value.every((item): item is string => typeof item === "string") ? value : null;
}
