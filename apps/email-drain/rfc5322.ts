/**
 * Renders a validated envelope as an RFC 5322 / MIME message (CRLF line endings, 7-bit clean).
 *
 * Pure: the only inputs are the validated email and the origination date. Every header value is built from
 * parsed, validated parts (never pasted), non-ASCII header text becomes RFC 2047 encoded-words, lines are folded
 * at 78 characters, and bodies are quoted-printable or base64 (whichever is shorter), so the output has no 8-bit
 * data and no line over 78 characters except an unfoldable token. Bcc is deliberately not rendered: the drain
 * hands recipients to sendmail as arguments (see sendmail.ts).
 */
import { createHash } from "node:crypto";
import type { Mailbox } from "../email-envelope/address";
import { deliveryKeyOf, type ValidatedEmail } from "../email-envelope/validateEnvelope";

const CRLF = "\r\n";
const MAX_HEADER_LINE = 78;
/** Quoted-printable lines are at most 76 characters; 73 leaves room to escape a leading "." or "F". */
const QP_WRAP = 73;
/** 45 bytes of UTF-8 → 60 base64 characters → a 72-character encoded-word (limit 75, RFC 2047 §2). */
const ENCODED_WORD_BYTES = 45;

export interface RenderOptions {
  /** The origination date (RFC 5322 §3.6.1): when the producer created the message, else when it was rendered. */
  date: Date;
}

export function renderMessage(email: ValidatedEmail, options: RenderOptions): string {
  const headers = [
    foldHeader("Date", [formatDate(options.date)]),
    foldHeader("From", mailboxListWords([email.from])),
    ...(email.replyTo ? [foldHeader("Reply-To", mailboxListWords([email.replyTo]))] : []),
    foldHeader("To", mailboxListWords(email.to)),
    ...(email.cc.length > 0 ? [foldHeader("Cc", mailboxListWords(email.cc))] : []),
    foldHeader("Subject", unstructuredWords(email.subject)),
    foldHeader("Message-ID", [messageIdFor(email)]),
    ...email.extraHeaders.map(({ name, value }) => foldHeader(name, unstructuredWords(value))),
    "MIME-Version: 1.0",
  ];
  const parts = [
    ...(email.text !== undefined ? [textPart("plain", email.text)] : []),
    ...(email.html !== undefined ? [textPart("html", email.html)] : []),
  ];
  const [first, second] = parts;
  if (first === undefined) throw new Error("renderMessage: a validated email has at least one body");
  if (second === undefined) {
    return [...headers, ...first.headers, "", first.body].join(CRLF) + CRLF;
  }
  // Neither quoted-printable nor base64 output can contain "=_", so this boundary never occurs inside a part.
  const boundary = `=_${createHash("sha256").update(email.id).digest("hex").slice(0, 32)}`;
  const body = parts.flatMap((part) => [`--${boundary}`, ...part.headers, "", part.body]);
  return (
    [...headers, foldHeader("Content-Type", ["multipart/alternative;", `boundary="${boundary}"`]), "", ...body, `--${boundary}--`].join(
      CRLF,
    ) + CRLF
  );
}

/** `<producer.id@sender-domain>` (deliveryKeyOf): stable across redeliveries, so recipients' clients can also de-duplicate. */
export function messageIdFor(email: ValidatedEmail): string {
  return `<${deliveryKeyOf(email)}@${email.from.domain.toLowerCase()}>`;
}

/** RFC 5322 §3.3 date-time in UTC, e.g. `Fri, 20 Nov 2026 09:00:00 +0000`. */
export function formatDate(date: Date): string {
  const days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
  const months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  const two = (n: number): string => String(n).padStart(2, "0");
  return (
    `${days[date.getUTCDay()]}, ${two(date.getUTCDate())} ${months[date.getUTCMonth()]} ${date.getUTCFullYear()} ` +
    `${two(date.getUTCHours())}:${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())} +0000`
  );
}

/**
 * Joins words with single spaces into `Name: value`, folding (CRLF + space) before a word that would push the
 * line past 78 characters. Unfolding (RFC 5322 §2.2.3) restores the exact value. Never folds before an empty
 * word, so no folded line is whitespace only.
 */
export function foldHeader(name: string, words: readonly string[]): string {
  const lines: string[] = [];
  let line = `${name}:`;
  for (const word of words) {
    const fits = line.length + 1 + word.length <= MAX_HEADER_LINE;
    if (!fits && word !== "" && line.length > name.length + 1) {
      lines.push(line);
      line = ` ${word}`;
    } else {
      line += ` ${word}`;
    }
  }
  lines.push(line);
  return lines.join(CRLF);
}

/** Unstructured text (Subject, X-*): as-is when printable ASCII, else RFC 2047 encoded-words. */
export function unstructuredWords(text: string): string[] {
  // "=?" in plain text could be mistaken for an encoded-word by a reader, so such text is encoded too.
  if (/^[\x20-\x7E]*$/.test(text) && !text.includes("=?")) return text.split(" ");
  return encodedWords(text);
}

/** `Name <a@b>, c@d` as foldable words, with the display names as atoms, quoted strings or encoded-words. */
export function mailboxListWords(mailboxes: readonly Mailbox[]): string[] {
  return mailboxes.flatMap((mailbox, index) => {
    const words = mailbox.displayName === undefined ? [mailbox.address] : [...phraseWords(mailbox.displayName), `<${mailbox.address}>`];
    if (index < mailboxes.length - 1) words[words.length - 1] += ",";
    return words;
  });
}

function phraseWords(displayName: string): string[] {
  if (!/^[\x20-\x7E]*$/.test(displayName)) return encodedWords(displayName);
  if (/^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~ ]+$/.test(displayName) && !displayName.includes("=?")) {
    return displayName.split(" ");
  }
  // A quoted-string may be folded at its spaces: unfolding gives the same string back.
  return `"${displayName.replace(/(["\\])/g, "\\$1")}"`.split(" ");
}

/** RFC 2047 B-encoded words of at most 45 UTF-8 bytes each, never splitting a character. */
export function encodedWords(text: string): string[] {
  const words: string[] = [];
  let chunk = "";
  for (const character of text) {
    if (Buffer.byteLength(chunk + character, "utf8") > ENCODED_WORD_BYTES) {
      words.push(encodedWord(chunk));
      chunk = "";
    }
    chunk += character;
  }
  if (chunk !== "" || words.length === 0) words.push(encodedWord(chunk));
  return words;
}

function encodedWord(text: string): string {
  return `=?UTF-8?B?${Buffer.from(text, "utf8").toString("base64")}?=`;
}

function textPart(subtype: "plain" | "html", content: string): { headers: string[]; body: string } {
  const quotedPrintable = encodeQuotedPrintable(content);
  const base64 = encodeBase64Body(content);
  const [encoding, body] = quotedPrintable.length <= base64.length ? ["quoted-printable", quotedPrintable] : ["base64", base64];
  return {
    headers: [`Content-Type: text/${subtype}; charset=utf-8`, `Content-Transfer-Encoding: ${encoding}`],
    body,
  };
}

/**
 * Quoted-printable (RFC 2045 §6.7) of UTF-8 text. Any line break (CRLF, CR or LF) becomes a CRLF hard break.
 * A "." or "From " at the start of an output line is escaped, so neither SMTP dot handling nor mbox "From "
 * quoting along the way can alter the content.
 */
export function encodeQuotedPrintable(text: string): string {
  return text
    .split(/\r\n|\r|\n/)
    .map(encodeQuotedPrintableLine)
    .join(CRLF);
}

function encodeQuotedPrintableLine(line: string): string {
  const bytes = Buffer.from(line, "utf8");
  const output: string[] = [];
  let current = "";
  bytes.forEach((byte, index) => {
    const isLast = index === bytes.length - 1;
    const literal = (byte >= 33 && byte <= 126 && byte !== 61) || ((byte === 32 || byte === 9) && !isLast);
    const token = literal ? String.fromCharCode(byte) : `=${byte.toString(16).toUpperCase().padStart(2, "0")}`;
    if (current.length + token.length > QP_WRAP) {
      output.push(`${current}=`);
      current = "";
    }
    current += token;
  });
  output.push(current);
  return output.map((outputLine) => outputLine.replace(/^\./, "=2E").replace(/^From /, "=46rom ")).join(CRLF);
}

function encodeBase64Body(text: string): string {
  const encoded = Buffer.from(text.replace(/\r\n|\r|\n/g, CRLF), "utf8").toString("base64");
  return encoded.match(/.{1,76}/g)?.join(CRLF) ?? "";
}
