import { spawn } from "node:child_process";

export interface ProcessOutcome {
  /** null when the process was killed by a signal (including our timeout). */
  exitCode: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  /** Set when the process could not be started at all (ENOENT, EACCES). */
  spawnError?: string;
}

export interface RunProcessOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  timeoutMs: number;
}

/**
 * Runs a command without a shell (arguments are never re-parsed), collects its output and kills it
 * after `timeoutMs`. Never rejects: every way a validator can go wrong ends up in the outcome.
 */
export function runProcess(command: string, args: readonly string[], options: RunProcessOptions): Promise<ProcessOutcome> {
  return new Promise((resolve) => {
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let timedOut = false;
    let settled = false;
    const child = spawn(command, args, {
      env: options.env ?? process.env,
      cwd: options.cwd,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, options.timeoutMs);
    child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
    const finish = (exitCode: number | null, spawnError?: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({
        exitCode,
        stdout: Buffer.concat(stdout).toString("utf8"),
        stderr: Buffer.concat(stderr).toString("utf8"),
        timedOut,
        ...(spawnError === undefined ? {} : { spawnError }),
      });
    };
    child.on("error", (error) => finish(null, error.message));
    child.on("close", (code) => finish(code));
  });
}

/** Non-empty lines of a process's output, trailing whitespace removed. */
export function outputLines(text: string): string[] {
  return text
    .split("\n")
    .map((line) => line.trimEnd())
    .filter((line) => line.length > 0);
}

/** One line describing how a process ended badly, for messages. */
export function describeAbnormalEnd(tool: string, outcome: ProcessOutcome, timeoutMs: number): string | undefined {
  if (outcome.spawnError !== undefined) return `${tool} could not be started: ${outcome.spawnError}`;
  if (outcome.timedOut) return `${tool} did not finish within ${timeoutMs} ms and was killed`;
  if (outcome.exitCode === null) return `${tool} was killed by a signal`;
  return undefined;
}
