/**
 * Markdown for GitHub comments built from untrusted text (resource names, values, file contents,
 * policy messages all come from the pull request): everything is escaped or fenced, and terminal
 * control sequences are stripped.
 */

/**
 * ANSI escape sequences, the other C0 controls except tab and newline, and the bidirectional
 * overrides and isolates, which can make a comment read differently from what it says.
 */
// eslint-disable-next-line no-control-regex
const CONTROL = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b[@-_]|[\u0000-\u0008\u000b-\u001f\u007f\u202a-\u202e\u2066-\u2069]/g;

export function stripControl(text: string): string {
  return text.replace(CONTROL, "");
}

/**
 * Text for inline HTML/Markdown (a table cell, a `<summary>`): no markup survives, no `|` splits a cell,
 * and no URL, `www.` name or address becomes a link (GitHub links those in plain text, even inside
 * `<code>`): the `:` of `://` and the `.` after `www` are written as character references.
 */
export function escapeInline(text: string): string {
  return stripControl(text)
    .replace(/\r?\n/g, " ")
    .replace(/[&<>"'|`*_~[\]\\#@!]/g, (c) => `&#${c.charCodeAt(0)};`)
    .replace(/:(?=\/\/)/g, "&#58;")
    .replace(/\b(www)\./gi, "$1&#46;");
}

/** `<code>` with escaped text. */
export function code(text: string): string {
  return `<code>${escapeInline(text)}</code>`;
}

/** A fenced block that the content cannot close early. */
export function fenced(content: string, language = ""): string {
  const text = stripControl(content);
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = "`".repeat(longest + 1);
  return `${fence}${language}\n${text}\n${fence}`;
}

/** Shortens text to at most `max` characters, saying so. */
export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(0, max - 1))}…`;
}

/**
 * Keeps whole lines of `text` up to about `maxChars`, then says how many lines were cut. Used for
 * long diffs and file contents, so a truncated block still reads as a block.
 */
export function clipLines(text: string, maxChars: number): { text: string; cutLines: number } {
  if (text.length <= maxChars) return { text, cutLines: 0 };
  const lines = text.split("\n");
  const kept: string[] = [];
  let size = 0;
  for (const line of lines) {
    if (size + line.length + 1 > maxChars) break;
    kept.push(line);
    size += line.length + 1;
  }
  return { text: kept.join("\n"), cutLines: lines.length - kept.length };
}
