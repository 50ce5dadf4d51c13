/**
 * A deliberately small, independent MIME reader for tests: it undoes what rfc5322.ts does (unfolding, RFC 2047
 * B/Q words, quoted-printable, base64, multipart/alternative) so tests can assert on meaning, not bytes.
 * Accepts CRLF or LF line endings (what the renderer emits vs. what a Maildir stores).
 */
export interface ParsedMessage {
  /** Header fields in order, names as written, values unfolded (still encoded). */
  headers: Array<{ name: string; value: string }>;
  /** First value of a header (case-insensitive name), decoded from encoded-words. */
  header(name: string): string | undefined;
  /** Decoded text of every leaf part, by MIME type (`text/plain`, `text/html`). */
  parts: Map<string, string>;
}

export function parseMessage(raw: string): ParsedMessage {
  const normalized = raw.replace(/\r\n/g, "\n");
  const split = normalized.indexOf("\n\n");
  const headerBlock = split < 0 ? normalized : normalized.slice(0, split);
  const body = split < 0 ? "" : normalized.slice(split + 2);
  const headers = headerBlock
    .replace(/\n(?=[ \t])/g, "")
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => {
      const colon = line.indexOf(":");
      return { name: line.slice(0, colon), value: line.slice(colon + 1).replace(/^[ \t]+/, "") };
    });
  const header = (name: string): string | undefined => {
    const found = headers.find((h) => h.name.toLowerCase() === name.toLowerCase());
    return found === undefined ? undefined : decodeEncodedWords(found.value);
  };
  const parts = new Map<string, string>();
  const contentType = header("Content-Type") ?? "text/plain";
  const boundary = /boundary="?([^";]+)"?/.exec(contentType)?.[1];
  if (contentType.startsWith("multipart/") && boundary !== undefined) {
    const sections = body.split(`--${boundary}`).slice(1, -1);
    for (const section of sections) {
      // The line break before a delimiter belongs to the delimiter; decodeBody drops it like a message's last one.
      const part = parseMessage(section.replace(/^\n/, ""));
      for (const [type, text] of part.parts) parts.set(type, text);
    }
  } else {
    const type = contentType.split(";")[0]?.trim().toLowerCase() ?? "text/plain";
    parts.set(type, decodeBody(body, header("Content-Transfer-Encoding") ?? "7bit"));
  }
  return { headers, header, parts };
}

export function decodeEncodedWords(value: string): string {
  return value
    .replace(/(\?=)[ \t]+(?==\?)/g, "$1")
    .replace(/=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g, (_word, _charset: string, encoding: string, text: string) =>
      encoding.toUpperCase() === "B"
        ? Buffer.from(text, "base64").toString("utf8")
        : Buffer.from(
            text.replace(/_/g, " ").replace(/=([0-9A-F]{2})/gi, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16))),
            "latin1",
          ).toString("utf8"),
    );
}

function decodeBody(body: string, encoding: string): string {
  switch (encoding.toLowerCase()) {
    case "base64":
      return Buffer.from(body.replace(/\s+/g, ""), "base64").toString("utf8");
    case "quoted-printable": {
      const bytes = body
        .replace(/=\n/g, "")
        .replace(/\n$/, "")
        .replace(/=([0-9A-F]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
      return Buffer.from(bytes, "latin1").toString("utf8");
    }
    default:
      return body.replace(/\n$/, "");
  }
}
