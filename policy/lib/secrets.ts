/** What a secret looks like: by the name it is given, by its value, and inside other text. */

const SECRET_WORDS = new Set(["PASSWORD", "PASSWD", "PASSPHRASE", "SECRET", "TOKEN", "APIKEY", "CREDENTIAL", "CREDENTIALS", "DSN", "PAT"]);
/** Words that make a following KEY a secret (API_KEY, MASTER_KEY…); a bare KEY (SORT_KEY) is not. */
const KEY_QUALIFIERS = new Set([
  "API",
  "ACCESS",
  "PRIVATE",
  "MASTER",
  "SALT",
  "SECRET",
  "AUTH",
  "ENCRYPTION",
  "SIGNING",
  "SESSION",
  "LICENSE",
  "CLIENT",
  "ADMIN",
  "SERVICE",
]);

/**
 * True when a variable's name says it holds a secret (BETTER_AUTH_SECRET, REDIS_PASSWORD,
 * OPENAI_API_KEY, PAPERCLIP_SECRETS_MASTER_KEY). Names of files or paths that hold one
 * (`*_FILE`, `*_PATH`, `*_DIR`) and plural SECRETS (`PAPERCLIP_SECRETS_PROVIDER`) are not.
 */
export function isSecretLikeName(name: string): boolean {
  const words = name
    .toUpperCase()
    .split(/[^A-Z0-9]+/)
    .filter(Boolean);
  const last = words.at(-1);
  if (last === "FILE" || last === "PATH" || last === "DIR" || last === "NAME" || (last === "ID" && !words.includes("SECRET"))) return false;
  return words.some((word, i) => SECRET_WORDS.has(word) || (word === "KEY" && i > 0 && KEY_QUALIFIERS.has(words[i - 1]!)));
}

/** A value that only refers to a secret held elsewhere: `$(VAR)`, `${VAR}`, `os.environ/VAR`. */
export function isReference(value: string): boolean {
  return /^(\$\([A-Za-z_][A-Za-z0-9_]*\)|\$\{[A-Za-z_][A-Za-z0-9_]*\}|\$[A-Za-z_][A-Za-z0-9_]*|os\.environ\/[A-Za-z_][A-Za-z0-9_]*)$/.test(
    value.trim(),
  );
}

/** The password of a URL with credentials (`postgres://user:pw@host/db`), unless it is a reference. */
export function urlPassword(value: string): string | undefined {
  const match = /^[a-z][a-z0-9+.-]*:\/\/[^:/@\s]*:([^@\s]+)@/i.exec(value.trim());
  const password = match?.[1];
  if (!password || isReference(password)) return undefined;
  return password;
}

const PLACEHOLDERS = [
  /change[-_. ]?(me|it)/i,
  /replace[-_. ]?(me|this)/i,
  /^<[^>]*>$/,
  /^\{\{.*\}\}$/,
  /^\$\{[^}]*\}$/,
  /^(todo|tbd|fixme|xxx+|x+|\*+|\.\.\.|placeholder|secret|password|passw0rd|p@ssw0rd|dummy|example|sample|test|testing|default|admin|root|foo|bar|null|none|undefined|empty|123456|12345678|123456789|0+)$/i,
  /^sk-(x+|\.+|your.*)$/i,
  /your[-_ ].*(key|token|secret|password)/i,
  /^(insert|put|enter|paste)[-_ ].*(here)?$/i,
];

/** True when a secret's value is an obvious stand-in (CHANGEME, `<your key>`, empty). */
export function isPlaceholder(value: string): boolean {
  const trimmed = value.trim();
  return trimmed === "" || PLACEHOLDERS.some((pattern) => pattern.test(trimmed));
}

/**
 * The parts of a secret worth looking for in plain text: runs of 16+ token characters with both
 * letters and digits (random keys, hex, base64), so structure around them (a URL's scheme and
 * host, JSON keys) never counts as secret.
 */
export function secretAtoms(value: string): string[] {
  const atoms = new Set<string>();
  for (const match of value.matchAll(/[A-Za-z0-9+/=_-]{16,}/g)) {
    const atom = match[0];
    if (/[A-Za-z]/.test(atom) && /\d/.test(atom)) atoms.add(atom);
  }
  return [...atoms];
}
