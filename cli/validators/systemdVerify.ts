import { existsSync, mkdirSync, realpathSync, writeFileSync, chmodSync } from "node:fs";
import path from "node:path";
import { describeAbnormalEnd, outputLines, runProcess } from "./runProcess";

/**
 * `systemd-analyze --user verify` (systemd 252) as a validator.
 *
 * What counts as failure: a non-zero exit OR any stderr line. verify exits 0 on unknown keys and
 * unparsable values ("Unknown key 'Restartt' …, ignoring"), so stderr is the real signal.
 *
 * Executables. verify fails any unit whose ExecStart= binary is absent on the verifying machine.
 * Our units run binaries the *target host* provides (/usr/bin/podman on Fedora, /usr/bin/cloudflared,
 * …) that this machine does not have. systemd 252 cannot verify user units against another root
 * (`--user --root=` fails with "Failed to initialize unit search paths … Invalid argument"; system
 * scope `--root=` needs a whole unit tree and judges user units by system-manager rules). So verify
 * runs in a private mount namespace where each declared target executable that is missing here is an
 * overlayfs placeholder at the same path. Binary presence is not what we verify; unit syntax and
 * semantics are. Only the paths the caller declares get placeholders, so a typo such as
 * /usr/bin/podmna still fails; paths that exist here are used as they are.
 */

/** Executables every Quadlet-generated service runs. Host-level units add theirs (cloudflared, node). */
export const DEFAULT_TARGET_EXECUTABLES: readonly string[] = ["/usr/bin/podman"];

/** A problem verify reported, attributed to a unit where the line names one. */
export interface UnitProblem {
  /** Unit file name ("web.service"), or undefined when the line names no unit. */
  unit: string | undefined;
  /** Line in the verified unit file, when verify gave one. */
  line: number | undefined;
  message: string;
}

export interface UserUnitVerification {
  exitCode: number | null;
  problems: UnitProblem[];
  /** Set when verify could not run properly (namespace, timeout, crash): everything failed. */
  setupError: string | undefined;
}

export interface VerifyUserUnitsOptions {
  systemdAnalyze: string;
  /** Absolute paths of the unit files; keep them in one directory so references between them resolve. */
  unitFiles: readonly string[];
  /** Absolute paths the target host provides; missing ones become placeholders (see above). */
  targetExecutables: readonly string[];
  /** An empty scratch directory owned by the caller (runtime dir, HOME, placeholder tree). */
  workDir: string;
  timeoutMs: number;
  env?: NodeJS.ProcessEnv;
}

export interface OverlayMount {
  /** Existing directory on this machine that gets the overlay. */
  mountPoint: string;
  /** Directory whose files appear on top of mountPoint. */
  placeholderDir: string;
}

export interface PlaceholderPlan {
  /** Absolute paths (inside placeholderRoot) of the placeholder files to create. */
  placeholderFiles: string[];
  mounts: OverlayMount[];
}

const UNIT_SUFFIXES = "service|socket|target|timer|path|mount|automount|swap|slice|scope|device";
// "/tmp/x/web.service:7: Unknown key …" or "web.service: Command … is not executable: …"
const UNIT_LINE = new RegExp(`^(\\S+?\\.(?:${UNIT_SUFFIXES}))(?::(\\d+))?: (.*)$`);

/** Splits verify's stderr into problems, each attributed to the unit it names (pure). */
export function parseVerifyStderr(stderr: string): UnitProblem[] {
  const seen = new Set<string>();
  const problems: UnitProblem[] = [];
  for (const text of outputLines(stderr)) {
    if (seen.has(text)) continue; // verify repeats some lines (once per load pass)
    seen.add(text);
    const match = UNIT_LINE.exec(text);
    if (match === null) {
      problems.push({ unit: undefined, line: undefined, message: text });
      continue;
    }
    const [, unitPath = "", lineNumber, message = ""] = match;
    problems.push({ unit: path.basename(unitPath), line: lineNumber === undefined ? undefined : Number(lineNumber), message });
  }
  return problems;
}

function assertUsableInOverlayOptions(directory: string): void {
  // overlayfs separates lowerdirs with ':' and options with ','.
  if (/[:,\s]/.test(directory))
    throw new Error(`cannot use ${JSON.stringify(directory)} in an overlay mount (contains ':', ',' or whitespace)`);
}

/**
 * Decides which placeholders and overlay mounts verify needs (pure apart from the `exists` and
 * `realpath` probes, which tests replace).
 */
export function planPlaceholders(
  targetExecutables: readonly string[],
  placeholderRoot: string,
  probes: { exists: (p: string) => boolean; realpath: (p: string) => string } = { exists: existsSync, realpath: realpathSync },
): PlaceholderPlan {
  const placeholderFiles: string[] = [];
  const mountPoints = new Set<string>();
  for (const executable of targetExecutables) {
    if (!path.isAbsolute(executable) || executable.includes("%")) {
      throw new Error(`target executable must be an absolute path without specifiers: ${executable}`);
    }
    const normalized = path.normalize(executable);
    if (probes.exists(normalized)) continue; // the real binary is here: nothing to provide
    let ancestor = path.dirname(normalized);
    while (!probes.exists(ancestor)) ancestor = path.dirname(ancestor);
    const mountPoint = probes.realpath(ancestor);
    if (mountPoint === "/") throw new Error(`cannot provide ${executable}: no directory of its path exists on this machine`);
    placeholderFiles.push(path.join(placeholderRoot, mountPoint, path.relative(ancestor, normalized)));
    mountPoints.add(mountPoint);
  }
  // An overlay on /usr already carries placeholders meant for /usr/bin: keep outermost mount points.
  const outermost = [...mountPoints].filter(
    (candidate) => ![...mountPoints].some((other) => other !== candidate && candidate.startsWith(other + path.sep)),
  );
  const mounts = outermost.sort().map((mountPoint) => {
    assertUsableInOverlayOptions(mountPoint);
    const placeholderDir = path.join(placeholderRoot, mountPoint);
    assertUsableInOverlayOptions(placeholderDir);
    return { mountPoint, placeholderDir };
  });
  return { placeholderFiles, mounts };
}

const PLACEHOLDER_SCRIPT =
  "#!/bin/sh\n" +
  "# Placeholder made by paperclip-harness's systemd verify: binary presence is not what we verify;\n" +
  "# unit syntax and semantics are. It only exists inside verify's private mount namespace.\n" +
  'echo "placeholder for $0: not a real binary" >&2\nexit 127\n';

// Mounts each overlay, then execs verify. Pairs "placeholderDir mountPoint" come first, then "--".
const MOUNT_THEN_EXEC =
  'while [ "$1" != "--" ]; do ' +
  'mount -t overlay overlay -o "lowerdir=$1:$2" "$2" || { echo "paperclip-verify-namespace: cannot overlay $2" >&2; exit 97; }; ' +
  'shift 2; done; shift; exec "$@"';
const NAMESPACE_SETUP_FAILED = 97;

export async function verifyUserUnits(options: VerifyUserUnitsOptions): Promise<UserUnitVerification> {
  const runtimeDir = path.join(options.workDir, "runtime");
  const homeDir = path.join(options.workDir, "home");
  const placeholderRoot = path.join(options.workDir, "placeholders");
  // --user needs a runtime dir (systemd insists on 0700); a private HOME keeps the developer's own
  // ~/.config/systemd/user units out of the verification.
  mkdirSync(runtimeDir, { recursive: true, mode: 0o700 });
  chmodSync(runtimeDir, 0o700);
  mkdirSync(homeDir, { recursive: true });

  const plan = planPlaceholders(options.targetExecutables, placeholderRoot);
  for (const file of plan.placeholderFiles) {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, PLACEHOLDER_SCRIPT, { mode: 0o755 });
  }

  // --man=no: Documentation=man:… pages live on the target host, not here.
  const verifyCommand = [options.systemdAnalyze, "--user", "--man=no", "verify", ...options.unitFiles];
  const env: NodeJS.ProcessEnv = {
    ...(options.env ?? process.env),
    XDG_RUNTIME_DIR: runtimeDir,
    HOME: homeDir,
    SYSTEMD_COLORS: "0",
    SYSTEMD_LOG_COLOR: "0",
  };
  delete env.XDG_CONFIG_HOME;
  delete env.XDG_DATA_HOME;

  let command: string;
  let args: string[];
  if (plan.mounts.length === 0) {
    [command, ...args] = verifyCommand as [string, ...string[]];
  } else {
    command = "unshare";
    // Root (CI) can make a mount namespace directly; a normal user needs a user namespace first.
    const asRoot = process.getuid?.() === 0;
    args = [
      ...(asRoot ? [] : ["--user", "--map-root-user"]),
      "--mount",
      "--propagation",
      "private",
      "/bin/sh",
      "-c",
      MOUNT_THEN_EXEC,
      "sh",
      ...plan.mounts.flatMap((mount) => [mount.placeholderDir, mount.mountPoint]),
      "--",
      ...verifyCommand,
    ];
  }

  const outcome = await runProcess(command, args, { env, timeoutMs: options.timeoutMs });
  const abnormal = describeAbnormalEnd("systemd-analyze verify", outcome, options.timeoutMs);
  if (abnormal !== undefined) return { exitCode: outcome.exitCode, problems: parseVerifyStderr(outcome.stderr), setupError: abnormal };
  const stderrLines = outputLines(outcome.stderr);
  if (outcome.exitCode === NAMESPACE_SETUP_FAILED || stderrLines.some((line) => line.startsWith("unshare:"))) {
    return {
      exitCode: outcome.exitCode,
      problems: [],
      setupError:
        `could not create the verification namespace that provides ${plan.placeholderFiles.length} placeholder executable(s) ` +
        `(run as root, or enable unprivileged user namespaces): ${stderrLines.join(" | ")}`,
    };
  }
  const problems = parseVerifyStderr(outcome.stderr);
  if (outcome.exitCode !== 0 && problems.length === 0) {
    problems.push({ unit: undefined, line: undefined, message: `systemd-analyze verify exited ${outcome.exitCode} without saying why` });
  }
  return { exitCode: outcome.exitCode, problems, setupError: undefined };
}
