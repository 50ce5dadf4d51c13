/**
 * The runtime validator of `EmailEnvelope` v2 (see envelope.ts and docs/email-envelope.md).
 *
 * Strict on purpose: unknown keys, wrong types, oversize values, control characters in anything that becomes a
 * header, and non-`X-*` extra headers are all rejected, so that whatever passes can be rendered into a message
 * with no way to inject a header. `From` and `Reply-To` display names that look like an address are refused
 * (not rewritten): `"ceo@sodimo.eu" <intruder@…>` shows one address and sends from another. The signature is
 * only checked for form here; the drain verifies it with the producer's key (producerAuth.ts).
 * Pure and runtime-neutral: producers may run it before enqueueing.
 */
import { hasForbiddenHeaderCharacter, parseMailbox, type Mailbox, type ParseResult } from "./address";
import type { EmailEnvelope } from "./envelope";
import { AUTH_PATTERN, canonicalEnvelopeText, PRODUCER_NAME_PATTERN } from "./producerAuth";

/** Limits of the format; documented in docs/email-envelope.md. */
export const ENVELOPE_LIMITS = {
  /** Cloudflare Queues' maximum message size. */
  maxJsonBytes: 128 * 1024,
  maxIdLength: 128,
  maxRecipients: 50,
  maxSubjectLength: 400,
  maxBodyBytes: 100 * 1024,
  maxExtraHeaders: 20,
  maxHeaderValueLength: 500,
  maxMetaEntries: 20,
  maxMetaValueLength: 256,
} as const;

/** An envelope that passed validation, with every address parsed. Renderers take this, never raw JSON. */
export interface ValidatedEmail {
  /** The producer the envelope names; not yet proven (the drain verifies `auth` against `signedText`). */
  producer: string;
  id: string;
  from: Mailbox;
  to: Mailbox[];
  cc: Mailbox[];
  bcc: Mailbox[];
  replyTo?: Mailbox;
  subject: string;
  text?: string;
  html?: string;
  /** `X-*` headers in the producer's order. */
  extraHeaders: Array<{ name: string; value: string }>;
  createdAt?: Date;
  meta: Record<string, string>;
  auth: string;
  /** What `auth` must sign: canonicalEnvelopeText of the envelope as received. */
  signedText: string;
}

/**
 * The key a delivery is known by in the drain's journal and the Message-ID: `<producer>.<id>`, so two
 * producers' ids can never collide (the producer part is proven by `auth`, see producerAuth.ts).
 */
export function deliveryKeyOf(email: Pick<ValidatedEmail, "producer" | "id">): string {
  return `${email.producer}.${email.id}`;
}

/** Idempotency ids are dot-atom text (so they can be the left half of a Message-ID) of a safe subset. */
export const ENVELOPE_ID_PATTERN = /^[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*$/;
const EXTRA_HEADER_NAME = /^X-[A-Za-z0-9][A-Za-z0-9-]{0,61}$/i;
const META_KEY = /^[A-Za-z0-9_.-]{1,64}$/;
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/;
const KNOWN_KEYS: ReadonlySet<string> = new Set<keyof EmailEnvelope>([
  "v",
  "producer",
  "id",
  "from",
  "to",
  "cc",
  "bcc",
  "replyTo",
  "subject",
  "text",
  "html",
  "headers",
  "createdAt",
  "meta",
  "auth",
]);
/** `@` and its look-alikes (full-width, small): a display name holding one can pose as another address. */
const ADDRESS_LIKE = /[@\uFF20\uFE6B]/;

const utf8 = new TextEncoder();

/** Parses the JSON text of a queue message and validates it. */
export function parseEnvelopeJson(json: string): ParseResult<ValidatedEmail> {
  if (utf8.encode(json).length > ENVELOPE_LIMITS.maxJsonBytes) {
    return { ok: false, reason: `message larger than ${ENVELOPE_LIMITS.maxJsonBytes} bytes` };
  }
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return { ok: false, reason: "body is not valid JSON" };
  }
  return validateEnvelope(value);
}

/** Validates a decoded value as an `EmailEnvelope` v1. Reasons name the field, never echo its value. */
export function validateEnvelope(value: unknown): ParseResult<ValidatedEmail> {
  try {
    return { ok: true, value: validateOrThrow(value) };
  } catch (error) {
    if (error instanceof EnvelopeError) return { ok: false, reason: error.message };
    throw error;
  }
}

class EnvelopeError extends Error {}

function fail(reason: string): never {
  throw new EnvelopeError(reason);
}

function validateOrThrow(value: unknown): ValidatedEmail {
  const envelope = asRecord(value, "envelope");
  for (const key of Object.keys(envelope)) {
    if (!KNOWN_KEYS.has(key)) fail(`unknown field ${JSON.stringify(key.slice(0, 40))}`);
  }
  if (envelope.v !== 2) fail("v: unsupported version (expected 2; version 1 envelopes are unsigned and no longer accepted)");
  const producer = requireString(envelope.producer, "producer");
  if (!PRODUCER_NAME_PATTERN.test(producer)) fail("producer: must be 1-16 characters of [a-z0-9], starting with a letter");
  const auth = requireString(envelope.auth, "auth");
  if (!AUTH_PATTERN.test(auth)) fail("auth: must be hmac-sha256:<64 lower-case hex characters>");

  const id = requireString(envelope.id, "id");
  if (id.length > ENVELOPE_LIMITS.maxIdLength || !ENVELOPE_ID_PATTERN.test(id)) {
    fail(`id: must be 1-${ENVELOPE_LIMITS.maxIdLength} characters of [A-Za-z0-9_-] separated by single dots`);
  }

  const from = notAddressLike(mailbox(envelope.from, "from"), "from");
  const to = mailboxList(envelope.to, "to", true);
  const cc = mailboxList(envelope.cc, "cc", false);
  const bcc = mailboxList(envelope.bcc, "bcc", false);
  if (to.length + cc.length + bcc.length > ENVELOPE_LIMITS.maxRecipients) {
    fail(`to+cc+bcc: more than ${ENVELOPE_LIMITS.maxRecipients} recipients`);
  }
  const replyTo = envelope.replyTo === undefined ? undefined : notAddressLike(mailbox(envelope.replyTo, "replyTo"), "replyTo");

  const subject = headerText(envelope.subject, "subject", ENVELOPE_LIMITS.maxSubjectLength);
  if (subject.trim() === "") fail("subject: must not be blank");

  const text = optionalBody(envelope.text, "text");
  const html = optionalBody(envelope.html, "html");
  if (text === undefined && html === undefined) fail("text/html: at least one non-empty body is required");

  const extraHeaders = headers(envelope.headers);
  const createdAt = envelope.createdAt === undefined ? undefined : timestamp(envelope.createdAt, "createdAt");
  const meta = metadata(envelope.meta);

  return {
    producer,
    id,
    from,
    to,
    cc,
    bcc,
    subject,
    extraHeaders,
    meta,
    auth,
    signedText: canonicalEnvelopeText(envelope),
    ...(replyTo && { replyTo }),
    ...(text !== undefined && { text }),
    ...(html !== undefined && { html }),
    ...(createdAt && { createdAt }),
  };
}

function asRecord(value: unknown, field: string): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) fail(`${field}: must be an object`);
  return value as Record<string, unknown>;
}

function requireString(value: unknown, field: string): string {
  if (typeof value !== "string") fail(`${field}: must be a string`);
  return value;
}

function headerText(value: unknown, field: string, maxLength: number): string {
  const text = requireString(value, field);
  if (text.length > maxLength) fail(`${field}: longer than ${maxLength} characters`);
  if (hasForbiddenHeaderCharacter(text)) fail(`${field}: contains a control character (CR, LF, NUL, TAB…)`);
  return text;
}

function mailbox(value: unknown, field: string): Mailbox {
  const parsed = parseMailbox(requireString(value, field));
  if (!parsed.ok) fail(`${field}: ${parsed.reason}`);
  return parsed.value;
}

function notAddressLike(parsed: Mailbox, field: string): Mailbox {
  if (parsed.displayName !== undefined && ADDRESS_LIKE.test(parsed.displayName)) {
    fail(`${field}: the display name looks like an address (it contains @); use a name without @, or none`);
  }
  return parsed;
}

function mailboxList(value: unknown, field: string, required: boolean): Mailbox[] {
  if (value === undefined && !required) return [];
  if (!Array.isArray(value)) fail(`${field}: must be an array of addresses`);
  if (required && value.length === 0) fail(`${field}: at least one address is required`);
  return value.map((item, index) => mailbox(item, `${field}[${index}]`));
}

function optionalBody(value: unknown, field: string): string | undefined {
  if (value === undefined) return undefined;
  const body = requireString(value, field);
  if (utf8.encode(body).length > ENVELOPE_LIMITS.maxBodyBytes) {
    fail(`${field}: larger than ${ENVELOPE_LIMITS.maxBodyBytes} bytes`);
  }
  // NUL and unpaired surrogates cannot travel in a MIME text part; other control characters are body text.
  // eslint-disable-next-line no-control-regex -- NUL is the character refused here
  if (/\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(body)) {
    fail(`${field}: contains NUL or an unpaired surrogate`);
  }
  return body === "" ? undefined : body;
}

function headers(value: unknown): Array<{ name: string; value: string }> {
  if (value === undefined) return [];
  const entries = Object.entries(asRecord(value, "headers"));
  if (entries.length > ENVELOPE_LIMITS.maxExtraHeaders) fail(`headers: more than ${ENVELOPE_LIMITS.maxExtraHeaders}`);
  const seen = new Set<string>();
  return entries.map(([name, headerValue]) => {
    if (!EXTRA_HEADER_NAME.test(name)) fail("headers: only X-* names of letters, digits and - are accepted");
    if (seen.has(name.toLowerCase())) fail(`headers: ${name} given twice`);
    seen.add(name.toLowerCase());
    return { name, value: headerText(headerValue, `headers.${name}`, ENVELOPE_LIMITS.maxHeaderValueLength) };
  });
}

function timestamp(value: unknown, field: string): Date {
  const text = requireString(value, field);
  const time = Date.parse(text);
  if (!RFC3339.test(text) || !Number.isFinite(time)) fail(`${field}: must be an ISO-8601 date-time with a zone`);
  return new Date(time);
}

function metadata(value: unknown): Record<string, string> {
  if (value === undefined) return {};
  const entries = Object.entries(asRecord(value, "meta"));
  if (entries.length > ENVELOPE_LIMITS.maxMetaEntries) fail(`meta: more than ${ENVELOPE_LIMITS.maxMetaEntries} entries`);
  // fromEntries defines own properties, so a "__proto__" key cannot reach the prototype.
  return Object.fromEntries(
    entries.map(([key, metaValue]) => {
      if (!META_KEY.test(key)) fail("meta: keys must be 1-64 characters of [A-Za-z0-9_.-]");
      return [key, headerText(metaValue, `meta.${key}`, ENVELOPE_LIMITS.maxMetaValueLength)];
    }),
  );
}
