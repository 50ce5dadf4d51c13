import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describeAbnormalEnd, outputLines, runProcess } from "./runProcess";
import { findTool, missingToolResult, type ToolLookup } from "./tools";
import type { ValidationResult } from "./types";

export interface CaddyValidationOptions extends ToolLookup {
  /** The Caddyfile to validate. */
  file: string;
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 30_000;

/** Log lines of caddy's JSON logger at warn level or above, as plain text (pure). */
export function caddyWarnings(stderr: string): string[] {
  const warnings: string[] = [];
  for (const line of outputLines(stderr)) {
    try {
      const entry = JSON.parse(line) as { level?: unknown; msg?: unknown };
      if (entry.level === "warn" || entry.level === "error") warnings.push(`${String(entry.level)}: ${String(entry.msg)}`);
    } catch {
      // not a log line (e.g. "Error: adapting config …"): handled through the exit code
    }
  }
  return warnings;
}

/**
 * `caddy validate --adapter caddyfile --config <file>`: adapts and provisions the config without
 * serving. Failure = non-zero exit. Caddy logs (JSON) on stderr even when the config is valid, and
 * some warnings are expected (e.g. "automatic HTTPS is completely disabled" with `auto_https off`),
 * so warnings are reported in the message but do not fail the file.
 */
export async function caddyValidator(options: CaddyValidationOptions): Promise<ValidationResult> {
  const env = options.env ?? process.env;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const caddy = findTool("caddy", options);
  if (caddy === undefined) return missingToolResult("caddy", options.file, "caddy", env);

  // Caddy provisions storage under HOME/XDG dirs even for validate: keep that out of the user's home.
  const scratch = mkdtempSync(path.join(os.tmpdir(), "caddy-validate-"));
  try {
    const outcome = await runProcess(caddy, ["validate", "--adapter", "caddyfile", "--config", path.resolve(options.file)], {
      env: { ...env, HOME: scratch, XDG_DATA_HOME: path.join(scratch, "data"), XDG_CONFIG_HOME: path.join(scratch, "config") },
      timeoutMs,
    });
    const abnormal = describeAbnormalEnd("caddy validate", outcome, timeoutMs);
    if (abnormal !== undefined) return { validator: "caddy", target: options.file, status: "failed", message: abnormal };
    if (outcome.exitCode !== 0) {
      const errors = outputLines(outcome.stderr).filter((line) => !line.startsWith("{"));
      return {
        validator: "caddy",
        target: options.file,
        status: "failed",
        message: errors.length > 0 ? errors.join("\n") : `caddy validate exited ${outcome.exitCode}`,
      };
    }
    const warnings = caddyWarnings(outcome.stderr);
    return {
      validator: "caddy",
      target: options.file,
      status: "passed",
      message: ["Valid configuration", ...warnings].join("\n"),
    };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
