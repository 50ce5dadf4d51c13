import { existsSync } from "node:fs";
import path from "node:path";
import { describeAbnormalEnd, outputLines, runProcess } from "./runProcess";
import { findTool, missingToolResult, type ToolLookup } from "./tools";
import type { ValidationResult } from "./types";

export interface PostconfValidationOptions extends ToolLookup {
  /** A directory holding main.cf and master.cf. */
  directory: string;
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 30_000;

/**
 * Postfix's own parser on a rendered configuration directory: `postconf -c <dir> -n` (main.cf),
 * `-M` (master.cf services) and `-P` (their `-o` overrides). postconf warns — on stderr, exit 0 —
 * about every parameter Postfix does not know ("unused parameter", a typo or an option of another
 * version) and about malformed lines, so any stderr line fails the directory.
 *
 * Blind spots: values are not checked (a restriction name, a table type, a daemon name in master.cf
 * are only looked at when Postfix runs), and postconf reports its own version's parameters (Debian
 * bookworm: 3.7).
 */
export async function postconfValidator(options: PostconfValidationOptions): Promise<ValidationResult> {
  const env = options.env ?? process.env;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const target = options.directory;
  const postconf = findTool("postconf", options);
  if (postconf === undefined) return missingToolResult("postconf", target, "postconf", env);
  const missing = ["main.cf", "master.cf"].filter((file) => !existsSync(path.join(options.directory, file)));
  if (missing.length > 0) return { validator: "postconf", target, status: "failed", message: `missing ${missing.join(" and ")}` };

  const problems: string[] = [];
  for (const mode of ["-n", "-M", "-P"]) {
    const outcome = await runProcess(postconf, ["-c", path.resolve(options.directory), mode], { env, timeoutMs });
    const abnormal = describeAbnormalEnd(`postconf ${mode}`, outcome, timeoutMs);
    if (abnormal !== undefined) problems.push(abnormal);
    else if (outcome.exitCode !== 0 && outputLines(outcome.stderr).length === 0)
      problems.push(`postconf ${mode} exited ${outcome.exitCode}`);
    for (const line of outputLines(outcome.stderr)) if (!problems.includes(line)) problems.push(line);
  }
  return problems.length > 0
    ? { validator: "postconf", target, status: "failed", message: problems.join("\n") }
    : { validator: "postconf", target, status: "passed", message: "postconf -n -M -P: no warnings" };
}
