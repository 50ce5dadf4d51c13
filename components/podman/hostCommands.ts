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
 * Writes stdin to a file atomically (temp file in the same directory, then rename) with the given
 * mode; for unit files, reloads systemd so Quadlet regenerates the services.
 */
export function writeFileScript(relativePath: string, mode: string, reloadsSystemd: boolean): string {
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
    ...(reloadsSystemd ? ["systemctl --user daemon-reload"] : []),
    "",
  ].join("\n");
}

/** Removes a file; for unit files, stops the unit first and reloads systemd after. */
export function removeFileScript(relativePath: string, stopsUnit?: string): string {
  return [
    ...PRELUDE,
    ...(stopsUnit ? [`systemctl --user stop ${shellQuote(stopsUnit)} || true`] : []),
    `rm -f ${homePath(relativePath)}`,
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
export function createSecretScript(name: string): string {
  if (!SECRET_NAME.test(name)) throw new Error(`invalid Podman secret name ${name}`);
  return [...PRELUDE, `podman secret create --replace ${shellQuote(name)} - >/dev/null`, ""].join("\n");
}

export function removeSecretScript(name: string): string {
  return [...PRELUDE, `podman secret rm ${shellQuote(name)} >/dev/null 2>&1 || true`, ""].join("\n");
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
