/**
 * A private user + mount + network namespace for running real daemons on what the program renders:
 * only loopback exists in it, and what is mounted inside (rendered files at the paths the images use)
 * is invisible outside. The user namespace maps every uid and gid to itself, so daemons that start as
 * root and drop to their own users (postfix, dovecot, _rspamd) behave as on a host. Needs root (CI
 * runs as root): only root may map the whole id range without newuidmap.
 *
 * The namespace lives as long as its holder process (`sleep`); commands join it with nsenter.
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { closeSync, existsSync, openSync, readFileSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { promisify } from "node:util";

const run = promisify(execFile);

export function privateNamespaceUnavailableReason(): string | undefined {
  if (process.getuid?.() !== 0) return "must run as root (the namespace maps every uid to itself)";
  const missing = ["/usr/bin/unshare", "/usr/bin/nsenter", "/usr/sbin/ip"].filter((path) => !existsSync(path));
  return missing.length > 0 ? `missing ${missing.join(", ")}` : undefined;
}

export interface Daemon {
  child: ChildProcess;
  /** stdout and stderr so far. */
  output(): string;
}

export class PrivateNamespace {
  private readonly daemons: Daemon[] = [];

  private constructor(
    private readonly holder: ChildProcess,
    readonly pid: number,
  ) {}

  static async start(): Promise<PrivateNamespace> {
    // The holder waits on stdin until its id maps are written, then brings loopback up and sleeps.
    const holder = spawn(
      "unshare",
      ["--user", "--mount", "--net", "--propagation", "private", "sh", "-c", "read _ && exec sleep infinity"],
      {
        stdio: ["pipe", "ignore", "inherit"],
      },
    );
    const pid = holder.pid;
    if (pid === undefined) throw new Error("unshare did not start");
    // unshare(2) happens right after exec: wait until the holder is in a user namespace of its own.
    const ownUserNs = (await run("readlink", ["/proc/self/ns/user"])).stdout.trim();
    for (let i = 0; ; i++) {
      const ns = await run("readlink", [`/proc/${pid}/ns/user`]).then(
        (r) => r.stdout.trim(),
        () => ownUserNs,
      );
      if (ns !== ownUserNs) break;
      if (i > 200) throw new Error("unshare did not create the namespaces");
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await writeFile(`/proc/${pid}/uid_map`, "0 0 4294967295\n");
    await writeFile(`/proc/${pid}/gid_map`, "0 0 4294967295\n");
    holder.stdin.end("go\n");
    const namespace = new PrivateNamespace(holder, pid);
    // `sh` has exec'd into sleep once the map is in place and stdin read; nsenter now joins as root.
    for (let i = 0; ; i++) {
      const comm = await run("cat", [`/proc/${pid}/comm`]).then((r) => r.stdout.trim());
      if (comm === "sleep") break;
      if (i > 200) throw new Error("the namespace holder did not start");
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await namespace.exec("ip", ["link", "set", "lo", "up"]);
    return namespace;
  }

  /** nsenter's arguments for a command inside (`net: false`: the mounts only, the host's network). */
  argv(command: string, args: readonly string[], options: { net?: boolean } = {}): string[] {
    return ["nsenter", `--target=${this.pid}`, "--user", "--mount", ...(options.net === false ? [] : ["--net"]), "--", command, ...args];
  }

  /** Runs a command inside to completion; rejects with its output when it fails. */
  async exec(command: string, args: readonly string[], options: { input?: string; timeoutMs?: number } = {}): Promise<string> {
    const [nsenter, ...rest] = this.argv(command, args);
    return new Promise((resolve, reject) => {
      const child = execFile(nsenter!, rest, { timeout: options.timeoutMs ?? 60_000, maxBuffer: 16 << 20 }, (error, stdout, stderr) => {
        if (error) reject(new Error(`${command} ${args.join(" ")}: ${error.message}\n${stdout}\n${stderr}`, { cause: error }));
        else resolve(stdout);
      });
      child.stdin?.on("error", () => undefined);
      child.stdin?.end(options.input ?? "");
    });
  }

  /**
   * Starts a long-running daemon inside, its stdout and stderr going to `logFile`; stop() ends it.
   * A file, not a pipe: Node's pipes are sockets, and daemons that open /dev/stdout (Dovecot's
   * log_path, Postfix's maillog_file) cannot open a socket by path (ENXIO).
   */
  spawnDaemon(command: string, args: readonly string[], logFile: string): Daemon {
    const [nsenter, ...rest] = this.argv(command, args);
    const fd = openSync(logFile, "a");
    const child = spawn(nsenter!, rest, { stdio: ["ignore", fd, fd] });
    closeSync(fd);
    const daemon = { child, output: () => readFileSync(logFile, "utf8") };
    this.daemons.push(daemon);
    return daemon;
  }

  /** Ends the daemons, then the holder: with its last process gone the namespace and its mounts go too. */
  async stop(): Promise<void> {
    for (const daemon of this.daemons) daemon.child.kill("SIGTERM");
    await new Promise((resolve) => setTimeout(resolve, 500));
    // Daemons that forked (Postfix's and Dovecot's children) die with the namespace's last holder: kill them all.
    const inside = await run("sh", [
      "-c",
      `for p in /proc/[0-9]*; do [ "$(readlink $p/ns/net)" = "$(readlink /proc/${this.pid}/ns/net)" ] && echo \${p#/proc/}; done; true`,
    ]).then(
      (r) => r.stdout.split("\n").filter(Boolean).map(Number),
      () => [] as number[],
    );
    for (const pid of inside) {
      if (pid === process.pid) continue;
      try {
        process.kill(pid, "SIGKILL");
      } catch (error) {
        // Listed, then gone before the kill (a daemon finishing its own shutdown): nothing left to end.
        if ((error as NodeJS.ErrnoException).code !== "ESRCH") throw error;
      }
    }
    this.holder.kill("SIGKILL");
  }
}
