/**
 * Entry point of the email drain (bundled to one file by bundle.ts; run by a systemd user service).
 *
 *   email-drain           pull and deliver until SIGTERM/SIGINT
 *   email-drain --once    one pull/settle cycle, then exit (manual runs; stop the service first: one
 *                         journal has one writer)
 *
 * Exit codes (sysexits.h), so the unit can tell what to do:
 *   0  stopped cleanly, or --once finished        64  bad command line
 *   70 internal error (a bug)                       73  the journal cannot be opened
 *   74 the journal cannot be written                75  --once could not reach the queue (try later)
 *   78 configuration: a variable, SENDMAIL_PATH, or the API refusing the token or queue ids
 */
import { constants, readFileSync } from "node:fs";
import { access } from "node:fs/promises";
import { ConfigError, loadConfig, type DrainConfig } from "./config";
import { EmailDrain } from "./drain";
import { DeliveryJournal, JournalError } from "./journal";
import { createLogger, type Logger } from "./log";
import { CloudflareQueuesClient, QueueApiError } from "./queueClient";
import { runSendmail } from "./sendmail";

const EXIT = { ok: 0, usage: 64, software: 70, cantCreate: 73, ioError: 74, tempFail: 75, config: 78 } as const;
const USAGE = "usage: email-drain [--once]\n";

async function main(args: readonly string[]): Promise<number> {
  if (args.some((arg) => arg === "--help" || arg === "-h")) {
    process.stdout.write(USAGE);
    return EXIT.ok;
  }
  if (args.some((arg) => arg !== "--once")) {
    process.stderr.write(USAGE);
    return EXIT.usage;
  }
  const once = args.includes("--once");
  const write = (line: string): void => void process.stdout.write(line);
  let log: Logger = createLogger({ level: "info", write });

  let config: DrainConfig;
  try {
    config = loadConfig(process.env, (path) => readFileSync(path, "utf8"));
    await access(config.sendmailPath, constants.X_OK).catch(() => {
      throw new ConfigError("SENDMAIL_PATH", `${config.sendmailPath} is not an executable file`);
    });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    log.error(`configuration error: ${error.message}`, { variable: error.variable });
    return EXIT.config;
  }
  log = createLogger({ level: config.logLevel, write });

  let journal: DeliveryJournal;
  try {
    const opened = await DeliveryJournal.open(config.journalPath, { retentionMs: config.journalRetentionMs });
    journal = opened.journal;
    log.info("journal opened", { path: config.journalPath, ...opened.report });
  } catch (error) {
    log.error(error instanceof Error ? error.message : String(error));
    return EXIT.cantCreate;
  }

  const drain = new EmailDrain(config, {
    queue: new CloudflareQueuesClient({
      baseUrl: config.apiBaseUrl,
      accountId: config.accountId,
      queueId: config.queueId,
      deadLetterQueueId: config.deadLetterQueueId,
      apiToken: config.apiToken,
      timeoutMs: config.apiTimeoutMs,
    }),
    journal,
    producers: config.producers,
    sendmail: (request) => runSendmail({ path: config.sendmailPath, timeoutMs: config.sendmailTimeoutMs, env: process.env }, request),
    log,
  });
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.on(signal, () => {
      log.info("stopping: finishing the message in flight", { signal });
      drain.stop();
    });
  }

  log.info("started", {
    mode: once ? "once" : "loop",
    queueId: config.queueId,
    deadLetterQueueId: config.deadLetterQueueId,
    producers: config.producers.describe(),
    batchSize: config.batchSize,
    visibilityTimeoutMs: config.visibilityTimeoutMs,
    sendmailPath: config.sendmailPath,
  });
  try {
    if (once) {
      const summary = await drain.runCycle();
      log.info("cycle finished", { ...summary });
      return summary.pullFailed ? EXIT.tempFail : EXIT.ok;
    }
    await drain.run();
    log.info("stopped");
    return EXIT.ok;
  } catch (error) {
    if (error instanceof QueueApiError && error.isConfigurationProblem) {
      log.error(`the queue API refused the configuration: ${error.message}`, { kind: error.kind });
      return EXIT.config;
    }
    if (error instanceof JournalError) {
      log.error(error.message);
      return EXIT.ioError;
    }
    throw error;
  } finally {
    await journal.close().catch(() => undefined);
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
    process.stdout.write(`${JSON.stringify({ ts: new Date().toISOString(), level: "error", msg: "internal error", error: detail })}\n`);
    process.exit(EXIT.software);
  },
);
