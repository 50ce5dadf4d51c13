import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";

/** The D1 databases of the `fedora` stack whose schema is versioned in this repository. */
export type D1DatabaseRole = "ledger" | "etl";

export const D1_DATABASE_ROLES: readonly D1DatabaseRole[] = ["ledger", "etl"];

export interface D1MigrationFile {
  /** File name, e.g. `0001_run_ledger_and_dead_letters.sql`; wrangler records it in `d1_migrations.name`. */
  name: string;
  sql: string;
  /** Hex SHA-256 of the file's bytes: what a deploy-time applier triggers on. */
  sha256: string;
}

export interface D1MigrationSet {
  database: D1DatabaseRole;
  /** In the order wrangler applies them. */
  files: D1MigrationFile[];
}

/** `apps/d1/migrations`; each database has its own directory (wrangler's `migrations_dir`). */
export const D1_MIGRATIONS_ROOT = path.join(__dirname, "migrations");

export function d1MigrationsDirectory(database: D1DatabaseRole, root: string = D1_MIGRATIONS_ROOT): string {
  return path.join(root, database);
}

// wrangler takes every `*.sql` file and orders by the number before the first `_`. Holding names to
// this pattern, numbered 1..n, catches a duplicated or skipped number before it reaches a database.
const MIGRATION_FILE_NAME = /^(\d{4})_[a-z0-9_]+\.sql$/;

/** The migrations of every database, read from `root`. Throws when a file name breaks the numbering. */
export function listD1Migrations(root: string = D1_MIGRATIONS_ROOT): D1MigrationSet[] {
  return D1_DATABASE_ROLES.map((database) => ({
    database,
    files: readMigrationFiles(d1MigrationsDirectory(database, root)),
  }));
}

function readMigrationFiles(directory: string): D1MigrationFile[] {
  const names = readdirSync(directory)
    .filter((name) => name.endsWith(".sql"))
    .sort();
  names.forEach((name, index) => {
    const match = MIGRATION_FILE_NAME.exec(name);
    if (!match) {
      throw new Error(`${path.join(directory, name)}: migration names must look like 0001_snake_case.sql`);
    }
    const expected = String(index + 1).padStart(4, "0");
    if (match[1] !== expected) {
      throw new Error(`${path.join(directory, name)}: expected migration number ${expected} (numbers run 0001, 0002, … without gaps)`);
    }
  });
  return names.map((name) => {
    const bytes = readFileSync(path.join(directory, name));
    return { name, sql: bytes.toString("utf8"), sha256: createHash("sha256").update(bytes).digest("hex") };
  });
}
