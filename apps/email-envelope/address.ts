/**
 * Mailbox grammar for the email envelope: a strict, small subset of RFC 5322 §3.4 that every MTA on the path
 * accepts and that can be re-rendered without ambiguity.
 *
 * Accepted: `local@domain`, `<local@domain>`, `Display Name <local@domain>`, `"Display, Name" <local@domain>`.
 * Not accepted: quoted local parts, comments, IP-literal domains, internationalised addresses (SMTPUTF8) and
 * group syntax. Domains must be fully qualified LDH names (punycode for IDNs).
 * Pure and runtime-neutral (no Node APIs): the MCP Worker can run the same checks before enqueueing.
 */

/** A parsed mailbox. `address` is `localPart@domain`, exactly as given (the domain is compared case-insensitively). */
export interface Mailbox {
  displayName?: string;
  address: string;
  localPart: string;
  domain: string;
}

export type ParseResult<T> = { ok: true; value: T } | { ok: false; reason: string };

export const MAX_ADDRESS_LENGTH = 254;
export const MAX_LOCAL_PART_LENGTH = 64;
export const MAX_DISPLAY_NAME_LENGTH = 128;

// RFC 5322 atext; dot-atom = atext+ ("." atext+)*
const DOT_ATOM = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const DOMAIN_LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;
const NUMERIC = /^[0-9]+$/;

/**
 * True when a string contains a character that must never reach a header: C0 controls (CR, LF, NUL, TAB…),
 * DEL, C1 controls (NEL among them), the Unicode line/paragraph separators, and unpaired UTF-16 surrogates
 * (which cannot be encoded as UTF-8).
 */
export function hasForbiddenHeaderCharacter(value: string): boolean {
  // eslint-disable-next-line no-control-regex -- matching control characters is this function's job
  return /[\u0000-\u001F\u007F-\u009F\u2028\u2029]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(value);
}

/** Parses a bare `local@domain`. */
export function parseAddrSpec(value: string): ParseResult<{ address: string; localPart: string; domain: string }> {
  if (value.length > MAX_ADDRESS_LENGTH) return { ok: false, reason: `address longer than ${MAX_ADDRESS_LENGTH} characters` };
  const at = value.lastIndexOf("@");
  if (at <= 0) return { ok: false, reason: "address is not local@domain" };
  const localPart = value.slice(0, at);
  const domain = value.slice(at + 1);
  if (localPart.length > MAX_LOCAL_PART_LENGTH) {
    return { ok: false, reason: `local part longer than ${MAX_LOCAL_PART_LENGTH} characters` };
  }
  if (!DOT_ATOM.test(localPart)) return { ok: false, reason: "local part is not a dot-atom" };
  const domainCheck = checkDomain(domain);
  if (!domainCheck.ok) return domainCheck;
  return { ok: true, value: { address: value, localPart, domain } };
}

/** Checks a fully qualified LDH domain name (at least two labels, non-numeric top-level label). */
export function checkDomain(domain: string): ParseResult<string> {
  if (domain.length === 0 || domain.length > 253) return { ok: false, reason: "domain is empty or too long" };
  const labels = domain.split(".");
  if (labels.length < 2) return { ok: false, reason: "domain is not fully qualified" };
  if (!labels.every((label) => DOMAIN_LABEL.test(label))) return { ok: false, reason: "domain is not a valid host name" };
  if (NUMERIC.test(labels[labels.length - 1] ?? "")) return { ok: false, reason: "domain has a numeric top-level label" };
  return { ok: true, value: domain };
}

/** Parses one mailbox (see the module comment for the accepted forms). */
export function parseMailbox(raw: string): ParseResult<Mailbox> {
  if (hasForbiddenHeaderCharacter(raw)) return { ok: false, reason: "contains a control character" };
  const value = raw.trim();
  if (!value.endsWith(">")) {
    if (/[\s<>"]/.test(value)) return { ok: false, reason: "address is not local@domain" };
    const spec = parseAddrSpec(value);
    return spec.ok ? { ok: true, value: spec.value } : spec;
  }
  const open = value.lastIndexOf("<");
  if (open < 0) return { ok: false, reason: "unbalanced angle brackets" };
  const spec = parseAddrSpec(value.slice(open + 1, -1));
  if (!spec.ok) return spec;
  const name = parseDisplayName(value.slice(0, open).trim());
  if (!name.ok) return name;
  return { ok: true, value: name.value === undefined ? spec.value : { displayName: name.value, ...spec.value } };
}

/** A display name is either a quoted-string (backslash escapes allowed) or plain text without `"<>`. */
function parseDisplayName(phrase: string): ParseResult<string | undefined> {
  let name: string;
  if (phrase.startsWith('"')) {
    const quoted = /^"((?:[^"\\]|\\.)*)"$/.exec(phrase);
    if (!quoted) return { ok: false, reason: "display name has an unterminated quoted string" };
    name = (quoted[1] ?? "").replace(/\\(.)/g, "$1");
  } else {
    if (/[<>"]/.test(phrase)) return { ok: false, reason: 'display name contains <, > or " outside quotes' };
    name = phrase;
  }
  // Whitespace runs collapse: a display name is a phrase, where any run of FWS means one space.
  name = name.replace(/\s+/g, " ").trim();
  if (name.length > MAX_DISPLAY_NAME_LENGTH) {
    return { ok: false, reason: `display name longer than ${MAX_DISPLAY_NAME_LENGTH} characters` };
  }
  return { ok: true, value: name === "" ? undefined : name };
}
