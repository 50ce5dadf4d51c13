/**
 * A temporary HOME in which the Harness's host scripts run for real (`sh -c`, as SSH runs them), with
 * FAKE `systemctl`, `podman` and `journalctl` first on PATH: systemd (as PID 1 of a user session) and
 * the Podman runtime cannot run here. The fakes record every call, keep Podman secrets as files, and
 * report a container unhealthy while its Quadlet contains a chosen string — so a script's own logic
 * (files, markers, copies, checks, rollback) is what the tests exercise.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const SYSTEMCTL = `#!/bin/sh
# FAKE systemctl (no systemd here): records the call; is-active reads .fake/state/<unit> (default active).
echo "systemctl $*" >>"$HOME/.fake/calls"
[ "$1" = "--user" ] && shift
case "$1" in
  is-active) cat "$HOME/.fake/state/$2" 2>/dev/null || echo active ;;
  *) ;;
esac
`;

const PODMAN = `#!/bin/sh
# FAKE podman (no container runtime here): secrets are files under .fake/secrets; a container is
# unhealthy while its Quadlet contains the text of .fake/unhealthy-when.
echo "podman $*" >>"$HOME/.fake/calls"
case "$1 $2" in
  "secret create")
    shift 2; [ "$1" = "--replace" ] && shift
    if [ "$2" = "-" ]; then cat >"$HOME/.fake/secrets/$1"; else cp "$2" "$HOME/.fake/secrets/$1"; fi ;;
  "secret rm") rm -f "$HOME/.fake/secrets/$3" ;;
  "secret exists") [ -e "$HOME/.fake/secrets/$3" ] ;;
  "healthcheck run")
    unit="$HOME/.config/containers/systemd/$3.container"
    if [ -s "$HOME/.fake/unhealthy-when" ] && grep -qF "$(cat "$HOME/.fake/unhealthy-when")" "$unit" 2>/dev/null; then
      echo unhealthy; exit 1
    fi ;;
  *) ;;
esac
`;

const JOURNALCTL = `#!/bin/sh
# FAKE journalctl: the tail of a made-up journal.
echo "journalctl $*" >>"$HOME/.fake/calls"
echo "Dec 03 12:00:01 host paperclip[42]: Error: connect ECONNREFUSED paperclip-db:5432"
`;

export interface ScriptResult {
  status: number;
  stdout: string;
  stderr: string;
}

export class ScriptHost {
  readonly home: string;
  private readonly bin: string;

  constructor() {
    this.home = mkdtempSync(join(tmpdir(), "script-host-"));
    this.bin = join(this.home, ".fake", "bin");
    for (const dir of [this.bin, join(this.home, ".fake", "secrets"), join(this.home, ".fake", "state")])
      mkdirSync(dir, { recursive: true });
    writeFileSync(join(this.bin, "systemctl"), SYSTEMCTL, { mode: 0o755 });
    writeFileSync(join(this.bin, "podman"), PODMAN, { mode: 0o755 });
    writeFileSync(join(this.bin, "journalctl"), JOURNALCTL, { mode: 0o755 });
  }

  private get env(): NodeJS.ProcessEnv {
    return { HOME: this.home, PATH: `${this.bin}:/usr/bin:/bin`, USER: "harness", XDG_RUNTIME_DIR: join(this.home, ".run") };
  }

  /** Runs a script as the SSH session would: `sh -c`, HOME set, stdin given. */
  run(script: string, stdin = ""): ScriptResult {
    const result = spawnSync("sh", ["-c", script], { input: stdin, encoding: "utf8", env: this.env, timeout: 60_000 });
    return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
  }

  /** The same, without blocking the event loop (for scripts that call a server in this process). */
  runAsync(script: string, stdin = ""): Promise<ScriptResult> {
    return new Promise((resolve, reject) => {
      const child = spawn("sh", ["-c", script], { env: this.env, stdio: ["pipe", "pipe", "pipe"], timeout: 60_000 });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
      child.on("error", reject);
      child.on("close", (status) => resolve({ status: status ?? -1, stdout, stderr }));
      child.stdin.end(stdin);
    });
  }

  file(relativePath: string): string | undefined {
    const path = join(this.home, relativePath);
    return existsSync(path) ? readFileSync(path, "utf8") : undefined;
  }

  secret(name: string): string | undefined {
    return this.file(`.fake/secrets/${name}`);
  }

  calls(): string[] {
    return (this.file(".fake/calls") ?? "").split("\n").filter(Boolean);
  }

  setUnitState(unit: string, state: string): void {
    writeFileSync(join(this.home, ".fake", "state", unit), `${state}\n`);
  }

  unhealthyWhileUnitContains(text: string): void {
    writeFileSync(join(this.home, ".fake", "unhealthy-when"), text);
  }

  remove(): void {
    rmSync(this.home, { recursive: true, force: true });
  }
}
