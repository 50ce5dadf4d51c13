/**
 * Structured logs: one JSON object per line on stdout (journald keeps them as-is).
 * Callers pass ids, addresses, counts and reasons; never message bodies or the API token.
 */
import type { LogLevel } from "./config";

export type LogValue = string | number | boolean | undefined | readonly string[] | Readonly<Record<string, string>>;
export type LogFields = Readonly<Record<string, LogValue>>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
}

const SEVERITY: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export function createLogger(options: { level: LogLevel; write: (line: string) => void; now?: () => Date }): Logger {
  const now = options.now ?? (() => new Date());
  const log =
    (level: LogLevel) =>
    (msg: string, fields: LogFields = {}): void => {
      if (SEVERITY[level] < SEVERITY[options.level]) return;
      // ts, level and msg come last so a field can never overwrite them.
      options.write(`${JSON.stringify({ ...fields, ts: now().toISOString(), level, msg })}\n`);
    };
  return { debug: log("debug"), info: log("info"), warn: log("warn"), error: log("error") };
}
