import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { D1_DATABASE_ROLES, d1MigrationsDirectory, type D1DatabaseRole } from "../../apps/d1/migrations";

const WRANGLER_BIN = path.resolve(__dirname, "../../node_modules/wrangler/bin/wrangler.js");
const WRANGLER_TIMEOUT_MS = 90_000;

export interface WranglerRun {
  exitCode: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Throwaway local D1 state, driven by the pinned wrangler exactly as a developer would
 * (`wrangler d1 … --local --persist-to`), with a generated config naming both databases and their
 * migration directories. Offline: no metrics, no banner (the banner is what checks for updates).
 */
export class LocalD1 {
  readonly directory = mkdtempSync(path.join(tmpdir(), "local-d1-"));
  /** Where wrangler keeps the D1 state; Miniflare's `d1Persist` opens the same databases. */
  readonly d1Persist = path.join(this.directory, "state", "v3", "d1");
  private readonly configPath = path.join(this.directory, "wrangler.json");

  constructor() {
    const config = {
      name: "local-d1",
      compatibility_date: "2026-04-01",
      d1_databases: D1_DATABASE_ROLES.map((role) => ({
        binding: role.toUpperCase(),
        database_name: role,
        database_id: LocalD1.databaseId(role),
        migrations_dir: d1MigrationsDirectory(role),
      })),
    };
    writeFileSync(this.configPath, JSON.stringify(config, null, 2));
  }

  /** The id Miniflare needs (`d1Databases: { DB: id }`) to open the database wrangler migrated. */
  static databaseId(role: D1DatabaseRole): string {
    return `local-${role}`;
  }

  applyMigrations(role: D1DatabaseRole): Promise<WranglerRun> {
    return this.wrangler(["d1", "migrations", "apply", role]);
  }

  /** Runs a SQL file against the database outside migration tracking, as a replaying applier would. */
  executeFile(role: D1DatabaseRole, file: string): Promise<WranglerRun> {
    return this.wrangler(["d1", "execute", role, "--file", file]);
  }

  /** Runs one SQL statement with `wrangler d1 execute` and returns its result rows. */
  async query(role: D1DatabaseRole, sql: string): Promise<Record<string, unknown>[]> {
    const run = await this.wrangler(["d1", "execute", role, "--json", "--command", sql]);
    if (run.exitCode !== 0) throw new Error(`wrangler d1 execute failed (${run.exitCode}): ${run.stderr || run.stdout}`);
    const [result] = JSON.parse(run.stdout) as { results: Record<string, unknown>[] }[];
    if (!result) throw new Error(`wrangler d1 execute printed no result: ${run.stdout}`);
    return result.results;
  }

  remove(): void {
    rmSync(this.directory, { recursive: true, force: true });
  }

  private wrangler(args: string[]): Promise<WranglerRun> {
    const fullArgs = [...args, "--local", "--persist-to", path.join(this.directory, "state"), "--config", this.configPath];
    return runInOwnProcessGroup(process.execPath, [WRANGLER_BIN, ...fullArgs], {
      cwd: this.directory,
      env: {
        ...process.env,
        CI: "true",
        WRANGLER_SEND_METRICS: "false",
        WRANGLER_HIDE_BANNER: "true",
        WRANGLER_LOG_PATH: path.join(this.directory, "logs"),
        NO_COLOR: "1",
      },
    });
  }
}

// wrangler starts workerd children; they must not outlive the run, whatever happens to wrangler.
function runInOwnProcessGroup(command: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }): Promise<WranglerRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...options, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    const timer = setTimeout(() => killProcessGroup(child.pid), WRANGLER_TIMEOUT_MS);
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on("close", (exitCode) => {
      clearTimeout(timer);
      killProcessGroup(child.pid);
      resolve({ exitCode, stdout, stderr });
    });
  });
}

function killProcessGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, "SIGKILL");
  } catch (error) {
    // ESRCH: the group has already exited, which is the usual case.
    if ((error as NodeJS.ErrnoException).code !== "ESRCH") throw error;
  }
}
