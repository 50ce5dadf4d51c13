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

/** Creates or replaces a Podman secret from stdin (never from an argument or a file we leave behind). */
export function createSecretScript(name: string, ownership: Ownership): string {
  if (!SECRET_NAME.test(name)) throw new Error(`invalid Podman secret name ${name}`);
  return [
    ...PRELUDE,
    `podman secret create --replace ${shellQuote(name)} - >/dev/null`,
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
    'rm -f "$marker"',
    "",
  ].join("\n");
}

/** Restarts one unit (starting it if it is not running). */
export function restartScript(unit: string): string {
  return [...PRELUDE, `systemctl --user restart ${shellQuote(unit)}`, ""].join("\n");
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
