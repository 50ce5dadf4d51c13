/**
 * Runs the bundled drain as a real process (what systemd runs), for end-to-end tests.
 * The bundle is built once per test file into a temporary directory.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { buildEmailDrainBundle } from "../bundle";

export async function writeDrainBundle(directory: string): Promise<string> {
  const path = join(directory, "email-drain.cjs");
  await writeFile(path, buildEmailDrainBundle(), { mode: 0o755 });
  return path;
}

export interface DrainRun {
  child: ChildProcess;
  /** Resolves with the exit code (or the signal name) once the process has exited. */
  exited: Promise<number | string>;
  /** Everything the process wrote to stdout so far. */
  stdout(): string;
}

/** Starts the drain in its own process group, so a test can kill it together with its sendmail (as systemd would). */
export function startDrain(bundlePath: string, env: NodeJS.ProcessEnv, args: readonly string[] = []): DrainRun {
  const child = spawn(process.execPath, [bundlePath, ...args], { env, stdio: ["ignore", "pipe", "pipe"], detached: true });
  let stdout = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    stdout += chunk.toString("utf8");
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    stdout += chunk.toString("utf8");
  });
  const exited = new Promise<number | string>((resolve) => {
    child.on("exit", (code, signal) => resolve(code ?? signal ?? "unknown"));
  });
  return { child, exited, stdout: () => stdout };
}

/** SIGKILLs the drain's whole process group, like systemd's KillMode=control-group after a crash. */
export function killDrainGroup(run: DrainRun): void {
  if (run.child.pid !== undefined && run.child.exitCode === null) process.kill(-run.child.pid, "SIGKILL");
}
