/**
 * A throwaway PostgreSQL server for tests: initdb into a temp directory, listening on 127.0.0.1 only
 * (and a socket in that directory), password authentication, stopped and removed by `stop()`.
 * PostgreSQL refuses to run as root, so as root the server runs as `nobody`.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import type { TestContext } from "vitest";
import { isCi } from "../../cli/validators/tools";

const PROGRAMS = ["initdb", "pg_ctl", "psql", "pg_isready"] as const;

/** The newest PostgreSQL ≥ 15 (psql's \getenv) with all four programs: Debian's /usr/lib/postgresql/<major>/bin, then PATH. */
export function findPostgresBin(): string | undefined {
  const root = "/usr/lib/postgresql";
  const candidates = existsSync(root)
    ? readdirSync(root)
        .filter((major) => /^\d+$/.test(major) && Number(major) >= 15)
        .sort((a, b) => Number(b) - Number(a))
        .map((major) => join(root, major, "bin"))
    : [];
  candidates.push(...(process.env.PATH ?? "").split(":").filter(Boolean));
  return candidates.find((dir) => PROGRAMS.every((program) => existsSync(join(dir, program))) && majorVersion(dir) >= 15);
}

function majorVersion(bin: string): number {
  const out = spawnSync(join(bin, "psql"), ["--version"], { encoding: "utf8" }).stdout ?? "";
  return Number(/(\d+)\./.exec(out)?.[1] ?? 0);
}

/** The bin directory, or (like the validators) a loud skip on a developer machine and a failure in CI. */
export function requirePostgres(context: TestContext): string {
  const bin = findPostgresBin();
  if (bin !== undefined) return bin;
  const message = "PostgreSQL ≥ 15 server programs (initdb, pg_ctl, psql, pg_isready) not installed — apt-get install postgresql";
  if (isCi()) throw new Error(`FAILED: ${message}`);
  console.warn(`\n*** SKIPPED: ${message} ***\n`);
  return context.skip(message);
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export class LocalPostgres {
  readonly adminPassword = "local-admin-password";

  private constructor(
    readonly bin: string,
    readonly directory: string,
    readonly port: number,
  ) {}

  static async start(bin: string): Promise<LocalPostgres> {
    const directory = mkdtempSync(join(tmpdir(), "local-postgres-"));
    const server = new LocalPostgres(bin, directory, await freePort());
    const passwordFile = join(directory, "password");
    writeFileSync(passwordFile, server.adminPassword);
    if (userInfo().uid === 0) {
      const nobody = Number(execFileSync("id", ["-u", "nobody"], { encoding: "utf8" }).trim());
      chownSync(directory, nobody, -1);
      chownSync(passwordFile, nobody, -1);
    }
    server.run("initdb", ["-D", server.dataDirectory, "-U", "postgres", `--pwfile=${passwordFile}`, "-A", "scram-sha-256", "--no-sync"]);
    server.run("pg_ctl", [
      "-D",
      server.dataDirectory,
      "-o",
      `-p ${server.port} -k ${directory} -c listen_addresses=127.0.0.1 -c fsync=off`,
      "-l",
      join(directory, "server.log"),
      "-w",
      "start",
    ]);
    return server;
  }

  get dataDirectory(): string {
    return join(this.directory, "data");
  }

  /** libpq variables for the administrator. */
  adminEnv(): Record<string, string> {
    return { PGHOST: "127.0.0.1", PGPORT: String(this.port), PGUSER: "postgres", PGPASSWORD: this.adminPassword };
  }

  /** Runs one SQL statement with psql as the given user; returns stdout (unaligned, tuples only). */
  query(sql: string, database: string, user = "postgres", password = this.adminPassword): string {
    const result = spawnSync(join(this.bin, "psql"), ["-X", "-tA", "-v", "ON_ERROR_STOP=1", "-d", database, "-c", sql], {
      encoding: "utf8",
      env: { ...process.env, ...this.adminEnv(), PGUSER: user, PGPASSWORD: password },
    });
    if (result.status !== 0) throw new Error(`psql failed: ${result.stderr}`);
    return result.stdout.trim();
  }

  stop(): void {
    try {
      this.run("pg_ctl", ["-D", this.dataDirectory, "-m", "fast", "-w", "stop"]);
    } finally {
      rmSync(this.directory, { recursive: true, force: true });
    }
  }

  private run(program: string, args: string[]): void {
    const command = join(this.bin, program);
    const [file, argv] = userInfo().uid === 0 ? ["runuser", ["-u", "nobody", "--", command, ...args]] : [command, args];
    const result = spawnSync(file, argv, { encoding: "utf8", cwd: this.directory });
    if (result.status !== 0) throw new Error(`${program} failed (${result.status}): ${result.stderr}${result.stdout}`);
  }
}
