/**
 * The shell scripts the Kubernetes workload runs, as constants: they take every value from their
 * environment (set on the container, from Secrets where secret), so no value is ever interpolated
 * into shell text. They are delivered in ConfigMaps and checked by shellcheck (`check`, tests).
 */

import { PAPERCLIP_BOOTSTRAP } from "../paperclip/paperclipSettings";

/** Mount path of the workload's ConfigMap (config.json template and these scripts). */
export const PAPERCLIP_CONFIG_MOUNT = "/etc/paperclip";

export const SCRIPT_FILES = {
  configureInstance: "configure-instance.sh",
  bootstrapAdmin: "bootstrap-admin.sh",
  databaseInit: "database-init.sh",
} as const;

/**
 * Init container: puts config.json in the instance directory when it is absent (an operator may
 * have edited it with `paperclipai configure`), sets its `database.connectionString` to
 * DATABASE_URL on every start (the server's environment has no DATABASE_URL, which would reach
 * every agent), and keeps the agent JWT secret line of `<instance>/.env` equal to the secret, so
 * rotating it works. Paperclip loads that .env at start, as `paperclipai onboard` would have written it.
 * `paperclipai doctor` reads the connection string only from the file, so without it doctor fails.
 */
export const CONFIGURE_INSTANCE_SCRIPT = `#!/bin/sh
# Writes config.json when absent, its database URL, and the agent JWT secret into the instance's .env.
# Environment: PAPERCLIP_CONFIG (target path), PAPERCLIP_CONFIG_TEMPLATE, PAPERCLIP_AGENT_JWT_SECRET,
# DATABASE_URL.
set -eu
umask 077
instance_dir=$(dirname "$PAPERCLIP_CONFIG")
mkdir -p "$instance_dir"

if [ ! -e "$PAPERCLIP_CONFIG" ]; then
  cp "$PAPERCLIP_CONFIG_TEMPLATE" "$PAPERCLIP_CONFIG.tmp"
  mv "$PAPERCLIP_CONFIG.tmp" "$PAPERCLIP_CONFIG"
  echo "configure: wrote $PAPERCLIP_CONFIG"
else
  echo "configure: kept the existing $PAPERCLIP_CONFIG"
fi

if [ -z "\${DATABASE_URL:-}" ]; then
  echo "configure: DATABASE_URL is not set" >&2
  exit 1
fi
# The URL goes from the environment into the file (mode 0600) with node: on no command line, in no log.
# shellcheck disable=SC2016 # JavaScript in single quotes, not shell
node -e '
  const fs = require("node:fs");
  const path = process.env.PAPERCLIP_CONFIG;
  const config = JSON.parse(fs.readFileSync(path, "utf8"));
  if (config.database?.mode === "postgres" && config.database.connectionString === process.env.DATABASE_URL) process.exit(0);
  config.database = { ...config.database, mode: "postgres", connectionString: process.env.DATABASE_URL };
  fs.writeFileSync(path + ".tmp", JSON.stringify(config, null, 2) + "\\n", { mode: 0o600 });
  fs.renameSync(path + ".tmp", path);
  console.log("configure: set the database URL in " + path);'
chmod 0600 "$PAPERCLIP_CONFIG"

env_file="$instance_dir/.env"
touch "$env_file"
wanted="PAPERCLIP_AGENT_JWT_SECRET=$PAPERCLIP_AGENT_JWT_SECRET"
if ! grep -qxF "$wanted" "$env_file"; then
  grep -v '^PAPERCLIP_AGENT_JWT_SECRET=' "$env_file" > "$env_file.tmp" || true
  printf '%s\\n' "$wanted" >> "$env_file.tmp"
  mv "$env_file.tmp" "$env_file"
  echo "configure: set the agent JWT secret in $env_file"
fi
`;

/**
 * Database-init Job: waits for PostgreSQL, then (idempotently) creates Paperclip's login role or
 * resets its password, creates its database owned by that role, and enables the extensions
 * Paperclip's migrations need (pg_trgm from v2026.416.0, fuzzystrmatch later). Names and the
 * password reach SQL only through psql variables (quoted with %I / %L), never through the shell.
 * It succeeds only after logging in as Paperclip's role and finding that it can create tables there
 * and sees both extensions: a database someone else made and owns fails the Job, with its owner named.
 */
export const DATABASE_INIT_SCRIPT = `#!/bin/sh
# Creates Paperclip's role and database and enables pg_trgm and fuzzystrmatch; safe to run again.
# Environment: PGHOST, PGPORT, PGUSER, PGPASSWORD (an administrator), PAPERCLIP_DATABASE,
# PAPERCLIP_DATABASE_USER, PAPERCLIP_DATABASE_PASSWORD.
set -eu
attempts=0
until pg_isready -q -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" -d postgres; do
  attempts=$((attempts + 1))
  if [ "$attempts" -ge 150 ]; then
    echo "database-init: PostgreSQL at $PGHOST:$PGPORT was not ready after 5 minutes" >&2
    exit 1
  fi
  sleep 2
done

psql -X -q -v ON_ERROR_STOP=1 -d postgres <<'SQL'
\\getenv role PAPERCLIP_DATABASE_USER
\\getenv password PAPERCLIP_DATABASE_PASSWORD
\\getenv database PAPERCLIP_DATABASE
SELECT format('CREATE ROLE %I LOGIN', :'role')
  WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'role') \\gexec
SELECT format('ALTER ROLE %I WITH LOGIN PASSWORD %L', :'role', :'password') \\gexec
SELECT format('CREATE DATABASE %I OWNER %I', :'database', :'role')
  WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'database') \\gexec
SQL

psql -X -q -v ON_ERROR_STOP=1 -d "$PAPERCLIP_DATABASE" <<'SQL'
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS fuzzystrmatch;
SQL

# Prove it the way Paperclip will use it: log in as its role, with its password, to its database,
# and check that its migrations can create tables there and find both extensions.
if ! verdict=$(PGUSER="$PAPERCLIP_DATABASE_USER" PGPASSWORD="$PAPERCLIP_DATABASE_PASSWORD" psql -X -q -At -v ON_ERROR_STOP=1 -d "$PAPERCLIP_DATABASE" -c "SELECT has_database_privilege(current_database(), 'CREATE') AND has_schema_privilege('public', 'CREATE') AND (SELECT count(*) FROM pg_extension WHERE extname IN ('pg_trgm', 'fuzzystrmatch')) = 2"); then
  echo "database-init: $PAPERCLIP_DATABASE_USER cannot log in to $PAPERCLIP_DATABASE (see psql's message above)" >&2
  exit 1
fi
if [ "$verdict" != "t" ]; then
  owner=$(psql -X -q -At -v ON_ERROR_STOP=1 -d postgres <<'SQL' || true
\\getenv database PAPERCLIP_DATABASE
SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = :'database';
SQL
)
  echo "database-init: $PAPERCLIP_DATABASE exists but $PAPERCLIP_DATABASE_USER cannot create tables in its public schema or lacks pg_trgm/fuzzystrmatch (database owner: \${owner:-unknown}); make $PAPERCLIP_DATABASE_USER its owner or drop it so this Job creates it" >&2
  exit 1
fi
echo "database-init: $PAPERCLIP_DATABASE is ready for $PAPERCLIP_DATABASE_USER (pg_trgm, fuzzystrmatch)"
`;

/**
 * First-admin Job: waits until Paperclip answers its health check (with the Host the hostname guard
 * accepts), then creates the bootstrap invite with upstream's CLI and prints its URL to the Job log.
 * When an admin already exists it says so and succeeds, so the Job can run again; when upstream's
 * command printed no invite it fails. The invite lasts PAPERCLIP_BOOTSTRAP.expiresHours (30 days).
 */
export const BOOTSTRAP_ADMIN_SCRIPT = `#!/bin/sh
# Prints the first-admin invite URL, unless Paperclip already has an admin.
# Environment: PAPERCLIP_HEALTH_URL, PAPERCLIP_PUBLIC_URL, PAPERCLIP_CONFIG, DATABASE_URL.
set -eu
attempts=0
until health=$(curl -fsS --max-time 5 -H 'Host: localhost' "$PAPERCLIP_HEALTH_URL"); do
  attempts=$((attempts + 1))
  if [ "$attempts" -ge 120 ]; then
    echo "bootstrap: Paperclip did not answer $PAPERCLIP_HEALTH_URL within 10 minutes" >&2
    exit 1
  fi
  sleep 5
done

status=$(printf '%s' "$health" | node -e 'let s = ""; process.stdin.on("data", (d) => { s += d; }).on("end", () => { process.stdout.write(String(JSON.parse(s).bootstrapStatus ?? "")); });')
if [ "$status" = "ready" ]; then
  echo "bootstrap: Paperclip already has an admin; no invite created."
  exit 0
fi

cd /app
# bootstrap-ceo exits 0 even when it created no invite (no config, database down): judge it by its
# output, so the Job fails instead of "succeeding" with no invite.
output=$(NO_COLOR=1 node cli/node_modules/tsx/dist/cli.mjs cli/src/index.ts auth bootstrap-ceo \\
  --config "$PAPERCLIP_CONFIG" \\
  --base-url "$PAPERCLIP_PUBLIC_URL" \\
  --expires-hours ${PAPERCLIP_BOOTSTRAP.expiresHours} 2>&1) || true
printf '%s\\n' "$output"
case "$output" in
  *"${PAPERCLIP_BOOTSTRAP.inviteLine}$PAPERCLIP_PUBLIC_URL/invite/"* | *"${PAPERCLIP_BOOTSTRAP.adminExistsLine}"*) ;;
  *)
    echo "bootstrap: paperclipai auth bootstrap-ceo created no invite (its output is above)" >&2
    exit 1
    ;;
esac
`;
