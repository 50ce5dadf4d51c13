/**
 * A throwaway MariaDB server for tests: a fresh data directory in a temp folder, no TCP listener at
 * all (`--skip-networking`: clients use its socket in that folder), root with a password, stopped
 * and removed by `stop()`. Debian's `mariadb-server` package; its own system service is never used.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import type { TestContext } from "vitest";
import { isCi } from "../../cli/validators/tools";

const SERVER = "/usr/sbin/mariadbd";
const PROGRAMS = ["/usr/bin/mariadb-install-db", "/usr/bin/mariadb", "/usr/bin/mariadb-dump", "/usr/bin/mariadb-admin"];

export function requireMariadb(context: TestContext): void {
  if ([SERVER, ...PROGRAMS].every((program) => existsSync(program))) return;
  const message = "MariaDB server and client not installed — apt-get install mariadb-server mariadb-client";
  if (isCi()) throw new Error(`FAILED: ${message}`);
  console.warn(`\n*** SKIPPED: ${message} ***\n`);
  context.skip(message);
}

export class LocalMariadb {
  readonly rootPassword = "local-root-password";

  private constructor(
    readonly directory: string,
    private readonly server: ChildProcess,
  ) {}

  get socket(): string {
    return join(this.directory, "mysqld.sock");
  }

  static async start(): Promise<LocalMariadb> {
    const directory = mkdtempSync(join(tmpdir(), "local-mariadb-"));
    const data = join(directory, "data");
    // As root, the server must be told to stay root (it refuses otherwise); it owns nothing outside the folder.
    const user = userInfo().uid === 0 ? ["--user=root"] : [];
    const install = spawnSync(
      "/usr/bin/mariadb-install-db",
      ["--no-defaults", `--datadir=${data}`, ...user, "--auth-root-authentication-method=normal", "--skip-test-db"],
      { encoding: "utf8" },
    );
    if (install.status !== 0) throw new Error(`mariadb-install-db failed: ${install.stderr}${install.stdout}`);
    const server = spawn(
      SERVER,
      [
        "--no-defaults",
        `--datadir=${data}`,
        `--socket=${join(directory, "mysqld.sock")}`,
        `--pid-file=${join(directory, "mysqld.pid")}`,
        "--skip-networking",
        "--innodb-flush-log-at-trx-commit=0",
        ...user,
      ],
      { stdio: "ignore" },
    );
    const db = new LocalMariadb(directory, server);
    for (let i = 0; i < 100; i++) {
      if (spawnSync("/usr/bin/mariadb-admin", ["--no-defaults", `--socket=${db.socket}`, "--user=root", "ping"]).status === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    db.sql(`ALTER USER root@localhost IDENTIFIED BY '${db.rootPassword}'`, undefined, "");
    return db;
  }

  /** Runs SQL as root; returns stdout (tab-separated, no column names). */
  sql(statements: string, database?: string, password = this.rootPassword): string {
    const result = spawnSync(
      "/usr/bin/mariadb",
      ["--no-defaults", `--socket=${this.socket}`, "--user=root", "--batch", "--skip-column-names", ...(database ? [database] : [])],
      { input: statements, encoding: "utf8", env: { ...process.env, MYSQL_PWD: password } },
    );
    if (result.status !== 0) throw new Error(`mariadb failed: ${result.stderr}`);
    return result.stdout;
  }

  async stop(): Promise<void> {
    const exited = new Promise((resolve) => this.server.once("exit", resolve));
    this.server.kill("SIGTERM");
    await exited;
    rmSync(this.directory, { recursive: true, force: true });
  }
}
