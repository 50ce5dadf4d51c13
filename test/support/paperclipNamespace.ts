/**
 * The real Paperclip (the pinned `paperclipai` and its Node, from scripts/install-validators.sh) run
 * the way a target runs it, inside a private mount and network namespace (`unshare --mount --net`):
 * only loopback exists, so Paperclip and PostgreSQL listen on their real ports (3100, 5432), and
 * bind mounts put a temporary directory where the target keeps its data (/paperclip, the Podman
 * secrets, /var/run/postgresql) and an /etc/passwd that knows the image's `node` user (uid 1000).
 * Needs root (bind mounts, runuser), like the Fly machine's start script itself.
 */
import { type ChildProcess, spawn, spawnSync, type SpawnSyncReturns } from "node:child_process";
import { appendFileSync, chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { isAbsolute, join } from "node:path";
import type { TestContext } from "vitest";
import { isCi } from "../../cli/validators/tools";
import { PAPERCLIP_RELEASE } from "../../components/paperclip/paperclipRelease";
import { REPO_ROOT } from "./flyConfig";

/** `paperclipai` and `node` of the pinned release (.tools/paperclip, `npm run tools`). */
export const PAPERCLIP_TOOLS_BIN = join(REPO_ROOT, ".tools", "paperclip", "node_modules", ".bin");

/** The image's user: upstream's Dockerfile remaps `node` to uid/gid 1000 and gives it home /paperclip. */
export const NODE_USER = { name: "node", uid: 1000, gid: 1000, home: "/paperclip" } as const;

function unavailableReason(): string | undefined {
  if (process.getuid?.() !== 0) return "the real-Paperclip acceptance suite needs root (bind mounts in a private namespace, runuser)";
  for (const tool of ["unshare", "nsenter", "ip", "runuser", "setpriv", "curl", "pg_config"]) {
    if (spawnSync("sh", ["-c", `command -v ${tool}`], { stdio: "ignore" }).status !== 0) return `${tool} not installed`;
  }
  const version = spawnSync(join(PAPERCLIP_TOOLS_BIN, "node"), [join(PAPERCLIP_TOOLS_BIN, "paperclipai"), "--version"], {
    encoding: "utf8",
  });
  if (version.status !== 0) return `paperclipai@${PAPERCLIP_RELEASE.version} not installed in .tools/paperclip (npm run tools)`;
  // Paperclip runs as the image's node user, from this checkout's .tools: every directory above it
  // must let uid 1000 through (a clone under a 0700 temporary directory does not).
  const traverse = spawnSync("setpriv", [
    `--reuid=${NODE_USER.uid}`,
    `--regid=${NODE_USER.gid}`,
    "--clear-groups",
    "test",
    "-x",
    join(PAPERCLIP_TOOLS_BIN, "node"),
  ]);
  if (traverse.status !== 0)
    return `uid ${NODE_USER.uid} (the image's node user) cannot reach ${PAPERCLIP_TOOLS_BIN}: a directory above the checkout is closed to it (e.g. a clone under a 0700 mktemp directory); clone where others may traverse`;
  if (!version.stdout.includes(PAPERCLIP_RELEASE.version))
    return `.tools/paperclip has paperclipai ${version.stdout.trim()}, not ${PAPERCLIP_RELEASE.version} (npm run tools)`;
  return undefined;
}

/** Like requireTool: a loud skip on a developer machine, a failure with CI=true. */
export function requireRealPaperclip(context: TestContext): void {
  const reason = unavailableReason();
  if (reason === undefined) return;
  if (isCi()) throw new Error(`FAILED: ${reason} (CI=true: a missing tool fails)`);
  console.warn(`\n*** SKIPPED: ${reason} ***\n`);
  context.skip(`SKIPPED: ${reason}`);
}

export interface BindMount {
  /** Directory or file on this machine (created when absent); relative to the machine's directory. */
  source: string;
  /** Where the target sees it; a directory is created on this machine when absent (empty, unused). */
  target: string;
  file?: boolean;
  /** The target lies inside an earlier bind, whose source provides it: nothing is created on this machine. */
  nested?: boolean;
}

/** A throwaway machine: a private mount + network namespace with the given binds and a node user. */
export class NamespaceMachine {
  readonly root: string;
  private readonly binds: BindMount[];
  private readonly children: ChildProcess[] = [];

  constructor(prefix: string, binds: BindMount[]) {
    this.root = mkdtempSync(join(tmpdir(), prefix));
    // The image's files are readable by everyone (node and postgres read what the test puts here).
    chmodSync(this.root, 0o755);
    const etc = this.path("etc");
    mkdirSync(etc);
    copyFileSync("/etc/passwd", join(etc, "passwd"));
    copyFileSync("/etc/group", join(etc, "group"));
    appendFileSync(join(etc, "passwd"), `${NODE_USER.name}:x:${NODE_USER.uid}:${NODE_USER.gid}::${NODE_USER.home}:/bin/sh\n`);
    appendFileSync(join(etc, "group"), `${NODE_USER.name}:x:${NODE_USER.gid}:\n`);
    this.binds = [
      { source: join(etc, "passwd"), target: "/etc/passwd", file: true },
      { source: join(etc, "group"), target: "/etc/group", file: true },
      ...binds.map((bind) => ({ ...bind, source: isAbsolute(bind.source) ? bind.source : join(this.root, bind.source) })),
    ];
    for (const bind of this.binds) prepare(bind);
  }

  path(...parts: string[]): string {
    return join(this.root, ...parts);
  }

  /**
   * Starts `argv` as root in a new namespace (its own process group, so stop() reaches everything
   * in it). The returned process is unshare's; `pid` of the namespace is that of its child shell.
   */
  start(argv: string[], env: NodeJS.ProcessEnv): NamespaceProcess {
    const { script, bindEnv, unset } = bindSetup(this.binds);
    const child = spawn(
      "unshare",
      ["--mount", "--net", "--propagation", "private", "--fork", "sh", "-c", script, "sh", "env", ...unset, ...argv],
      {
        env: { ...env, ...bindEnv },
        stdio: ["ignore", "pipe", "pipe"],
        detached: true,
      },
    );
    this.children.push(child);
    return new NamespaceProcess(child);
  }

  /**
   * Starts `argv` in a root of its own (a new mount namespace over this machine's filesystem, with
   * `binds` and the machine's passwd/group) that shares the network of `beside`: the way a container
   * shares its pod's network but not its filesystem. Relative sources are in the machine's directory.
   * The returned process is `argv` itself (nothing forks on the way), so stop() signals it.
   */
  enter(beside: NamespaceProcess, binds: BindMount[], argv: string[], env: NodeJS.ProcessEnv): NamespaceProcess {
    const own = [
      ...this.binds.slice(0, 2),
      ...binds.map((bind) => ({ ...bind, source: isAbsolute(bind.source) ? bind.source : this.path(bind.source) })),
    ];
    own.forEach((bind, index) => index >= 2 && prepare(bind, own.slice(0, index)));
    const { script, bindEnv, unset } = bindSetup(own);
    const child = spawn(
      "nsenter",
      [
        "--target",
        String(beside.namespacePid()),
        "--net",
        "--",
        "unshare",
        "--mount",
        "--propagation",
        "private",
        "sh",
        "-c",
        script,
        "sh",
        "env",
        ...unset,
        ...argv,
      ],
      { env: { ...env, ...bindEnv }, stdio: ["ignore", "pipe", "pipe"], detached: true },
    );
    this.children.push(child);
    return new NamespaceProcess(child, true);
  }

  /**
   * Starts `argv` as root inside the mount and network namespace of `host` (like `podman run` beside
   * a database on one network, over the same files); stop() sends SIGTERM to it, cleanup() kills it.
   */
  enterShared(host: NamespaceProcess, argv: string[], env: NodeJS.ProcessEnv): NamespaceProcess {
    const child = spawn("nsenter", ["--target", String(host.namespacePid()), "--mount", "--net", "--", ...argv], {
      env,
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    this.children.push(child);
    return new NamespaceProcess(child, true);
  }

  /** A process started on this machine's behalf (its own group): cleanup() kills it with the rest. */
  track(child: ChildProcess): void {
    this.children.push(child);
  }

  /** Stops what is still running and removes the machine's directory. */
  cleanup(): void {
    for (const child of this.children) {
      if (child.exitCode === null && child.signalCode === null) {
        try {
          process.kill(-child.pid!, "SIGKILL");
        } catch {
          // already gone
        }
      }
    }
    rmSync(this.root, { recursive: true, force: true });
  }
}

/**
 * A bind's source exists (an empty file or directory when absent), and a directory's target too;
 * a target inside an earlier bind's target must exist in that bind's source (nothing is made here).
 */
function prepare(bind: BindMount, earlier: readonly BindMount[] = []): void {
  if (bind.nested) {
    if (!existsSync(bind.source)) throw new Error(`nested bind: ${bind.source} does not exist`);
  } else if (bind.file) {
    if (!existsSync(bind.source)) writeFileSync(bind.source, "");
  } else {
    mkdirSync(bind.source, { recursive: true });
    if (!earlier.some((outer) => bind.target.startsWith(`${outer.target}/`))) mkdirSync(bind.target, { recursive: true });
  }
}

/** The shell that brings loopback up and makes the binds, the paths it reads, and `env -u` for them. */
function bindSetup(binds: readonly BindMount[]): { script: string; bindEnv: Record<string, string>; unset: string[] } {
  const script = [
    "set -e",
    "ip link set lo up",
    ...binds.map((_, index) => `mount --bind "$BIND_SOURCE_${index}" "$BIND_TARGET_${index}"`),
    'exec "$@"',
  ].join("\n");
  const bindEnv = Object.fromEntries(
    binds.flatMap((bind, index) => [
      [`BIND_SOURCE_${index}`, bind.source],
      [`BIND_TARGET_${index}`, bind.target],
    ]),
  );
  // The setup shell gets the bind paths; `env -u` drops them before the target's command runs.
  return { script, bindEnv, unset: Object.keys(bindEnv).flatMap((name) => ["-u", name]) };
}

export class NamespaceProcess {
  stdout = "";
  stderr = "";
  readonly exited: Promise<number | null>;
  private done = false;

  /** `entered`: the process is the command itself (NamespaceMachine.enter, enterShared), not unshare's parent. */
  constructor(
    private readonly child: ChildProcess,
    private readonly entered = false,
  ) {
    child.stdout!.on("data", (chunk: Buffer) => (this.stdout += chunk.toString()));
    child.stderr!.on("data", (chunk: Buffer) => (this.stderr += chunk.toString()));
    this.exited = new Promise((resolve) =>
      child.on("close", (code, signal) => {
        this.done = true;
        resolve(code ?? (signal ? 128 + (signal === "SIGKILL" ? 9 : 15) : null));
      }),
    );
  }

  get hasExited(): boolean {
    return this.done;
  }

  /** A process inside the namespace (unshare's child), to enter it with nsenter. */
  namespacePid(): number {
    if (this.entered) return this.child.pid!;
    const children = readFileSync(`/proc/${this.child.pid}/task/${this.child.pid}/children`, "utf8").trim().split(/\s+/);
    return Number(children[0]);
  }

  /** Runs a command inside the namespace (its mounts and its loopback), as root. */
  exec(argv: string[], options: { env?: NodeJS.ProcessEnv; input?: string; timeoutMs?: number } = {}): SpawnSyncReturns<string> {
    return spawnSync("nsenter", ["--target", String(this.namespacePid()), "--mount", "--net", "--", ...argv], {
      encoding: "utf8",
      env: options.env ?? { PATH: process.env.PATH },
      input: options.input,
      timeout: options.timeoutMs ?? 60_000,
    });
  }

  /** Waits until `text` appears in stdout; fails if the process exits first or the deadline passes. */
  async waitFor(text: string, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.stdout.includes(text)) {
      if (this.done || Date.now() > deadline)
        throw new Error(`did not see ${JSON.stringify(text)}${this.done ? " (exited)" : ""}:\n${this.stdout}\n${this.stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  /** SIGTERM to the namespace's first process (as the platform stops a machine); its exit status. */
  async stop(): Promise<number | null> {
    if (!this.done) process.kill(this.namespacePid(), "SIGTERM");
    return this.exited;
  }
}

/**
 * `argv` as a container's user would run it: that uid/gid, no supplementary groups, no capabilities
 * (none inheritable, an empty bounding set, no new privileges), in the image's working directory.
 */
export function asContainerUser(user: { uid: number; gid: number }, workdir: string, argv: readonly string[]): string[] {
  return [
    "setpriv",
    `--reuid=${user.uid}`,
    `--regid=${user.gid}`,
    "--clear-groups",
    "--inh-caps=-all",
    "--bounding-set=-all",
    "--no-new-privs",
    "--",
    "env",
    "-C",
    workdir,
    ...argv,
  ];
}

/** An HTTP request from inside the namespace with curl: status, headers and body. */
export interface HttpAnswer {
  status: number;
  headers: string;
  body: string;
}

export function curl(
  proc: NamespaceProcess,
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: unknown; maxSeconds?: number } = {},
): HttpAnswer {
  const maxSeconds = options.maxSeconds ?? 20;
  const args = ["curl", "--silent", "--show-error", "--max-time", String(maxSeconds), "--include", "--request", options.method ?? "GET"];
  for (const [name, value] of Object.entries(options.headers ?? {})) args.push("--header", `${name}: ${value}`);
  if (options.body !== undefined) args.push("--header", "Content-Type: application/json", "--data-binary", "@-");
  args.push(url);
  const result = proc.exec(args, {
    input: options.body === undefined ? undefined : JSON.stringify(options.body),
    timeoutMs: (maxSeconds + 10) * 1000,
  });
  if (result.status !== 0) throw new Error(`curl ${url} failed: ${result.stderr}`);
  const text = result.stdout;
  const split = text.indexOf("\r\n\r\n");
  const headers = text.slice(0, split);
  return { status: Number(/^HTTP\/[\d.]+ (\d{3})/.exec(headers)?.[1] ?? 0), headers, body: text.slice(split + 4) };
}
