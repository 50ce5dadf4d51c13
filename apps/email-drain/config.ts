/**
 * The drain's configuration, read once from the environment (and the token file it may name).
 *
 * Pure apart from the injected file reader. Every problem is a ConfigError naming the variable, which main.ts
 * turns into one log line and exit code 78 (EX_CONFIG), so systemd can stop restarting a misconfigured unit.
 * Secret values (the API token) never appear in an error message.
 */
import { PRODUCER_KEY_PATTERN, PRODUCER_NAME_PATTERN } from "../email-envelope/producerAuth";
import { SenderAllowList } from "./allowList";
import { ProducerRegistry, type Producer } from "./producers";
import { SENDMAIL_KILL_GRACE_MS } from "./sendmail";

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
    this.name = "ConfigError";
  }
}

export type LogLevel = "debug" | "info" | "warn" | "error";

export interface DrainConfig {
  accountId: string;
  queueId: string;
  deadLetterQueueId: string;
  apiToken: string;
  /** Origin of the Cloudflare API; `/client/v4` is appended. */
  apiBaseUrl: string;
  apiTimeoutMs: number;
  /** Every producer with its key and sender rules (PRODUCERS, PRODUCER_<NAME>_*). */
  producers: ProducerRegistry;
  batchSize: number;
  visibilityTimeoutMs: number;
  sendmailPath: string;
  sendmailTimeoutMs: number;
  journalPath: string;
  journalRetentionMs: number;
  retryBaseDelaySeconds: number;
  retryMaxDelaySeconds: number;
  idlePollMinMs: number;
  idlePollMaxMs: number;
  logLevel: LogLevel;
}

export type Environment = Readonly<Record<string, string | undefined>>;

const CLOUDFLARE_ID = /^[0-9a-f]{32}$/i;
// Printable ASCII without spaces: anything else could split or corrupt the Authorization header.
const API_TOKEN = /^[\x21-\x7E]{20,512}$/;
const MAX_VISIBILITY_TIMEOUT_MS = 12 * 60 * 60 * 1000;
const MAX_RETRY_DELAY_SECONDS = 12 * 60 * 60;
const DAY_MS = 24 * 60 * 60 * 1000;

export function loadConfig(env: Environment, readTextFile: (path: string) => string): DrainConfig {
  const sendmailTimeoutMs = integer(env, "SENDMAIL_TIMEOUT_MS", 30_000, 100, 600_000);
  const apiTimeoutMs = integer(env, "API_TIMEOUT_MS", 15_000, 100, 120_000);
  const visibilityTimeoutMs = integer(env, "VISIBILITY_TIMEOUT_MS", 300_000, 1_000, MAX_VISIBILITY_TIMEOUT_MS);
  const budgetMs = messageBudgetMs({ sendmailTimeoutMs, apiTimeoutMs });
  if (visibilityTimeoutMs <= budgetMs) {
    throw new ConfigError(
      "VISIBILITY_TIMEOUT_MS",
      `must exceed SENDMAIL_TIMEOUT_MS + 1 s + 2 × API_TIMEOUT_MS (${budgetMs} ms), got ${visibilityTimeoutMs}`,
    );
  }
  const retryBaseDelaySeconds = integer(env, "RETRY_BASE_DELAY_SECONDS", 120, 0, MAX_RETRY_DELAY_SECONDS);
  const retryMaxDelaySeconds = integer(env, "RETRY_MAX_DELAY_SECONDS", 3_600, 0, MAX_RETRY_DELAY_SECONDS);
  if (retryMaxDelaySeconds < retryBaseDelaySeconds) {
    throw new ConfigError("RETRY_MAX_DELAY_SECONDS", "must not be below RETRY_BASE_DELAY_SECONDS");
  }
  const idlePollMinMs = integer(env, "IDLE_POLL_MIN_MS", 1_000, 10, 600_000);
  const idlePollMaxMs = integer(env, "IDLE_POLL_MAX_MS", 30_000, 10, 600_000);
  if (idlePollMaxMs < idlePollMinMs) throw new ConfigError("IDLE_POLL_MAX_MS", "must not be below IDLE_POLL_MIN_MS");

  return {
    accountId: cloudflareId(env, "CF_ACCOUNT_ID"),
    queueId: cloudflareId(env, "CF_QUEUE_ID"),
    deadLetterQueueId: cloudflareId(env, "CF_DLQ_QUEUE_ID"),
    apiToken: apiToken(env, readTextFile),
    apiBaseUrl: apiBaseUrl(env),
    apiTimeoutMs,
    producers: producers(env, readTextFile),
    batchSize: integer(env, "PULL_BATCH_SIZE", 10, 1, 100),
    visibilityTimeoutMs,
    sendmailPath: absolutePath(env, "SENDMAIL_PATH", "/usr/sbin/sendmail"),
    sendmailTimeoutMs,
    journalPath: journalPath(env),
    // Longer than the 14-day maximum retention of a Queue, so any redelivery still finds its record.
    journalRetentionMs: integer(env, "JOURNAL_RETENTION_DAYS", 15, 1, 365) * DAY_MS,
    retryBaseDelaySeconds,
    retryMaxDelaySeconds,
    idlePollMinMs,
    idlePollMaxMs,
    logLevel: logLevel(env),
  };
}

/**
 * The most time one message can take once started: sendmail up to its timeout and kill grace, then a
 * dead-letter send and the ack. The drain starts a message only while its lease has that much left.
 */
export function messageBudgetMs(settings: Pick<DrainConfig, "sendmailTimeoutMs" | "apiTimeoutMs">): number {
  return settings.sendmailTimeoutMs + SENDMAIL_KILL_GRACE_MS + 2 * settings.apiTimeoutMs;
}

function required(env: Environment, name: string): string {
  const value = env[name]?.trim();
  if (value === undefined || value === "") throw new ConfigError(name, "is not set");
  return value;
}

function cloudflareId(env: Environment, name: string): string {
  const value = required(env, name);
  if (!CLOUDFLARE_ID.test(value)) throw new ConfigError(name, `must be a 32-character hex id, got "${value}"`);
  return value.toLowerCase();
}

function apiToken(env: Environment, readTextFile: (path: string) => string): string {
  const inline = env.CF_API_TOKEN?.trim();
  const file = env.CF_API_TOKEN_FILE?.trim();
  if (inline && file) throw new ConfigError("CF_API_TOKEN", "set either CF_API_TOKEN or CF_API_TOKEN_FILE, not both");
  let token: string;
  if (file) {
    try {
      token = readTextFile(file).trim();
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? "unreadable";
      throw new ConfigError("CF_API_TOKEN_FILE", `cannot read ${file} (${code})`);
    }
  } else if (inline) {
    token = inline;
  } else {
    throw new ConfigError("CF_API_TOKEN", "is not set (nor CF_API_TOKEN_FILE)");
  }
  if (!API_TOKEN.test(token)) {
    throw new ConfigError(
      file ? "CF_API_TOKEN_FILE" : "CF_API_TOKEN",
      "is not a plausible API token (20+ printable characters, no spaces)",
    );
  }
  return token;
}

function apiBaseUrl(env: Environment): string {
  const raw = env.CF_API_BASE_URL?.trim() || "https://api.cloudflare.com";
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError("CF_API_BASE_URL", `is not a URL: "${raw}"`);
  }
  const loopback = ["127.0.0.1", "localhost", "[::1]"].includes(url.hostname);
  // The token travels in a header: plain HTTP is only acceptable to a local fake.
  if (url.protocol !== "https:" && !(url.protocol === "http:" && loopback)) {
    throw new ConfigError("CF_API_BASE_URL", "must be https:// (http:// only for loopback test servers)");
  }
  if (url.pathname !== "/" || url.search !== "" || url.hash !== "") {
    throw new ConfigError("CF_API_BASE_URL", "must be an origin only, e.g. https://api.cloudflare.com");
  }
  return url.origin;
}

/**
 * `PRODUCERS=mcp,dlq`, and per producer: `PRODUCER_<NAME>_KEY` or `_KEY_FILE` (secret), `_SENDERS` (required)
 * and `_REPLY_TO` (optional). A `PRODUCER_*` variable of a producer not listed is a mistake (a typo, or a
 * producer forgotten in PRODUCERS), and so is the one-list-for-all ALLOWED_SENDERS this replaces.
 */
function producers(env: Environment, readTextFile: (path: string) => string): ProducerRegistry {
  if (env.ALLOWED_SENDERS !== undefined) {
    throw new ConfigError(
      "ALLOWED_SENDERS",
      "is no longer read: sender rules are per producer (PRODUCERS and PRODUCER_<NAME>_SENDERS, see docs/email-drain.md)",
    );
  }
  const names = required(env, "PRODUCERS")
    .split(",")
    .map((name) => name.trim())
    .filter((name) => name !== "");
  if (names.length === 0) throw new ConfigError("PRODUCERS", "lists no producer");
  for (const name of names) {
    if (!PRODUCER_NAME_PATTERN.test(name)) {
      throw new ConfigError("PRODUCERS", `${JSON.stringify(name)} is not a producer name (1-16 of a-z 0-9, starting with a letter)`);
    }
  }
  const duplicate = names.find((name, index) => names.indexOf(name) !== index);
  if (duplicate !== undefined) throw new ConfigError("PRODUCERS", `lists ${duplicate} twice`);
  const prefixes = names.map((name) => `PRODUCER_${name.toUpperCase()}_`);
  const stray = Object.keys(env).find(
    (variable) => variable.startsWith("PRODUCER_") && !prefixes.some((prefix) => variable.startsWith(prefix)),
  );
  if (stray !== undefined) throw new ConfigError(stray, `names a producer that is not in PRODUCERS (${names.join(",")})`);

  return new ProducerRegistry(
    names.map((name): Producer => {
      const prefix = `PRODUCER_${name.toUpperCase()}_`;
      const known = ["KEY", "KEY_FILE", "SENDERS", "REPLY_TO"].map((suffix) => prefix + suffix);
      const unknown = Object.keys(env).find((variable) => variable.startsWith(prefix) && !known.includes(variable));
      if (unknown !== undefined) throw new ConfigError(unknown, `is not a producer setting (expected ${known.join(", ")})`);
      const replyTo = env[`${prefix}REPLY_TO`]?.trim();
      return {
        name,
        key: producerKey(env, prefix, readTextFile),
        senders: addressRules(`${prefix}SENDERS`, required(env, `${prefix}SENDERS`)),
        replyTo:
          replyTo === undefined || replyTo === "" ? undefined : replyTo === "none" ? "none" : addressRules(`${prefix}REPLY_TO`, replyTo),
      };
    }),
  );
}

function addressRules(variable: string, list: string): SenderAllowList {
  const parsed = SenderAllowList.parse(list);
  if (!parsed.ok) throw new ConfigError(variable, parsed.reason);
  return parsed.value;
}

function producerKey(env: Environment, prefix: string, readTextFile: (path: string) => string): string {
  const inline = env[`${prefix}KEY`]?.trim();
  const file = env[`${prefix}KEY_FILE`]?.trim();
  if (inline && file) throw new ConfigError(`${prefix}KEY`, `set either ${prefix}KEY or ${prefix}KEY_FILE, not both`);
  let key: string;
  if (file) {
    try {
      key = readTextFile(file).trim();
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? "unreadable";
      throw new ConfigError(`${prefix}KEY_FILE`, `cannot read ${file} (${code})`);
    }
  } else if (inline) {
    key = inline;
  } else {
    throw new ConfigError(`${prefix}KEY`, `is not set (nor ${prefix}KEY_FILE)`);
  }
  // The value is a secret: the message says what is expected, never what was found.
  if (!PRODUCER_KEY_PATTERN.test(key))
    throw new ConfigError(file ? `${prefix}KEY_FILE` : `${prefix}KEY`, "must be 64 lower-case hex characters");
  return key;
}

function integer(env: Environment, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === "") return fallback;
  const value = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new ConfigError(name, `must be an integer from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}

function absolutePath(env: Environment, name: string, fallback: string): string {
  const value = env[name]?.trim() || fallback;
  if (!value.startsWith("/")) throw new ConfigError(name, `must be an absolute path, got "${value}"`);
  return value;
}

/** `$STATE_DIRECTORY` (systemd `StateDirectory=`), else `$XDG_STATE_HOME`, else `~/.local/state`. */
function journalPath(env: Environment): string {
  if (env.JOURNAL_PATH?.trim()) return absolutePath(env, "JOURNAL_PATH", "");
  const stateDirectory = env.STATE_DIRECTORY?.split(":")[0]?.trim();
  if (stateDirectory) return `${stateDirectory}/journal`;
  const xdgState = env.XDG_STATE_HOME?.trim() || (env.HOME?.trim() ? `${env.HOME.trim()}/.local/state` : "");
  if (!xdgState.startsWith("/")) {
    throw new ConfigError("JOURNAL_PATH", "is not set and neither STATE_DIRECTORY, XDG_STATE_HOME nor HOME gives a default");
  }
  return `${xdgState}/email-drain/journal`;
}

function logLevel(env: Environment): LogLevel {
  const value = env.LOG_LEVEL?.trim() || "info";
  if (value !== "debug" && value !== "info" && value !== "warn" && value !== "error") {
    throw new ConfigError("LOG_LEVEL", `must be debug, info, warn or error, got "${value}"`);
  }
  return value;
}
