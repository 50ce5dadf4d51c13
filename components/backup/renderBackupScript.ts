/**
 * The harness's backup program, rendered from typed data: one bash script with a `backup`, `restore`,
 * `offsite`, `freshness`, `snapshots` and `init` command, and one function per backed-up service
 * (docs/backups.md). Pure: every value that reaches the script is shell-quoted here, or refused.
 *
 * Container hops are spelled out where they happen: `podman exec` runs a database's own dump tool in
 * its sidecar, and `podman unshare` reads and writes volumes whose files belong to the container's
 * users (subordinate ids on the host). The repository password and the off-site keys are Podman
 * secrets, read when the script runs; none is ever an argument or a file.
 */

/** One service's snapshot: what to run, what to stop during a restore, what must be healthy after. */
export interface BackupJob {
  service: string;
  /** The container the dump tool runs in (postgres, mariadb). */
  container: string;
  snapshot:
    | { kind: "postgres"; database: string; user: string }
    | { kind: "mariadb"; database: string; passwordEnv: string }
    | { kind: "sqlite"; volume: string; database: string }
    | { kind: "files"; volumes: readonly string[] };
  /** restic `forget --keep-*` counts. */
  retention: { hourly?: number; daily?: number; weekly?: number; monthly?: number };
  /** The newest snapshot may be this old (hours) before `freshness` calls it stale. */
  maxAgeHours: number;
  /** systemd units stopped while the data is replaced, started again after (in this order). */
  stopUnits: readonly string[];
  /** After the restore: containers whose health check must pass, and units that must be active. */
  healthChecks: readonly string[];
  activeUnits: readonly string[];
}

export interface BackupScriptInput {
  /** The NAS repository (a local path). */
  repository: string;
  /**
   * The off-site repository, when the stack has one: Podman secrets holding its location (it names
   * the Cloudflare account, which the stack treats as a secret) and its S3 keys.
   */
  offsite?: { repositorySecret: string; accessKeyIdSecret: string; secretAccessKeySecret: string; maxAgeHours: number };
  /** Podman secret holding the repository password (the same for both repositories). */
  passwordSecret: string;
  jobs: readonly BackupJob[];
}

export class BackupScriptError extends Error {}

/** `'…'`: a single-quoted shell word. */
export function shellQuote(value: string): string {
  // eslint-disable-next-line no-control-regex -- the characters a script line cannot carry
  if (/[\u0000-\u001f\u007f]/.test(value)) throw new BackupScriptError(`control character in ${JSON.stringify(value)}`);
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

const NAME = /^[a-z0-9][a-z0-9_.-]*$/;
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

function functionName(service: string): string {
  return service.replaceAll(/[^a-z0-9]/g, "_");
}

function retentionFlags(retention: BackupJob["retention"]): string {
  return (["hourly", "daily", "weekly", "monthly"] as const)
    .filter((period) => (retention[period] ?? 0) > 0)
    .map((period) => `--keep-${period} ${retention[period]!}`)
    .join(" ");
}

function assertNames(job: BackupJob): void {
  const names = [job.service, job.container, ...job.stopUnits, ...job.healthChecks, ...job.activeUnits];
  if (job.snapshot.kind === "sqlite") names.push(job.snapshot.volume);
  if (job.snapshot.kind === "files") names.push(...job.snapshot.volumes);
  for (const name of names)
    if (!NAME.test(name)) throw new BackupScriptError(`${job.service}: not a unit, container or volume name: ${name}`);
  if (job.snapshot.kind === "mariadb" && !IDENTIFIER.test(job.snapshot.passwordEnv)) {
    throw new BackupScriptError(`${job.service}: passwordEnv is not a variable name: ${job.snapshot.passwordEnv}`);
  }
  if (retentionFlags(job.retention) === "") throw new BackupScriptError(`${job.service}: a retention that keeps nothing`);
}

/** The snapshot function of one service: leaves its data in `$STAGING/<service>` or names its volumes, then stores it. */
function backupFunction(job: BackupJob): string {
  const q = shellQuote;
  const dir = `"$STAGING"/${q(job.service)}`;
  const s = job.snapshot;
  const body: string[] = [];
  switch (s.kind) {
    case "postgres":
      body.push(
        `  fresh_dir ${dir}`,
        `  # The sidecar's own pg_dump (its version, its socket); uncompressed, so restic deduplicates night over night.`,
        `  podman exec ${q(job.container)} pg_dump --format=custom --compress=0 --username=${q(s.user)} --dbname=${q(s.database)} >${dir}/dump.pgdump`,
        `  [ -s ${dir}/dump.pgdump ] || die 1 ${q(`pg_dump of ${s.database} in ${job.container} wrote nothing`)}`,
        `  store ${q(job.service)} ${dir}`,
      );
      break;
    case "mariadb":
      body.push(
        `  fresh_dir ${dir}`,
        `  # One consistent transaction (InnoDB); root's password comes from the sidecar's own environment.`,
        `  podman exec ${q(job.container)} sh -c ${q(`MYSQL_PWD="$${s.passwordEnv}" exec mariadb-dump --user=root --single-transaction --routines --events --triggers --add-drop-database --databases "$1"`)} sh ${q(s.database)} >${dir}/dump.sql`,
        `  [ -s ${dir}/dump.sql ] || die 1 ${q(`mariadb-dump of ${s.database} in ${job.container} wrote nothing`)}`,
        `  store ${q(job.service)} ${dir}`,
      );
      break;
    case "sqlite":
      body.push(
        `  local source`,
        `  source="$(volume_path ${q(s.volume)})"`,
        `  fresh_dir ${dir}`,
        `  # The volume's other files as they are, and the database through SQLite's online backup: a`,
        `  # consistent copy while the service writes (a file copy of a database in WAL mode is not).`,
        `  podman unshare rsync -a --exclude=${q(`/${s.database}`)} --exclude=${q(`/${s.database}-*`)} "$source"/ ${dir}/`,
        `  podman unshare sqlite3 "$source"/${q(s.database)} ".backup '$(sqlite_path ${dir}/${q(s.database)})'"`,
        `  podman unshare sqlite3 ${dir}/${q(s.database)} 'PRAGMA integrity_check;' | grep -qx ok || die 1 ${q(`the backup copy of ${s.database} fails SQLite's integrity check`)}`,
        `  store ${q(job.service)} ${dir} podman unshare`,
      );
      break;
    case "files":
      body.push(
        `  local paths=() path`,
        ...s.volumes.flatMap((volume) => [`  path="$(volume_path ${q(volume)})"`, `  paths+=("$path")`]),
        `  store ${q(job.service)} "\${paths[@]}" podman unshare`,
      );
      break;
  }
  return [`backup_${functionName(job.service)}() {`, ...body, `}`].join("\n");
}

/** The restore function: puts the restored snapshot (under `$1`) back while the service's units are stopped. */
function restoreFunction(job: BackupJob): string {
  const q = shellQuote;
  const s = job.snapshot;
  const body: string[] = [];
  switch (s.kind) {
    case "postgres":
      body.push(
        `  local dir`,
        `  dir="$(restored_dir "$1" ${q(job.service)})"`,
        `  # One transaction: a dump that fails halfway leaves the database as it was.`,
        `  podman exec -i ${q(job.container)} pg_restore --clean --if-exists --single-transaction --exit-on-error --no-owner --username=${q(s.user)} --dbname=${q(s.database)} <"$dir"/dump.pgdump`,
      );
      break;
    case "mariadb":
      body.push(
        `  local dir`,
        `  dir="$(restored_dir "$1" ${q(job.service)})"`,
        `  podman exec -i ${q(job.container)} sh -c ${q(`MYSQL_PWD="$${s.passwordEnv}" exec mariadb --user=root`)} <"$dir"/dump.sql`,
      );
      break;
    case "sqlite":
      body.push(
        `  local dir target`,
        `  dir="$(restored_dir "$1" ${q(job.service)})"`,
        `  target="$(volume_path ${q(s.volume)})"`,
        `  # --delete also removes the old database's -wal and -shm files, which belong to the data replaced.`,
        `  podman unshare rsync -a --delete "$dir"/ "$target"/`,
      );
      break;
    case "files":
      body.push(
        `  local dir target`,
        ...s.volumes.flatMap((volume) => [
          `  dir="$(restored_volume "$1" ${q(volume)})"`,
          `  target="$(volume_path ${q(volume)})"`,
          `  podman unshare rsync -a --delete "$dir"/ "$target"/`,
        ]),
      );
      break;
  }
  return [`restore_${functionName(job.service)}() {`, ...body, `}`].join("\n");
}

/** The script. Throws BackupScriptError on a value it cannot carry (a contributor's mistake). */
export function renderBackupScript(input: BackupScriptInput): string {
  input.jobs.forEach(assertNames);
  const q = shellQuote;
  const jobs = [...input.jobs].sort((a, b) => a.service.localeCompare(b.service));
  const table = jobs.map((job) => {
    const fields = [
      job.service,
      String(job.maxAgeHours),
      retentionFlags(job.retention).replaceAll(" ", ","),
      job.stopUnits.join(",") || "-",
      job.healthChecks.join(",") || "-",
      job.activeUnits.join(",") || "-",
    ];
    return fields.join(" ");
  });
  return `#!/usr/bin/env bash
# Managed by paperclip-harness (Pulumi). Local edits are overwritten on the next deployment.
#
# The harness's backups, with restic (docs/backups.md):
#   harness-backup.sh backup <service>             snapshot one service into the NAS repository, apply its retention
#   harness-backup.sh restore <service> [snapshot] stop its units, restore (default: latest), start them, check health
#   harness-backup.sh offsite                      copy new snapshots to the off-site repository, apply retention there
#   harness-backup.sh freshness [--offsite]        exit 1 when a service's newest snapshot is older than it may be
#   harness-backup.sh snapshots [service]          list snapshots
#   harness-backup.sh init                         create the repositories (once, NAS mounted)
# Exit status: 0 done; 1 failed; 2 usage; 69 repository unreachable or absent; 77 wrong password;
# 78 the stack's configuration is missing on this host (a Podman secret).
set -euo pipefail
umask 077

REPOSITORY=${q(input.repository)}
OFFSITE_REPOSITORY_SECRET=${q(input.offsite?.repositorySecret ?? "")}
OFFSITE_REPOSITORY=
OFFSITE_MAX_AGE_HOURS=${input.offsite?.maxAgeHours ?? 0}
PASSWORD_SECRET=${q(input.passwordSecret)}
OFFSITE_KEY_ID_SECRET=${q(input.offsite?.accessKeyIdSecret ?? "")}
OFFSITE_KEY_SECRET=${q(input.offsite?.secretAccessKeySecret ?? "")}
# restic groups snapshots by host: one fixed name, so a reinstalled or renamed machine keeps its history.
HOST_TAG=harness
STAGING="$HOME/.cache/harness-backup"
RESTORES="$HOME/.cache/harness-restore"
HEALTH_ATTEMPTS=60
HEALTH_INTERVAL=5

# service, freshness limit (hours), retention flags, units stopped by a restore, health checks, active units
JOBS="$(
  cat <<'END'
${table.join("\n")}
END
)"

die() {
  local status=$1
  shift
  printf 'harness-backup: error: %s\\n' "$*" >&2
  exit "$status"
}
log() { printf 'harness-backup: %s\\n' "$*" >&2; }

job_field() {
  local service=$1 field=$2 line
  line="$(printf '%s\\n' "$JOBS" | awk -v s="$service" '$1 == s')"
  [ -n "$line" ] || die 2 "no backup of '$service' in this stack; services: $(printf '%s\\n' "$JOBS" | awk '{print $1}' | paste -sd ' ')"
  printf '%s\\n' "$line" | awk -v f="$field" '{print $f}'
}
list_field() { job_field "$1" "$2" | tr ',' ' ' | sed 's/^-$//'; }

podman_secret() {
  podman secret exists "$1" 2>/dev/null ||
    die 78 "the Podman secret $1 is missing on this host: deploy the stack (pulumi up), or recreate it from the escrowed copy (docs/backups.md, Escrow)"
  podman secret inspect --showsecret --format '{{.SecretData}}' "$1"
}

load_password() {
  RESTIC_PASSWORD="$(podman_secret "$PASSWORD_SECRET")"
  [ -n "$RESTIC_PASSWORD" ] || die 78 "the Podman secret $PASSWORD_SECRET is empty"
  export RESTIC_PASSWORD
}

load_offsite_keys() {
  [ -n "$OFFSITE_REPOSITORY_SECRET" ] || die 78 "this stack has no off-site repository"
  OFFSITE_REPOSITORY="$(podman_secret "$OFFSITE_REPOSITORY_SECRET")"
  AWS_ACCESS_KEY_ID="$(podman_secret "$OFFSITE_KEY_ID_SECRET")"
  AWS_SECRET_ACCESS_KEY="$(podman_secret "$OFFSITE_KEY_SECRET")"
  export AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
}

# Opens a repository or says why it cannot, in one line (restic's own message is buried in others).
open_repository() {
  local repository=$1 output
  if output="$(restic -r "$repository" cat config 2>&1 >/dev/null)"; then return 0; fi
  case "$output" in
  *"wrong password"*)
    die 77 "wrong repository password: the Podman secret $PASSWORD_SECRET does not open $repository (restore the escrowed password, docs/backups.md)" ;;
  *"dial tcp"* | *"no such host"* | *"connection refused"* | *"i/o timeout"* | *"tls:"*)
    die 69 "cannot reach the repository $repository: $(printf '%s\\n' "$output" | head -n 1)" ;;
  *"no such file or directory"* | *"does not exist"* | *"not a directory"*)
    die 69 "no repository at $repository: is the NAS mounted there? (a new repository is created once with: harness-backup.sh init)" ;;
  *)
    die 69 "cannot open the repository $repository: $(printf '%s\\n' "$output" | head -n 1)" ;;
  esac
}

volume_path() {
  podman volume inspect --format '{{.Mountpoint}}' "$1" 2>/dev/null || die 1 "no Podman volume $1 on this host"
}

# A path SQLite's .backup can take between single quotes.
sqlite_path() { printf '%s' "$1" | sed "s/'/''/g"; }

fresh_dir() {
  if [ -e "$1" ]; then podman unshare rm -rf "$1"; fi
  mkdir -p "$1"
}

# store <service> <path>… [podman unshare]: one snapshot of the paths, then the service's retention.
store() {
  local service=$1
  shift
  local paths=() prefix=()
  while [ "$#" -gt 0 ]; do
    if [ "$1" = podman ]; then
      prefix=("$@")
      break
    fi
    paths+=("$1")
    shift
  done
  "\${prefix[@]}" restic -r "$REPOSITORY" backup --quiet --host "$HOST_TAG" --tag "$service" "\${paths[@]}"
  forget "$REPOSITORY" "$service" "\${prefix[@]}"
  log "$service: snapshot stored in $REPOSITORY"
}

# forget <repository> <service> [prefix…]: the declared retention, per service.
forget() {
  local repository=$1 service=$2
  shift 2
  local flags
  read -r -a flags <<<"$(job_field "$service" 3 | tr ',' ' ')"
  "$@" restic -r "$repository" forget --quiet --host "$HOST_TAG" --tag "$service" --group-by tags "\${flags[@]}" --prune
}

# The directory a snapshot of a dump or SQLite service restored to (under $1).
restored_dir() {
  local found
  found="$(find "$1" -mindepth 1 -type d -path "*/harness-backup/$2" -print -quit)"
  [ -n "$found" ] || die 1 "the snapshot holds no backup of $2"
  printf '%s\\n' "$found"
}

# The directory a volume restored to (Podman keeps a volume's files in …/<volume>/_data).
restored_volume() {
  local found
  found="$(find "$1" -mindepth 1 -type d -path "*/$2/_data" -print -quit)"
  [ -n "$found" ] || die 1 "the snapshot holds no copy of the volume $2"
  printf '%s\\n' "$found"
}

${jobs.map(backupFunction).join("\n\n")}

${jobs.map(restoreFunction).join("\n\n")}

cmd_backup() {
  local service=\${1:?usage: harness-backup.sh backup <service>}
  job_field "$service" 1 >/dev/null
  load_password
  open_repository "$REPOSITORY"
  "backup_$(printf '%s' "$service" | tr -c 'a-z0-9\\n' '_')"
  if [ -e "$STAGING/$service" ]; then podman unshare rm -rf "$STAGING/$service"; fi
}

wait_healthy() {
  local container=$1 attempt
  for attempt in $(seq 1 "$HEALTH_ATTEMPTS"); do
    if podman healthcheck run "$container" >/dev/null 2>&1; then
      log "$container is healthy"
      return 0
    fi
    [ "$attempt" = "$HEALTH_ATTEMPTS" ] || sleep "$HEALTH_INTERVAL"
  done
  die 1 "$container is not healthy after the restore: journalctl --user -u $container"
}

cmd_restore() {
  local service=\${1:?usage: harness-backup.sh restore <service> [snapshot]} snapshot=\${2:-latest}
  local stop health active unit target="$RESTORES/$service"
  stop="$(list_field "$service" 4)"
  health="$(list_field "$service" 5)"
  active="$(list_field "$service" 6)"
  load_password
  open_repository "$REPOSITORY"
  # The snapshot is read before anything stops: a wrong id or a broken repository changes nothing.
  fresh_dir "$target"
  podman unshare restic -r "$REPOSITORY" restore "$snapshot" --host "$HOST_TAG" --tag "$service" --target "$target" --quiet ||
    die 1 "cannot restore snapshot $snapshot of $service (harness-backup.sh snapshots $service lists them)"
  log "$service: restoring snapshot $snapshot; stopping: \${stop:-nothing}"
  # shellcheck disable=SC2086 # lists of unit names
  [ -z "$stop" ] || systemctl --user stop $stop
  if ! "restore_$(printf '%s' "$service" | tr -c 'a-z0-9\\n' '_')" "$target"; then
    die 1 "the restore of $service failed; left stopped: \${stop:-nothing} (fix it and restore again, or start them with systemctl --user start)"
  fi
  # shellcheck disable=SC2086 # lists of unit names
  [ -z "$stop" ] || systemctl --user start $stop
  for unit in $health; do wait_healthy "$unit"; done
  for unit in $active; do
    systemctl --user is-active --quiet "$unit" || die 1 "$unit is not active after the restore: journalctl --user -u $unit"
  done
  podman unshare rm -rf "$target"
  log "$service: restored snapshot $snapshot"
}

cmd_offsite() {
  local service
  load_password
  load_offsite_keys
  open_repository "$REPOSITORY"
  open_repository "$OFFSITE_REPOSITORY"
  RESTIC_FROM_PASSWORD="$RESTIC_PASSWORD" restic -r "$OFFSITE_REPOSITORY" copy --quiet --from-repo "$REPOSITORY" --host "$HOST_TAG"
  for service in $(printf '%s\\n' "$JOBS" | awk '{print $1}'); do forget "$OFFSITE_REPOSITORY" "$service"; done
  log "off-site copy done: $OFFSITE_REPOSITORY"
}

cmd_freshness() {
  local repository=$REPOSITORY where=NAS stale=0 service limit latest age now
  if [ "\${1:-}" = --offsite ]; then
    repository=$OFFSITE_REPOSITORY
    where=off-site
    load_offsite_keys
  fi
  load_password
  open_repository "$repository"
  now="$(date +%s)"
  for service in $(printf '%s\\n' "$JOBS" | awk '{print $1}'); do
    limit="$(job_field "$service" 2)"
    [ "$where" = NAS ] || limit=$OFFSITE_MAX_AGE_HOURS
    latest="$(restic -r "$repository" snapshots --host "$HOST_TAG" --tag "$service" --json | { grep -o '"time":"[^"]*"' || true; } | cut -d'"' -f4 | sort | tail -n 1)"
    if [ -z "$latest" ]; then
      printf 'MISSING %s: no snapshot in the %s repository\\n' "$service" "$where"
      stale=1
      continue
    fi
    age=$(((now - $(date -d "$latest" +%s)) / 3600))
    if [ "$age" -ge "$limit" ]; then
      printf 'STALE   %s: newest %s snapshot %sh old (limit %sh)\\n' "$service" "$where" "$age" "$limit"
      stale=1
    else
      printf 'OK      %s: newest %s snapshot %sh old (limit %sh)\\n' "$service" "$where" "$age" "$limit"
    fi
  done
  return "$stale"
}

cmd_snapshots() {
  load_password
  open_repository "$REPOSITORY"
  if [ -n "\${1:-}" ]; then
    job_field "$1" 1 >/dev/null
    restic -r "$REPOSITORY" snapshots --host "$HOST_TAG" --tag "$1"
  else
    restic -r "$REPOSITORY" snapshots --host "$HOST_TAG"
  fi
}

cmd_init() {
  load_password
  [ -d "$(dirname "$REPOSITORY")" ] || die 69 "$(dirname "$REPOSITORY") does not exist: mount the NAS first"
  if restic -r "$REPOSITORY" cat config >/dev/null 2>&1; then
    log "$REPOSITORY: already a repository"
  else
    restic -r "$REPOSITORY" init --repository-version 2
  fi
  if [ -n "$OFFSITE_REPOSITORY_SECRET" ]; then
    load_offsite_keys
    if restic -r "$OFFSITE_REPOSITORY" cat config >/dev/null 2>&1; then
      log "$OFFSITE_REPOSITORY: already a repository"
    else
      # The same chunker parameters: the weekly copy then moves only the chunks R2 lacks.
      RESTIC_FROM_PASSWORD="$RESTIC_PASSWORD" restic -r "$OFFSITE_REPOSITORY" init --repository-version 2 --from-repo "$REPOSITORY" --copy-chunker-params
    fi
  fi
}

main() {
  local command=\${1:-}
  [ "$#" -eq 0 ] || shift
  mkdir -p "$STAGING"
  # One operation at a time: restic 0.14 fails, rather than waits, on a repository another run locked.
  exec 9>"$STAGING/.lock"
  flock 9
  case "$command" in
  backup) cmd_backup "$@" ;;
  restore) cmd_restore "$@" ;;
  offsite) cmd_offsite ;;
  freshness) cmd_freshness "$@" ;;
  snapshots) cmd_snapshots "$@" ;;
  init) cmd_init ;;
  *) die 2 "usage: harness-backup.sh backup|restore|offsite|freshness|snapshots|init …" ;;
  esac
}

main "$@"
`;
}
