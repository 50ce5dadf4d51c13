/**
 * `verify` against a fake host over a REAL OpenSSH server (Debian's openssh-server) on loopback, in a
 * private network and mount namespace: a throwaway user (in a private /etc/passwd bind-mounted there)
 * and a throwaway key. The host's `systemctl` and `podman` are FAKES (bound over /usr/local/bin in
 * that namespace): systemd and the Podman runtime cannot run here. Needs root; with CI=true a missing
 * sshd fails the test, elsewhere it is a loud skip.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Harness, type HarnessFile } from "../../components/podman/Harness";
import { CONFIG, TARGET, UNIT } from "../../components/podman/testSupport/fixtureUnits";
import { BACKUP_PROGRAM_PATH } from "../../infra/targets/fedora/backupPlan";
import type { RecordedResource } from "../engine/RecordingMonitor";
import { recordComponents } from "../../test/support/recordComponents";
import { isCi } from "../validators/tools";
import { verifyFedoraHost, type SshTarget } from "./verifyFedora";

const SSHD = "/usr/sbin/sshd";
const UID = 4242;
const PORT = 42222;
const unavailable =
  process.getuid?.() !== 0
    ? "must run as root (namespaces, a private /etc/passwd)"
    : !existsSync(SSHD)
      ? "openssh-server is not installed"
      : undefined;

const CADDY_PORT = 42280;
const PUBLIC_HOST = "paperclip.example.test";
// A FAKE backup program at the real one's path (the real one is proven in backupRoundTrip.test.ts):
// its freshness says STALE while ~/.fake/stale-backup exists.
const BACKUP: HarnessFile = {
  key: "backup/harness-backup.sh",
  path: BACKUP_PROGRAM_PATH,
  mode: "0755",
  content: `#!/bin/sh
# FAKE harness-backup.sh: only freshness, from ~/.fake/stale-backup.
[ "$1" = freshness ] || exit 2
if [ -e "$HOME/.fake/stale-backup" ]; then echo "STALE   paperclip: newest NAS snapshot 40h old (limit 36h)"; exit 1; fi
echo "OK      paperclip: newest NAS snapshot 2h old (limit 36h)"
`,
};
// A FAKE Caddy in front of a FAKE Paperclip (node, in the namespace): /api/health answers 200 for the
// public Host, 503 while <dir>/paperclip-down exists; any other path answers 200.
const FAKE_CADDY = `
const { existsSync } = require("node:fs");
require("node:http").createServer((req, res) => {
  const down = existsSync(process.argv[1] + "/paperclip-down");
  res.statusCode = req.headers.host !== "${PUBLIC_HOST}" ? 404 : req.url === "/api/health" && down ? 503 : 200;
  res.end();
}).listen(${CADDY_PORT}, "127.0.0.1", () => console.log("fake caddy listening"));
`;

const FAKE_SYSTEMCTL = `#!/bin/sh
# FAKE systemctl (no systemd here): is-active reads ~/.fake/<unit>, default active.
[ "$1" = "--user" ] && shift
[ "$1" = is-active ] && { cat "$HOME/.fake/$2" 2>/dev/null || echo active; }
`;
const FAKE_PODMAN = `#!/bin/sh
# FAKE podman (no container runtime here): a container is unhealthy while ~/.fake/unhealthy-<name> exists.
[ "$1 $2" = "healthcheck run" ] && [ -e "$HOME/.fake/unhealthy-$3" ] && exit 1
exit 0
`;

describe("verify over a real OpenSSH server on loopback (FAKE systemctl/podman on the host)", () => {
  if (unavailable !== undefined) {
    if (isCi()) it("has sshd to verify against (CI must install openssh-server)", () => expect.fail(unavailable));
    else {
      console.warn(`\n*** SKIPPED: verify over real sshd: ${unavailable} ***\n`);
      it.skip(`SKIPPED LOUDLY: ${unavailable}`, () => undefined);
    }
    return;
  }

  let dir: string;
  let home: string;
  let sshd: ChildProcess;
  let caddy: ChildProcess;
  let target: SshTarget;
  let resources: RecordedResource[];

  const write = (relativePath: string, content: string) => {
    const path = join(home, relativePath);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, content);
    execFileSync("chown", ["-R", `${UID}:${UID}`, home]);
  };

  beforeAll(async () => {
    resources = (
      await recordComponents(
        () =>
          void new Harness("harness", {
            connection: { host: "127.0.0.1", port: PORT, user: "harness" },
            files: [UNIT, CONFIG, TARGET, BACKUP],
            secrets: [{ name: "paperclip-auth-secret", value: "s3cret" }],
            restarts: [
              {
                unit: "paperclip.service",
                files: [UNIT.key, CONFIG.key],
                secrets: [],
                after: [],
                healthContainer: "paperclip",
                route: { hostname: PUBLIC_HOST, address: `127.0.0.1:${CADDY_PORT}` },
              },
            ],
            targetUnit: "sodimo.target",
            requirements: { podmanVersion: "5.4" },
          }),
      )
    ).resources;

    dir = mkdtempSync(join(tmpdir(), "verify-sshd-"));
    chmodSync(dir, 0o755);
    home = join(dir, "home");
    for (const key of ["host", "user"]) execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", join(dir, key)]);
    write(".ssh/authorized_keys", readFileSync(join(dir, "user.pub"), "utf8"));
    chmodSync(join(home, ".ssh"), 0o700);
    writeFileSync(join(dir, "known_hosts"), `[127.0.0.1]:${PORT} ${readFileSync(join(dir, "host.pub"), "utf8")}`);
    writeFileSync(join(dir, "passwd"), `${readFileSync("/etc/passwd", "utf8")}harness:x:${UID}:${UID}:throwaway:${home}:/bin/sh\n`);
    writeFileSync(join(dir, "group"), `${readFileSync("/etc/group", "utf8")}harness:x:${UID}:\n`);
    mkdirSync(join(dir, "bin"));
    writeFileSync(join(dir, "bin", "systemctl"), FAKE_SYSTEMCTL, { mode: 0o755 });
    writeFileSync(join(dir, "bin", "podman"), FAKE_PODMAN, { mode: 0o755 });
    writeFileSync(
      join(dir, "sshd_config"),
      [
        `Port ${PORT}`,
        "ListenAddress 127.0.0.1",
        `HostKey ${join(dir, "host")}`,
        "UsePAM no",
        "PasswordAuthentication no",
        "KbdInteractiveAuthentication no",
        "PidFile none",
        "AllowUsers harness",
        "",
      ].join("\n"),
    );
    const setup = [
      "set -e",
      "ip link set lo up",
      `mount --bind ${dir}/passwd /etc/passwd`,
      `mount --bind ${dir}/group /etc/group`,
      "mkdir -p /run/sshd",
      "mount -t tmpfs tmpfs /usr/local/bin",
      `cp ${dir}/bin/* /usr/local/bin/`,
      `exec ${SSHD} -D -e -f ${dir}/sshd_config`,
    ].join("\n");
    // Not --fork: the unshare process itself is in the namespaces, so its pid names them for nsenter.
    sshd = spawn("unshare", ["--net", "--mount", "--propagation", "private", "sh", "-c", setup], { stdio: ["ignore", "ignore", "pipe"] });
    let log = "";
    sshd.stderr?.on("data", (chunk: Buffer) => (log += chunk.toString()));
    for (let i = 0; i < 100 && !log.includes("Server listening"); i++) await new Promise((r) => setTimeout(r, 100));
    if (!log.includes("Server listening")) throw new Error(`sshd did not start: ${log}`);
    target = {
      host: "127.0.0.1",
      port: PORT,
      user: "harness",
      identityFile: join(dir, "user"),
      knownHostsFile: join(dir, "known_hosts"),
      sshCommand: ["nsenter", "-t", String(sshd.pid), "-n", "ssh"],
    };
    caddy = spawn("nsenter", ["-t", String(sshd.pid), "-n", process.execPath, "-e", FAKE_CADDY, dir], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let said = "";
    caddy.stdout?.on("data", (chunk: Buffer) => (said += chunk.toString()));
    for (let i = 0; i < 100 && !said.includes("listening"); i++) await new Promise((r) => setTimeout(r, 100));
    if (!said.includes("listening")) throw new Error("the fake Caddy did not start");
    // The host as the plan leaves it.
    for (const file of [UNIT, CONFIG, TARGET, BACKUP]) write(file.path, file.content);
    chmodSync(join(home, BACKUP.path), 0o755);
    mkdirSync(join(home, ".fake"));
    execFileSync("chown", ["-R", `${UID}:${UID}`, home]);
  }, 30_000);

  afterAll(() => {
    caddy?.kill();
    sshd?.kill();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("passes on a clean host", async () => {
    expect(await verifyFedoraHost(resources, target, "fedora")).toEqual([]);
  });

  it("reports every injected drift, each with what to do: a changed file, a deleted one, a stopped unit, a failing health check, Paperclip's probe, stale backups", async () => {
    write(CONFIG.path, '{"a":2}\n');
    rmSync(join(home, TARGET.path));
    write(".fake/paperclip.service", "inactive\n");
    write(".fake/unhealthy-paperclip", "");
    write(".fake/stale-backup", "");
    writeFileSync(join(dir, "paperclip-down"), "");
    const drift = await verifyFedoraHost(resources, target, "fedora");
    expect(drift.map((d) => `${d.what}: ${d.found}`)).toEqual([
      expect.stringMatching(/^file ~\/\.config\/harness\/paperclip\/config\.json: sha256 [0-9a-f]{64}, planned [0-9a-f]{64}$/),
      "file ~/.config/systemd/user/sodimo.target: missing",
      "unit paperclip.service: is inactive",
      "health check of paperclip: failing",
      "Paperclip's probe https://paperclip.example.test/api/health: HTTP 503 through Caddy",
      "backups: STALE paperclip: newest NAS snapshot 40h old (limit 36h)",
    ]);
    expect(drift[0]!.fix).toContain(
      "copy .out/fedora/artifacts/.config/harness/paperclip/config.json to ~/.config/harness/paperclip/config.json",
    );
    expect(drift[2]!.fix).toBe("systemctl --user start paperclip.service; read why with journalctl --user -u paperclip.service -n 50");
    expect(drift[4]!.fix).toContain(`curl -H 'Host: ${PUBLIC_HOST}' http://127.0.0.1:${CADDY_PORT}/api/health`);
    expect(drift[5]!.fix).toContain("harness-backup.sh backup <service>");
    rmSync(join(dir, "paperclip-down"));
    rmSync(join(home, ".fake"), { recursive: true });
    mkdirSync(join(home, ".fake"));
    execFileSync("chown", ["-R", `${UID}:${UID}`, home]);
    // The route itself (any status below 500) passes while Paperclip's probe fails: Caddy down is reported as such.
    caddy.kill();
    await new Promise((r) => caddy.once("exit", r));
    const down = await verifyFedoraHost(resources, target, "fedora");
    expect(down.filter((d) => d.what.includes("https://")).map((d) => `${d.what}: ${d.found}`)).toEqual([
      "Paperclip's probe https://paperclip.example.test/api/health: Caddy does not answer",
      "route https://paperclip.example.test/: Caddy does not answer",
    ]);
  });

  it("says so when the key does not log in", async () => {
    const drift = await verifyFedoraHost(resources, { ...target, identityFile: join(dir, "host") }, "fedora");
    expect(drift).toHaveLength(1);
    expect(drift[0]!.found).toContain("Permission denied");
  });
});
