/**
 * The operator's mailbox list (`mailUsers`) → Dovecot's passwd-file. Operators paste what
 * `doveadm pw -s SHA512-CRYPT` prints after the address, one `address:{SHA512-CRYPT}$6$…` line per
 * user. Dovecot reads the same file as passdb and userdb, and a line with only two fields has no
 * userdb part: Dovecot then answers `User … is missing userdb info`, refuses the IMAP login and
 * LMTP bounces every delivery with 550 (docs/mail.md). So each line is written out with the six
 * userdb fields present and empty; dovecot.conf's `default_fields` fills in uid, gid and home.
 *
 * Problems name the line and say what is wrong, never quote the hash (or what might be a
 * password typed in its place).
 */

/** Hashes Dovecot verifies through crypt(3): SHA512-CRYPT (documented), and bcrypt, `doveadm pw`'s default. */
const HASHES: readonly { scheme: string; pattern: RegExp }[] = [
  { scheme: "SHA512-CRYPT", pattern: /^\$6\$(?:rounds=\d{4,9}\$)?[./0-9A-Za-z]{1,16}\$[./0-9A-Za-z]{86}$/ },
  { scheme: "BLF-CRYPT", pattern: /^\$2[aby]\$\d{2}\$[./0-9A-Za-z]{53}$/ },
];
/** `{CRYPT}` is whatever crypt(3) understands: accepted for the hashes above only. */
const SCHEME_ALIASES: Readonly<Record<string, string>> = { "SHA512-CRYPT": "SHA512-CRYPT", "BLF-CRYPT": "BLF-CRYPT", CRYPT: "" };

const ADDRESS = /^[a-z0-9](?:[a-z0-9._+-]{0,62}[a-z0-9])?@[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$/;

export interface MailUser {
  address: string;
  /** `{SCHEME}hash`, as Dovecot's passdb reads it. */
  password: string;
}

export type MailUsersResult = { ok: true; users: MailUser[] } | { ok: false; problems: string[] };

const EXPECTED = "expected `address:{SHA512-CRYPT}$6$…` (the address, a colon, then what `doveadm pw -s SHA512-CRYPT` prints)";

/** Parses the pasted list: blank lines and `#` comments are ignored, addresses are lower-cased. */
export function parseMailUsers(text: string): MailUsersResult {
  const users: MailUser[] = [];
  const problems: string[] = [];
  const seen = new Set<string>();
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) return;
    const at = `line ${index + 1}`;
    const colon = line.indexOf(":");
    const address = (colon < 0 ? "" : line.slice(0, colon)).trim().toLowerCase();
    if (!ADDRESS.test(address)) {
      // The line may hold a password: it is not shown.
      problems.push(`${at}: ${EXPECTED}; the part before the first colon is not an email address`);
      return;
    }
    const who = `${at} (${address})`;
    // Trailing empty fields (a passwd-file line someone already padded) are accepted; anything else is not.
    const rest = line.slice(colon + 1).replace(/:*$/, "");
    if (rest.includes(":")) {
      problems.push(`${who}: ${EXPECTED}; the line has more fields than the address and the hash`);
      return;
    }
    const hash = hashOf(rest);
    if (typeof hash !== "string") {
      problems.push(`${who}: ${EXPECTED}; ${hash.problem} (the value is not shown)`);
      return;
    }
    if (seen.has(address)) {
      problems.push(`${who}: the address is listed twice; keep one line per mailbox`);
      return;
    }
    seen.add(address);
    users.push({ address, password: hash });
  });
  return problems.length > 0 ? { ok: false, problems } : { ok: true, users };
}

function hashOf(field: string): string | { problem: string } {
  const scheme = /^\{([A-Z0-9.-]+)\}/.exec(field);
  const hash = scheme ? field.slice(scheme[0].length) : field;
  const known = HASHES.find((h) => h.pattern.test(hash));
  if (scheme && !(scheme[1]! in SCHEME_ALIASES)) {
    return { problem: `{${scheme[1]!}} is not a scheme accepted here (SHA512-CRYPT, or BLF-CRYPT)` };
  }
  if (!known) return { problem: "what follows the address is not a SHA512-CRYPT or BLF-CRYPT hash" };
  const named = scheme ? SCHEME_ALIASES[scheme[1]!] : "";
  if (named !== "" && named !== known.scheme) return { problem: `the hash does not match its scheme {${scheme![1]!}}` };
  return `{${known.scheme}}${hash}`;
}

/** The passwd-file Dovecot reads as passdb and userdb: `address:{SCHEME}hash::::::` lines. */
export function renderDovecotUsers(users: readonly MailUser[]): string {
  const header = "# Managed by paperclip-harness (Pulumi), from the mailUsers setting.\n";
  return header + users.map((user) => `${user.address}:${user.password}::::::\n`).join("");
}
