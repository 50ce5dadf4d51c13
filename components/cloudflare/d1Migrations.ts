/**
 * Deploy-time D1 migrations with the pinned wrangler: `wrangler d1 migrations apply <db> --remote`,
 * the same tool and the same bookkeeping (`d1_migrations`, one row per applied file) as the local
 * test of the migrations. Pure renderers for a `command:local:Command`:
 * - the script (`create`) is the same for every run: it unpacks stdin into a temporary directory (a
 *   wrangler config naming the database, and the migration files) and runs wrangler on it;
 * - stdin carries the wrangler config and the SQL, so no path of this machine is in the inputs;
 * - the API token and account id reach wrangler through the command's environment, never its argv.
 * wrangler applies only files not yet recorded, so running it again is harmless.
 */
import type { D1MigrationFile } from "../../apps/d1/migrations";

/** First line of the script: lets the plan's artifact extractor tell which database it migrates. */
export const D1_MIGRATIONS_MARKER = "# harness:d1-migrations ";

/** What wrangler's config needs to find the database and its migrations (`migrations_dir` is relative to it). */
export interface D1MigrationBundle {
  wrangler: {
    name: string;
    compatibility_date: string;
    d1_databases: Array<{ binding: string; database_name: string; database_id: string; migrations_dir: string }>;
  };
  migrations: Array<{ name: string; sql: string }>;
}

/** Any date works for migrations (no Worker runs); pinned so the bundle is stable. */
const WRANGLER_CONFIG_DATE = "2026-04-01";
const DATABASE_NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;

function checkDatabaseName(databaseName: string): void {
  // Also what keeps the name safe to put in the script unquoted-by-accident: it is quoted anyway.
  if (!DATABASE_NAME.test(databaseName))
    throw new Error(`D1 database name must be lower-case letters, digits and "-", got ${databaseName}`);
}

export function d1MigrationBundle(databaseName: string, databaseId: string, files: readonly D1MigrationFile[]): D1MigrationBundle {
  checkDatabaseName(databaseName);
  return {
    wrangler: {
      name: `${databaseName}-migrations`,
      compatibility_date: WRANGLER_CONFIG_DATE,
      d1_databases: [{ binding: "DB", database_name: databaseName, database_id: databaseId, migrations_dir: "migrations" }],
    },
    migrations: files.map(({ name, sql }) => ({ name, sql })),
  };
}

/**
 * Reads the bundle from stdin and writes `<dir>/wrangler.json` and `<dir>/migrations/*.sql`. Kept free
 * of single quotes so it can sit inside one in the script; names are checked before they become paths.
 */
const UNPACK_JS = [
  'const fs = require("fs"), path = require("path");',
  "const dir = process.argv[1];",
  'const bundle = JSON.parse(fs.readFileSync(0, "utf8"));',
  'fs.mkdirSync(path.join(dir, "migrations"));',
  "for (const file of bundle.migrations) {",
  '  if (!/^[0-9]{4}_[a-z0-9_]+[.]sql$/.test(file.name)) throw new Error("unexpected migration file name " + JSON.stringify(file.name));',
  '  fs.writeFileSync(path.join(dir, "migrations", file.name), file.sql);',
  "}",
  'fs.writeFileSync(path.join(dir, "wrangler.json"), JSON.stringify(bundle.wrangler, null, 2));',
].join("\n");

/**
 * The `create` script for one database. Runs from the Pulumi project (the engine starts commands in the
 * program's directory), where `npx --no-install` finds the project's pinned wrangler and never downloads one.
 */
export function d1MigrationsScript(databaseName: string): string {
  checkDatabaseName(databaseName);
  if (UNPACK_JS.includes("'")) throw new Error("unpack script must not contain a single quote");
  return [
    `${D1_MIGRATIONS_MARKER}${databaseName}`,
    // The command provider runs it with /bin/sh -c.
    "# shellcheck shell=sh",
    "set -eu",
    'work="$(mktemp -d)"',
    "trap 'rm -rf \"$work\"' EXIT",
    `node -e '${UNPACK_JS}' "$work"`,
    `npx --no-install wrangler d1 migrations apply '${databaseName}' --remote --config "$work/wrangler.json"`,
    "",
  ].join("\n");
}

/** The database a script from d1MigrationsScript migrates, or undefined for any other script. */
export function migratedDatabase(script: string | undefined): string | undefined {
  if (!script?.startsWith(D1_MIGRATIONS_MARKER)) return undefined;
  return script.slice(D1_MIGRATIONS_MARKER.length, script.indexOf("\n"));
}

/** Wrangler's non-interactive switches: no prompt (CI), no metrics, no update check banner. */
export const WRANGLER_ENVIRONMENT = {
  CI: "true",
  WRANGLER_SEND_METRICS: "false",
  WRANGLER_HIDE_BANNER: "true",
} as const;
