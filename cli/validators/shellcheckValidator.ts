import { describeAbnormalEnd, outputLines, runProcess } from "./runProcess";
import { findTool, missingToolResult, type ToolLookup } from "./tools";
import type { ValidationResult } from "./types";

export interface ShellcheckValidationOptions extends ToolLookup {
  /** The script to check. */
  file: string;
  /** Dialect when the script has no shebang ("sh", "bash", "dash", "ksh"). */
  shell?: "sh" | "bash" | "dash" | "ksh";
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 30_000;

/**
 * shellcheck at its strictest severity (style): any finding fails the script. Findings are reported
 * in gcc format ("file:line:col: severity: message [SCxxxx]").
 */
export async function shellcheckValidator(options: ShellcheckValidationOptions): Promise<ValidationResult> {
  const env = options.env ?? process.env;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const shellcheck = findTool("shellcheck", options);
  if (shellcheck === undefined) return missingToolResult("shellcheck", options.file, "shellcheck", env);

  const args = [
    "--format=gcc",
    "--severity=style",
    "--norc",
    ...(options.shell === undefined ? [] : [`--shell=${options.shell}`]),
    "--",
    options.file,
  ];
  const outcome = await runProcess(shellcheck, args, { env, timeoutMs });
  const abnormal = describeAbnormalEnd("shellcheck", outcome, timeoutMs);
  if (abnormal !== undefined) return { validator: "shellcheck", target: options.file, status: "failed", message: abnormal };
  const findings = [...outputLines(outcome.stdout), ...outputLines(outcome.stderr)];
  // Exit 0: clean; 1: findings; 2+: shellcheck itself failed (unreadable file, bad option).
  if (outcome.exitCode === 0 && findings.length === 0) {
    return { validator: "shellcheck", target: options.file, status: "passed", message: "no findings" };
  }
  return {
    validator: "shellcheck",
    target: options.file,
    status: "failed",
    message: findings.length > 0 ? findings.join("\n") : `shellcheck exited ${outcome.exitCode}`,
  };
}
