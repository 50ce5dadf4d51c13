/**
 * The shell scripts the Harness runs on the host over SSH, as pure functions so they can be
 * snapshot-tested and shellchecked. Every path is relative to the SSH user's home and quoted; every
 * value that is not ours to trust arrives on stdin, never on a command line.
 */

/** Single-quotes a word for POSIX sh. */
export function shellQuote(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/** A path under $HOME, expanded by the remote shell and otherwise quoted. */
function homePath(relativePath: string): string {
  if (relativePath.startsWith("/") || relativePath.split("/").includes("..")) {
    throw new Error(`host path must be relative to the home directory, without "..": ${relativePath}`);
  }
  return `"$HOME"/${shellQuote(relativePath)}`;
}

const PRELUDE = [
  "set -eu",
  // Non-interactive SSH sessions do not always export it, and `systemctl --user` needs it.
  'export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-/run/user/$(id -u)}"',
];

/** First line of every file-writing script: lets tools (plan, policies) tell which file it writes. */
const FILE_MARKER = "# harness:file ";

/**
 * Where the harness keeps its own bookkeeping on the host: who owns each file and secret (so a delete
 * hook removes only what its resource still owns), and the copies a failed restart rolls back to.
 */
export const HOST_STATE_DIR = ".local/state/paperclip-harness";
const STATE = `"$HOME"/${shellQuote(HOST_STATE_DIR)}`;

/** The name of a file's entry in the state directory: its path with `%` and `/` escaped (one flat name). */
export function stateEntryName(relativePath: string): string {
  return relativePath.replaceAll("%", "%25").replaceAll("/", "%2F");
}

/** Marker of the resource that last wrote a file (`file`) or a Podman secret (`secret`). */
function ownerMarker(kind: "file" | "secret", id: string): string {
  return `${STATE}/owners/${kind}/${shellQuote(kind === "file" ? stateEntryName(id) : id)}`;
}

/** Who wrote a file or secret: the Pulumi resource's name, recorded on the host at every write. */
export interface Ownership {
  owner: string;
  /**
   * The file belongs to a unit the Harness restarts and checks: keep the version it replaces until
   * that restart passes its checks (rollbackScript's copies), and drop a version a rollback set aside.
   */
  keepsPrevious?: boolean;
}

/** A file's (or a Podman secret's kept value's) name among the rollback copies. */
function copyId(kind: "file" | "secret", id: string): string {
  return shellQuote(kind === "file" ? stateEntryName(id) : `secret%3A${id}`);
}

/**
 * Before "$tmp" replaces "$target": keep what it replaces (or that there was nothing) as the
 * previous version, unless one is kept already — that one is the last version a restart passed.
 */
function keepPrevious(kind: "file" | "secret", id: string): string[] {
  const name = copyId(kind, id);
  return [
    `copies=${STATE}/copies`,
    'mkdir -p "$copies" && chmod 0700 "$copies"',
    `prev="$copies"/previous-${name}`,
    'if [ ! -e "$prev" ] && [ ! -e "$prev.absent" ]; then',
    '  if [ ! -e "$target" ]; then : >"$prev.absent"',
    '  elif [ "$(sha256sum <"$tmp")" != "$(sha256sum <"$target")" ]; then cp -p "$target" "$prev"; fi',
    "fi",
    // This update supersedes a version a rollback set aside.
    `rm -f "$copies"/next-${name} "$copies"/next-${name}.absent`,
  ];
}

function recordOwner(kind: "file" | "secret", id: string, owner: string): string[] {
  const marker = ownerMarker(kind, id);
  return [`mkdir -p "$(dirname ${marker})"`, `printf '%s\\n' ${shellQuote(owner)} >${marker}`];
}

/**
 * Exits, keeping the thing, when another resource wrote it since: a rename (a new file key, a renamed
 * component) creates the new resource before Pulumi deletes the old one, and both name the same path.
 */
function unlessOwnedByAnother(kind: "file" | "secret", id: string, owner: string, what: string): string[] {
  const marker = ownerMarker(kind, id);
  return [
    `marker=${marker}`,
    `if [ -e "$marker" ] && [ "$(cat "$marker")" != ${shellQuote(owner)} ]; then`,
    `  echo "harness: kept ${what.replaceAll('"', "")}: it now belongs to $(cat "$marker")" >&2`,
    "  exit 0",
    "fi",
  ];
}

/**
 * Writes stdin to a file atomically (temp file in the same directory, then rename) with the given
 * mode, and records which resource wrote it; for unit files, reloads systemd so Quadlet regenerates
 * the services.
 */
export function writeFileScript(relativePath: string, mode: string, reloadsSystemd: boolean, ownership: Ownership): string {
  if (!/^0[0-7]{3}$/.test(mode)) throw new Error(`invalid file mode ${mode}`);
  return [
    `${FILE_MARKER}${relativePath}`,
    ...PRELUDE,
    `target=${homePath(relativePath)}`,
    'mkdir -p "$(dirname "$target")"',
    'tmp="$(mktemp "$target.XXXXXX")"',
    "trap 'rm -f \"$tmp\"' EXIT",
    'cat >"$tmp"',
    `chmod ${mode} "$tmp"`,
    ...(ownership.keepsPrevious ? keepPrevious("file", relativePath) : []),
    'mv -f "$tmp" "$target"',
    "trap - EXIT",
    ...recordOwner("file", relativePath, ownership.owner),
    ...(reloadsSystemd ? ["systemctl --user daemon-reload"] : []),
    "",
  ].join("\n");
}

/**
 * Removes a file — unless another resource wrote it since (see unlessOwnedByAnother); for unit
 * files, stops the unit first and reloads systemd after.
 */
export function removeFileScript(relativePath: string, ownership: Ownership, stopsUnit?: string): string {
  return [
    ...PRELUDE,
    ...unlessOwnedByAnother("file", relativePath, ownership.owner, relativePath),
    ...(stopsUnit ? [`systemctl --user stop ${shellQuote(stopsUnit)} || true`] : []),
    `rm -f ${homePath(relativePath)} "$marker"`,
    ...(stopsUnit ? ["systemctl --user daemon-reload"] : []),
    "",
  ].join("\n");
}

/** The path a script from writeFileScript writes, or undefined for any other command. */
export function writtenPath(script: string | undefined): string | undefined {
  if (!script?.startsWith(FILE_MARKER)) return undefined;
  return script.slice(FILE_MARKER.length, script.indexOf("\n"));
}

const SECRET_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,252}$/;

/** Where the value of a Podman secret a restart may roll back is kept (mode 0600, under the state directory). */
export function keptSecretPath(name: string): string {
  return `${HOST_STATE_DIR}/secrets/${name}`;
}

/**
 * Creates or replaces a Podman secret from stdin (never from an argument). A secret of a checked unit
 * (`keepsPrevious`) keeps its value in a 0600 file under the state directory — Podman's own store holds
 * it in the same home, as plainly — so that a failed restart can put the previous value back.
 */
export function createSecretScript(name: string, ownership: Ownership): string {
  if (!SECRET_NAME.test(name)) throw new Error(`invalid Podman secret name ${name}`);
  if (!ownership.keepsPrevious) {
    return [
      ...PRELUDE,
      `podman secret create --replace ${shellQuote(name)} - >/dev/null`,
      ...recordOwner("secret", name, ownership.owner),
      "",
    ].join("\n");
  }
  return [
    ...PRELUDE,
    "umask 077",
    `target=${homePath(keptSecretPath(name))}`,
    'mkdir -p "$(dirname "$target")" && chmod 0700 "$(dirname "$target")"',
    'tmp="$(mktemp "$target.XXXXXX")"',
    "trap 'rm -f \"$tmp\"' EXIT",
    'cat >"$tmp"',
    ...keepPrevious("secret", name),
    'mv -f "$tmp" "$target"',
    "trap - EXIT",
    // From stdin, as every secret of the harness (policies read `podman secret create … -`).
    `podman secret create --replace ${shellQuote(name)} - <"$target" >/dev/null`,
    ...recordOwner("secret", name, ownership.owner),
    "",
  ].join("\n");
}

/** Removes a Podman secret — unless another resource created it since (see unlessOwnedByAnother). */
export function removeSecretScript(name: string, ownership: Ownership): string {
  if (!SECRET_NAME.test(name)) throw new Error(`invalid Podman secret name ${name}`);
  return [
    ...PRELUDE,
    ...unlessOwnedByAnother("secret", name, ownership.owner, `the Podman secret ${name}`),
    `podman secret rm ${shellQuote(name)} >/dev/null 2>&1 || true`,
    `rm -f "$marker" ${homePath(keptSecretPath(name))}`,
    "",
  ].join("\n");
}

/** What a restart checks, and what it may roll back. */
export interface RestartCheck {
  unit: string;
  /** Host paths of the unit's own files (its unit files, config files, 0600 secret files). */
  files: readonly string[];
  /** The unit's Podman secrets (their kept values, see createSecretScript). */
  secrets: readonly string[];
  /** The container whose health check must pass (`podman healthcheck run`), for a unit with one. */
  healthContainer?: string;
  /** The unit's public route, probed through Caddy with its public Host header. */
  route?: { hostname: string; address: string; path?: string };
  /** How long the unit may take to become active and healthy, in seconds. */
  timeoutSeconds: number;
  /** Lines of the journal shown when the check fails. Default: 30. */
  journalLines?: number;
}

/**
 * Restarts one unit and checks it: within `timeoutSeconds` the unit must be active, its container's
 * health check pass, and its public route answer through Caddy (a status below 500; Caddy answers
 * 502 when the upstream is down; a Caddy that is not running yet is reported, not failed, as its own
 * restart checks it). On failure, every file and secret of the unit that this update changed goes
 * back to its previous version (kept by the write scripts), the unit is restarted on it, and the
 * script fails naming the unit, the check and the journal's tail. The failed versions are set aside:
 * the next run of this script (the next `pulumi up`) puts them back and tries again. On success the
 * previous versions are dropped.
 */
export function restartScript(check: RestartCheck): string {
  if (!Number.isInteger(check.timeoutSeconds) || check.timeoutSeconds < 1)
    throw new Error(`invalid restart timeout ${check.timeoutSeconds}`);
  const unit = shellQuote(check.unit);
  const entries = [
    ...check.files.map((path) => ({ id: copyId("file", path), target: homePath(path), label: shellQuote(path), secret: undefined })),
    ...check.secrets.map((name) => ({
      id: copyId("secret", name),
      target: homePath(keptSecretPath(name)),
      label: shellQuote(`the Podman secret ${name}`),
      secret: shellQuote(name),
    })),
  ];
  const forEach = (fn: string) => entries.map((e) => `${fn} ${e.id} ${e.target} ${e.label} ${e.secret ?? "''"}`);
  const route = check.route;
  const probe = route
    ? [
        `  code="$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 -H ${shellQuote(`Host: ${route.hostname}`)} ${shellQuote(`http://${route.address}${route.path ?? "/"}`)} || true)"`,
        '  case "$code" in',
        `    000|"") echo "harness: ${check.unit}: Caddy does not answer on ${route.address} yet; the route of ${route.hostname} is checked when Caddy restarts" >&2 ;;`,
        `    [1-4]??) ;;`,
        `    *) failed="its route https://${route.hostname}${route.path ?? "/"} answered HTTP $code through Caddy"; return 1 ;;`,
        "  esac",
      ]
    : [];
  return [
    ...PRELUDE,
    "umask 077",
    `copies=${STATE}/copies`,
    'mkdir -p "$copies" && chmod 0700 "$copies"',
    `unit=${unit}`,
    // apply <target> <secret>: a kept secret value goes into Podman's store.
    'apply() { if [ -n "$2" ]; then podman secret create --replace "$2" "$1" >/dev/null; fi; }',
    // keep <id> <target>: remember the version in place as the previous one, unless one is kept.
    'keep() { if [ ! -e "$copies/previous-$1" ] && [ ! -e "$copies/previous-$1.absent" ]; then',
    '  if [ -e "$2" ]; then cp -p "$2" "$copies/previous-$1"; else : >"$copies/previous-$1.absent"; fi; fi; }',
    // reinstate: a version an earlier rollback set aside goes back in place (this update tries it again).
    "reinstate() {",
    '  if [ -e "$copies/next-$1" ]; then keep "$1" "$2"; mv -f "$copies/next-$1" "$2"; apply "$2" "$4"',
    '  elif [ -e "$copies/next-$1.absent" ]; then keep "$1" "$2"; rm -f "$2" "$copies/next-$1.absent"; fi; }',
    // roll_back: the previous version back in place, the failed one set aside.
    "roll_back() {",
    '  if [ -e "$copies/previous-$1" ]; then',
    '    if [ -e "$2" ]; then mv -f "$2" "$copies/next-$1"; else : >"$copies/next-$1.absent"; fi',
    '    mv -f "$copies/previous-$1" "$2"; apply "$2" "$4"; restored="$restored, $3"',
    '  elif [ -e "$copies/previous-$1.absent" ]; then',
    '    if [ -e "$2" ]; then mv -f "$2" "$copies/next-$1"; fi',
    '    rm -f "$copies/previous-$1.absent"; restored="$restored, $3 (new: removed)"',
    "  fi; }",
    'commit() { rm -f "$copies/previous-$1" "$copies/previous-$1.absent"; }',
    "check_once() {",
    '  state="$(systemctl --user is-active "$unit" 2>/dev/null || true)"',
    '  if [ "$state" != active ]; then failed="the unit is ${state:-unknown}, not active"; return 1; fi',
    ...(check.healthContainer
      ? [
          `  if ! podman healthcheck run ${shellQuote(check.healthContainer)} >/dev/null 2>&1; then`,
          `    failed="the health check of the container ${check.healthContainer} does not pass (podman healthcheck run ${check.healthContainer})"; return 1`,
          "  fi",
        ]
      : []),
    ...probe,
    "  return 0",
    "}",
    // check_until <seconds>: the checks pass within the time, or $failed says which did not.
    'check_until() { deadline=$(( $(date +%s) + $1 )); while ! check_once; do [ "$(date +%s)" -lt "$deadline" ] || return 1; sleep 1; done; }',
    ...forEach("reinstate"),
    "systemctl --user daemon-reload",
    'systemctl --user restart --no-block "$unit"',
    `if check_until ${check.timeoutSeconds}; then`,
    ...forEach("  commit"),
    "  exit 0",
    "fi",
    'first_failure="$failed"',
    'restored=""',
    ...forEach("roll_back"),
    'if [ -z "$restored" ]; then',
    '  outcome="Nothing of it changed in this update, so there is nothing to roll back to."',
    "else",
    "  systemctl --user daemon-reload",
    '  systemctl --user restart --no-block "$unit"',
    `  if check_until ${check.timeoutSeconds}; then now="passes its checks again"; else now="fails too ($failed)"; fi`,
    '  outcome="Rolled back to the previous ${restored#, }; the previous version $now. The next pulumi up tries the new version again."',
    "fi",
    `echo "harness: $unit failed its check after the update: $first_failure. $outcome" >&2`,
    `echo "Journal (journalctl --user -u $unit -n ${check.journalLines ?? 30}):" >&2`,
    `journalctl --user -u "$unit" -n ${check.journalLines ?? 30} --no-pager >&2 || true`,
    "exit 1",
    "",
  ].join("\n");
}

/** Enables the target that groups every unit, so the harness starts at boot (with linger). */
export function enableTargetScript(target: string): string {
  return [...PRELUDE, `systemctl --user enable ${shellQuote(target)}`, `systemctl --user start ${shellQuote(target)}`, ""].join("\n");
}

export interface HostRequirements {
  /** Minimum Podman version (major.minor) the units were rendered for. */
  podmanVersion: string;
  /** Lowest host port published below 1024, if any: rootless Podman needs the sysctl to allow it. */
  lowestPrivilegedPort?: number;
}

/**
 * Checks the host before anything is written, failing with a message that says what to fix:
 * Podman new enough for the rendered Quadlet keys, lingering enabled (user units run without a login
 * session), and unprivileged ports low enough for the ports we publish.
 */
export function hostCheckScript(requirements: HostRequirements): string {
  const [major, minor] = requirements.podmanVersion.split(".").map(Number);
  if (major === undefined || minor === undefined || Number.isNaN(major) || Number.isNaN(minor)) {
    throw new Error(`invalid Podman version ${requirements.podmanVersion}`);
  }
  const lines = [
    ...PRELUDE,
    'fail() { echo "harness host check: $*" >&2; exit 1; }',
    'command -v podman >/dev/null || fail "podman is not installed"',
    'version="$(podman version --format "{{.Client.Version}}")"',
    'major="${version%%.*}"; rest="${version#*.}"; minor="${rest%%.*}"',
    `if [ "$major" -lt ${major} ] || { [ "$major" -eq ${major} ] && [ "$minor" -lt ${minor} ]; }; then`,
    `  fail "podman $version is older than ${requirements.podmanVersion}, which the units are rendered for (set podmanVersion)"`,
    "fi",
    'if [ "$(loginctl show-user "$USER" --property=Linger --value 2>/dev/null)" != "yes" ]; then',
    '  loginctl enable-linger "$USER" || fail "enable lingering for $USER (sudo loginctl enable-linger $USER)"',
    "fi",
  ];
  if (requirements.lowestPrivilegedPort !== undefined) {
    const port = requirements.lowestPrivilegedPort;
    lines.push(
      'start="$(cat /proc/sys/net/ipv4/ip_unprivileged_port_start)"',
      `[ "$start" -le ${port} ] || fail "rootless Podman cannot publish port ${port}: run sudo sysctl -w net.ipv4.ip_unprivileged_port_start=${port} (and persist it in /etc/sysctl.d)"`,
    );
  }
  lines.push('mkdir -p "$HOME/.config/containers/systemd" "$HOME/.config/systemd/user"', "");
  return lines.join("\n");
}
