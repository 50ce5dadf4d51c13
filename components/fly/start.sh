#!/bin/sh
# paperclip-start: boots Paperclip on one Fly.io machine (paperclip-harness, components/fly/start.sh).
#
#   1. Tailscale: tailscaled on a real TUN device (tailscale serve --https needs it for certificates)
#      with --statedir on the volume, so the node keeps its identity across restarts. The reusable
#      auth key goes in on stdin and leaves the environment before anything else starts.
#   2. PostgreSQL from the image's packages, found with pg_config --bindir, data on the volume,
#      initialised once; the paperclip role's password is (re)set from the secret on every boot.
#   3. Paperclip's config: the seed in the image is copied onto the volume only when none is there;
#      on every boot its database.connectionString is set to the URL of that role, password, address
#      and database. It is the server's only copy of the password (node's file, 0600): Paperclip hands
#      its environment to every agent, so no DATABASE_URL there, and the password variable is removed.
#   4. Paperclip as the node user (runuser keeps the environment; su would drop it). While the
#      instance has no admin, every boot prints a fresh invite URL for the first admin (the previous
#      one is revoked; each lasts 30 days); a boot that can create none fails.
#
# Every value comes from the environment (fly.toml [env] and Fly secrets); nothing is baked in. The
# public URL is set once, in PAPERCLIP_PUBLIC_URL; this script checks that Tailscale really gave the
# machine that name rather than deriving a second copy of it.
set -eu

log() { printf 'paperclip-start: %s\n' "$*"; }
fail() {
  printf 'paperclip-start: error: %s\n' "$*" >&2
  exit 1
}

require_env() {
  for name in "$@"; do
    [ -n "$(printenv "$name" || true)" ] || fail "$name is not set (fly.toml [env] or a Fly secret)"
  done
}

# json_get KEY.PATH: the value at KEY.PATH of the JSON document on stdin, empty when absent.
json_get() {
  node -e '
    let text = "";
    process.stdin.on("data", (chunk) => { text += chunk; }).on("end", () => {
      let value;
      try { value = JSON.parse(text); } catch { value = undefined; }
      for (const key of process.argv[1].split(".")) value = value == null ? undefined : value[key];
      process.stdout.write(value == null ? "" : String(value));
    });' "$1"
}

require_env FLY_APP_NAME PORT PAPERCLIP_HOME PAPERCLIP_CONFIG PAPERCLIP_PUBLIC_URL \
  PAPERCLIP_SECRETS_MASTER_KEY PAPERCLIP_AGENT_JWT_SECRET TAILSCALE_AUTH_KEY HARNESS_SEED_CONFIG \
  HARNESS_TAILSCALE_STATE_DIR HARNESS_PG_DATA HARNESS_PG_SOCKET_DIR HARNESS_PG_HOST HARNESS_PG_PORT \
  HARNESS_PG_USER HARNESS_PG_DATABASE PAPERCLIP_HARNESS_PG_PASSWORD

# Values that end up in a URL or in pg_ctl's options (which a shell re-reads) must be plain.
case "$PORT$HARNESS_PG_PORT" in *[!0-9]*) fail "PORT and HARNESS_PG_PORT must be port numbers" ;; esac
case "$HARNESS_PG_HOST$HARNESS_PG_SOCKET_DIR" in
  *[!A-Za-z0-9_./:-]*) fail "HARNESS_PG_HOST and HARNESS_PG_SOCKET_DIR may only hold letters, digits and _ . / : -" ;;
esac
case "$HARNESS_PG_USER$HARNESS_PG_DATABASE" in
  *[!a-z0-9_]*) fail "HARNESS_PG_USER and HARNESS_PG_DATABASE may only hold a-z, 0-9 and _" ;;
esac
case "$PAPERCLIP_HARNESS_PG_PASSWORD" in
  *[!0-9a-f]*) fail "PAPERCLIP_HARNESS_PG_PASSWORD must be lower-case hex (it appears in the database URL unescaped)" ;;
esac
# Agents inherit Paperclip's environment: none of these may be in it (docs/agent-environment.md).
# An earlier version of this stack set them as Fly secrets; Paperclip would prefer them to ours.
for name in DATABASE_URL BETTER_AUTH_SECRET OPENAI_API_KEY ANTHROPIC_AUTH_TOKEN; do
  if [ -n "$(printenv "$name" || true)" ]; then
    log "ignoring $name (agents would inherit it; fly secrets unset $name removes it)"
    unset "$name"
  fi
done
case "$PAPERCLIP_PUBLIC_URL" in
  https://*) ;;
  *) fail "PAPERCLIP_PUBLIC_URL must be an https URL (tailscale serve --https)" ;;
esac
public_host="${PAPERCLIP_PUBLIC_URL#https://}"
public_host="${public_host%%/*}"

tailscaled_pid=''
postgres_bin=''
paperclip_pid=''

# On any exit, stops what this script started, last first: Paperclip, PostgreSQL (fast shutdown:
# no crash recovery on the next boot), tailscaled (its state stays on the volume).
# shellcheck disable=SC2317 # shellcheck 0.10 does not see that the EXIT trap calls it
on_exit() {
  status=$?
  trap - EXIT INT TERM
  log "stopping (status $status)"
  if [ -n "$paperclip_pid" ]; then
    kill -TERM "$paperclip_pid" 2>/dev/null || true
    wait "$paperclip_pid" || true
  fi
  if [ -n "$postgres_bin" ]; then
    runuser -u postgres -- "$postgres_bin/pg_ctl" --pgdata="$HARNESS_PG_DATA" --mode=fast --wait stop || true
  fi
  if [ -n "$tailscaled_pid" ]; then
    kill -TERM "$tailscaled_pid" 2>/dev/null || true
    wait "$tailscaled_pid" || true
  fi
  exit "$status"
}
trap on_exit EXIT
trap 'exit 143' TERM
trap 'exit 130' INT

# 1. Tailscale ------------------------------------------------------------------------------------
mkdir -p "$HARNESS_TAILSCALE_STATE_DIR"
chmod 0700 "$HARNESS_TAILSCALE_STATE_DIR"
log "starting tailscaled (TUN device, state in $HARNESS_TAILSCALE_STATE_DIR)"
tailscaled --statedir="$HARNESS_TAILSCALE_STATE_DIR" &
tailscaled_pid=$!
attempts=0
until tailscale status --json >/dev/null 2>&1; do
  kill -0 "$tailscaled_pid" 2>/dev/null || fail "tailscaled exited (it needs /dev/net/tun, which Fly machines have)"
  attempts=$((attempts + 1))
  [ "$attempts" -le 30 ] || fail "tailscaled did not answer within 30 seconds"
  sleep 1
done
# The key is read from stdin (file:/dev/stdin), never from the command line.
printf '%s' "$TAILSCALE_AUTH_KEY" | tailscale up --auth-key=file:/dev/stdin --hostname="$FLY_APP_NAME" --reset
unset TAILSCALE_AUTH_KEY
tailnet_name="$(tailscale status --json | json_get Self.DNSName)"
tailnet_name="${tailnet_name%.}"
if [ "$tailnet_name" != "$public_host" ]; then
  fail "Tailscale named this machine '$tailnet_name', but PAPERCLIP_PUBLIC_URL is https://$public_host: remove the stale '$FLY_APP_NAME' device in the Tailscale admin console, then restart"
fi
timeout 60 tailscale serve --bg --https=443 "http://127.0.0.1:$PORT" ||
  fail "tailscale serve failed: enable MagicDNS and HTTPS certificates for the tailnet (admin console, DNS page)"
log "serving https://$public_host on the tailnet"

# 2. PostgreSQL -----------------------------------------------------------------------------------
pg_bin="$(pg_config --bindir)"
[ -x "$pg_bin/postgres" ] || fail "no PostgreSQL server in $pg_bin (pg_config --bindir)"
server_version="$(pg_config --version)"
server_major="${server_version#PostgreSQL }"
server_major="${server_major%%[!0-9]*}"
# Only the postgres user may enter the socket directory, so local (socket) connections are trusted.
mkdir -p "$HARNESS_PG_SOCKET_DIR"
chown postgres:postgres "$HARNESS_PG_SOCKET_DIR"
chmod 0700 "$HARNESS_PG_SOCKET_DIR"
if [ -s "$HARNESS_PG_DATA/PG_VERSION" ]; then
  data_major="$(cat "$HARNESS_PG_DATA/PG_VERSION")"
  if [ "$data_major" != "$server_major" ]; then
    fail "the data in $HARNESS_PG_DATA is PostgreSQL $data_major but the image has PostgreSQL $server_major: upgrade the data (pg_upgrade) before deploying this image"
  fi
  log "using the PostgreSQL $data_major data in $HARNESS_PG_DATA"
else
  if [ -d "$HARNESS_PG_DATA" ] && [ -n "$(ls -A "$HARNESS_PG_DATA")" ]; then
    fail "$HARNESS_PG_DATA is not empty but holds no PostgreSQL data (no PG_VERSION): refusing to initialise over it"
  fi
  mkdir -p "$HARNESS_PG_DATA"
  chown postgres:postgres "$HARNESS_PG_DATA"
  chmod 0700 "$HARNESS_PG_DATA"
  log "initialising PostgreSQL $server_major in $HARNESS_PG_DATA"
  runuser -u postgres -- "$pg_bin/initdb" --pgdata="$HARNESS_PG_DATA" --username=postgres \
    --encoding=UTF8 --no-locale --auth-local=trust --auth-host=scram-sha-256 --no-instructions
fi
postgres_bin="$pg_bin" # from here on, on_exit stops the server (a start that timed out included)
runuser -u postgres -- "$pg_bin/pg_ctl" --pgdata="$HARNESS_PG_DATA" --wait --timeout=120 \
  --options="-c listen_addresses=$HARNESS_PG_HOST -c port=$HARNESS_PG_PORT -c unix_socket_directories=$HARNESS_PG_SOCKET_DIR" \
  start
# Idempotent: creates the role and the database once, sets the password from the secret every boot
# (psql reads it from the environment: it is on no command line).
runuser -u postgres -- "$pg_bin/psql" --no-psqlrc --quiet --set=ON_ERROR_STOP=1 \
  --host="$HARNESS_PG_SOCKET_DIR" --port="$HARNESS_PG_PORT" --username=postgres --dbname=postgres <<'SQL'
\getenv db_user HARNESS_PG_USER
\getenv db_name HARNESS_PG_DATABASE
\getenv db_password PAPERCLIP_HARNESS_PG_PASSWORD
SELECT format('CREATE ROLE %I LOGIN', :'db_user')
  WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'db_user') \gexec
ALTER ROLE :"db_user" WITH LOGIN PASSWORD :'db_password';
SELECT format('CREATE DATABASE %I OWNER %I', :'db_name', :'db_user')
  WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'db_name') \gexec
SQL
# 3. Paperclip's config ---------------------------------------------------------------------------
chown node:node "$PAPERCLIP_HOME"
runuser -u node -- mkdir -p "$(dirname "$PAPERCLIP_CONFIG")"
if [ -e "$PAPERCLIP_CONFIG" ]; then
  log "keeping $PAPERCLIP_CONFIG (the seed is copied only when there is none)"
else
  # Copy then rename, so a crash never leaves a truncated config that later boots would keep.
  runuser -u node -- install -m 0600 "$HARNESS_SEED_CONFIG" "$PAPERCLIP_CONFIG.seed"
  runuser -u node -- mv -f "$PAPERCLIP_CONFIG.seed" "$PAPERCLIP_CONFIG"
  log "copied the seed config to $PAPERCLIP_CONFIG"
fi
# The password reaches Paperclip only through this file (node's, mode 0600), never a command line, a
# log or its environment: node reads the parts from its environment, writes a sibling file and
# renames it over.
# shellcheck disable=SC2016 # JavaScript in single quotes, not shell
runuser -u node -- node -e '
  const fs = require("node:fs");
  const e = process.env;
  const path = e.PAPERCLIP_CONFIG;
  const url = `postgres://${e.HARNESS_PG_USER}:${e.PAPERCLIP_HARNESS_PG_PASSWORD}@${e.HARNESS_PG_HOST}:${e.HARNESS_PG_PORT}/${e.HARNESS_PG_DATABASE}`;
  const config = JSON.parse(fs.readFileSync(path, "utf8"));
  if (config.database?.connectionString === url) process.exit(0);
  config.database = { ...config.database, connectionString: url };
  fs.writeFileSync(`${path}.new`, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  fs.renameSync(`${path}.new`, path);' ||
  fail "cannot set database.connectionString in $PAPERCLIP_CONFIG (is it valid JSON?)"
chmod 0600 "$PAPERCLIP_CONFIG"
# Paperclip hands its environment to every agent: the password leaves it before Paperclip starts.
unset PAPERCLIP_HARNESS_PG_PASSWORD

# 4. Paperclip ------------------------------------------------------------------------------------
log "starting Paperclip as node"
runuser -u node -- paperclipai run &
paperclip_pid=$!
health="$(mktemp)"
attempts=0
until curl --silent --fail --max-time 5 --header 'Host: localhost' --output "$health" "http://127.0.0.1:$PORT/api/health"; do
  kill -0 "$paperclip_pid" 2>/dev/null || fail "Paperclip exited before it answered /api/health"
  attempts=$((attempts + 1))
  if [ "$attempts" -gt 150 ]; then
    log "Paperclip has not answered /api/health for 5 minutes; not checking for a first admin"
    break
  fi
  sleep 2
done
if [ "$(json_get bootstrapStatus <"$health")" = "bootstrap_pending" ]; then
  log "no admin yet: the first admin's invite follows (open it, create the account)"
  # bootstrap-ceo exits 0 even when it created no invite: judge it by what it prints.
  invite_output="$(NO_COLOR=1 runuser -u node -- paperclipai auth bootstrap-ceo --base-url "$PAPERCLIP_PUBLIC_URL" --expires-hours 720 2>&1)" || true
  printf '%s\n' "$invite_output"
  case "$invite_output" in
    *"Invite URL: $PAPERCLIP_PUBLIC_URL/invite/"* | *"Instance already has an admin user"*) ;;
    *) fail "paperclipai auth bootstrap-ceo created no invite (its output is above)" ;;
  esac
fi
rm -f "$health"
log "Paperclip is up at $PAPERCLIP_PUBLIC_URL"

status=0
wait "$paperclip_pid" || status=$?
paperclip_pid=''
log "Paperclip exited with status $status"
exit "$status"
