import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig, type Environment } from "./config";

const TOKEN = "cf-token-0123456789abcdefghijklmnop";
const BASE: Environment = {
  CF_ACCOUNT_ID: "0123456789abcdef0123456789abcdef",
  CF_QUEUE_ID: "11111111111111111111111111111111",
  CF_DLQ_QUEUE_ID: "22222222222222222222222222222222",
  CF_API_TOKEN: TOKEN,
  PRODUCERS: "mcp,dlq",
  PRODUCER_MCP_KEY: "6d".repeat(32),
  PRODUCER_MCP_SENDERS: "agents@sodimo.eu,agent-*@sodimo.eu",
  PRODUCER_DLQ_KEY_FILE: "/run/dlq-key",
  PRODUCER_DLQ_SENDERS: "harness@sodimo.eu",
  PRODUCER_DLQ_REPLY_TO: "none",
  HOME: "/home/sodimo",
};

const DLQ_KEY = "d1".repeat(32);
const noFiles = (path: string): string => {
  if (path === "/run/dlq-key") return `${DLQ_KEY}\n`;
  throw Object.assign(new Error(`ENOENT: ${path}`), { code: "ENOENT" });
};

function configError(env: Environment, readTextFile = noFiles): ConfigError {
  try {
    loadConfig(env, readTextFile);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

describe("loadConfig", () => {
  it("applies the documented defaults", () => {
    const config = loadConfig(BASE, noFiles);
    expect({ ...config, producers: config.producers.describe() }).toEqual({
      accountId: "0123456789abcdef0123456789abcdef",
      queueId: "11111111111111111111111111111111",
      deadLetterQueueId: "22222222222222222222222222222222",
      apiToken: TOKEN,
      apiBaseUrl: "https://api.cloudflare.com",
      apiTimeoutMs: 15_000,
      producers: ["mcp: senders agents@sodimo.eu,agent-*@sodimo.eu; reply-to senders", "dlq: senders harness@sodimo.eu; reply-to none"],
      batchSize: 10,
      visibilityTimeoutMs: 300_000,
      sendmailPath: "/usr/sbin/sendmail",
      sendmailTimeoutMs: 30_000,
      journalPath: "/home/sodimo/.local/state/email-drain/journal",
      journalRetentionMs: 15 * 24 * 60 * 60 * 1000,
      retryBaseDelaySeconds: 120,
      retryMaxDelaySeconds: 3_600,
      idlePollMinMs: 1_000,
      idlePollMaxMs: 30_000,
      logLevel: "info",
    });
  });

  it.each(["CF_ACCOUNT_ID", "CF_QUEUE_ID", "CF_DLQ_QUEUE_ID", "PRODUCERS", "PRODUCER_MCP_SENDERS"])("requires %s", (name) => {
    const error = configError({ ...BASE, [name]: undefined });
    expect(error.variable).toBe(name);
    expect(error.message).toBe(`${name}: is not set`);
  });

  it.each([
    [{ CF_QUEUE_ID: "email_outbox" }, "CF_QUEUE_ID", "must be a 32-character hex id"],
    [{ CF_ACCOUNT_ID: "../../zones" }, "CF_ACCOUNT_ID", "must be a 32-character hex id"],
    [{ CF_API_TOKEN: undefined }, "CF_API_TOKEN", "is not set (nor CF_API_TOKEN_FILE)"],
    [{ CF_API_TOKEN_FILE: "/run/token" }, "CF_API_TOKEN", "not both"],
    [{ CF_API_BASE_URL: "http://api.example.com" }, "CF_API_BASE_URL", "must be https://"],
    [{ CF_API_BASE_URL: "https://api.cloudflare.com/client/v4" }, "CF_API_BASE_URL", "origin only"],
    [{ CF_API_BASE_URL: "not a url" }, "CF_API_BASE_URL", "is not a URL"],
    [{ ALLOWED_SENDERS: "@sodimo.eu" }, "ALLOWED_SENDERS", "is no longer read: sender rules are per producer"],
    [{ PRODUCERS: "MCP" }, "PRODUCERS", '"MCP" is not a producer name'],
    [{ PRODUCERS: "mcp,mcp" }, "PRODUCERS", "lists mcp twice"],
    [{ PRODUCERS: " , " }, "PRODUCERS", "lists no producer"],
    [{ PRODUCERS: "mcp" }, "PRODUCER_DLQ_KEY_FILE", "names a producer that is not in PRODUCERS (mcp)"],
    [{ PRODUCER_MCP_SENDER: "x@sodimo.eu" }, "PRODUCER_MCP_SENDER", "is not a producer setting"],
    [{ PRODUCER_MCP_SENDERS: "ceo" }, "PRODUCER_MCP_SENDERS", 'entry "ceo"'],
    [{ PRODUCER_MCP_SENDERS: "@sodimo.eu" }, "PRODUCER_MCP_SENDERS", "whole domains are not accepted"],
    [{ PRODUCER_MCP_REPLY_TO: "@sodimo.eu" }, "PRODUCER_MCP_REPLY_TO", "whole domains are not accepted"],
    [{ PRODUCER_MCP_KEY: undefined }, "PRODUCER_MCP_KEY", "is not set (nor PRODUCER_MCP_KEY_FILE)"],
    [{ PRODUCER_MCP_KEY: "ab".repeat(16) }, "PRODUCER_MCP_KEY", "must be 64 lower-case hex characters"],
    [{ PRODUCER_MCP_KEY_FILE: "/run/mcp-key" }, "PRODUCER_MCP_KEY", "not both"],
    [{ PRODUCER_DLQ_KEY_FILE: "/run/missing" }, "PRODUCER_DLQ_KEY_FILE", "cannot read /run/missing (ENOENT)"],
    [{ PULL_BATCH_SIZE: "101" }, "PULL_BATCH_SIZE", "from 1 to 100"],
    [{ PULL_BATCH_SIZE: "10.5" }, "PULL_BATCH_SIZE", "from 1 to 100"],
    [{ SENDMAIL_PATH: "sendmail" }, "SENDMAIL_PATH", "absolute path"],
    [{ VISIBILITY_TIMEOUT_MS: "60000" }, "VISIBILITY_TIMEOUT_MS", "must exceed SENDMAIL_TIMEOUT_MS + 1 s + 2 × API_TIMEOUT_MS (61000 ms)"],
    [{ RETRY_BASE_DELAY_SECONDS: "600", RETRY_MAX_DELAY_SECONDS: "60" }, "RETRY_MAX_DELAY_SECONDS", "must not be below"],
    [{ LOG_LEVEL: "verbose" }, "LOG_LEVEL", "must be debug, info, warn or error"],
    [{ HOME: undefined }, "JOURNAL_PATH", "is not set"],
  ])("rejects %j naming %s", (overrides, variable, message) => {
    const error = configError({ ...BASE, ...overrides });
    expect(error.variable).toBe(variable);
    expect(error.message).toContain(message);
  });

  it("reads the token from CF_API_TOKEN_FILE and trims it", () => {
    const config = loadConfig({ ...BASE, CF_API_TOKEN: undefined, CF_API_TOKEN_FILE: "/run/token" }, (path) => {
      if (path === "/run/dlq-key") return DLQ_KEY;
      expect(path).toBe("/run/token");
      return `${TOKEN}\n`;
    });
    expect(config.apiToken).toBe(TOKEN);
  });

  it("reports an unreadable token file by its error code", () => {
    const error = configError({ ...BASE, CF_API_TOKEN: undefined, CF_API_TOKEN_FILE: "/run/missing" });
    expect(error.message).toBe("CF_API_TOKEN_FILE: cannot read /run/missing (ENOENT)");
  });

  it("never echoes a producer key it rejects", () => {
    const error = configError({ ...BASE, PRODUCER_MCP_KEY: "SECRETMARKER".padEnd(64, "0") });
    expect(error.variable).toBe("PRODUCER_MCP_KEY");
    expect(error.message).not.toContain("SECRETMARKER");
  });

  it("never echoes a token it rejects", () => {
    const badToken = "SECRETMARKER with a space, long enough";
    const error = configError({ ...BASE, CF_API_TOKEN: badToken });
    expect(error.variable).toBe("CF_API_TOKEN");
    expect(error.message).not.toContain("SECRETMARKER");
  });

  it("accepts plain http only for a loopback API (the test fakes)", () => {
    expect(loadConfig({ ...BASE, CF_API_BASE_URL: "http://127.0.0.1:8787" }, noFiles).apiBaseUrl).toBe("http://127.0.0.1:8787");
  });

  it("puts the journal in systemd's StateDirectory when there is one", () => {
    const config = loadConfig({ ...BASE, STATE_DIRECTORY: "/home/sodimo/.local/state/email-drain" }, noFiles);
    expect(config.journalPath).toBe("/home/sodimo/.local/state/email-drain/journal");
    expect(loadConfig({ ...BASE, JOURNAL_PATH: "/var/tmp/j" }, noFiles).journalPath).toBe("/var/tmp/j");
  });
});
