/**
 * The rendered backup program, run for real: Debian's restic, sqlite3, PostgreSQL and MariaDB on
 * data seeded here; backup, destroy, restore, compare. FAKED: `podman` and `systemctl` (no Podman
 * runtime nor systemd user manager here) are small shims on PATH that run each container hop's
 * command directly — `podman exec <container> cmd…` runs `cmd…` against the local server,
 * `podman unshare cmd…` runs `cmd…`, a volume is a folder, a Podman secret a file — and record the
 * units stopped, started and health-checked. Everything else is the program `pulumi up` installs.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, it, type TestContext } from "vitest";
import { CATALOG } from "../../catalog";
import { resolveCatalog } from "../../catalog/resolveCatalog";
import { isCi } from "../../../cli/validators/tools";
import { LocalMariadb, requireMariadb } from "../../../test/support/localMariadb";
import { LocalPostgres, requirePostgres } from "../../../test/support/localPostgres";
import { BACKUP_OFFSITE_REPOSITORY_SECRET, BACKUP_PASSWORD_SECRET, deriveBackupPlan } from "./backupPlan";

const PODMAN_SHIM = `#!/usr/bin/env bash
# FAKE podman: each container hop runs its command directly (see the test's first comment).
set -euo pipefail
root=$SHIM_ROOT
echo "podman $*" >>"$root/calls"
case "$1" in
exec)
  shift
  while [[ "$1" == -* ]]; do shift; done
  shift
  exec "$@" ;;
unshare)
  shift
  exec "$@" ;;
volume)
  name="\${*: -1}"
  [ -d "$root/volumes/$name/_data" ] || { echo "Error: no such volume $name" >&2; exit 125; }
  echo "$root/volumes/$name/_data" ;;
secret)
  name="\${*: -1}"
  case "$2" in
  exists) [ -f "$root/secrets/$name" ] ;;
  inspect) cat "$root/secrets/$name" ;;
  esac ;;
healthcheck) exit 0 ;;
*) echo "podman shim: unexpected $*" >&2; exit 125 ;;
esac
`;

const SYSTEMCTL_SHIM = `#!/usr/bin/env bash
# FAKE systemctl --user: records what the restore stops and starts.
echo "systemctl $*" >>"$SHIM_ROOT/calls"
`;

function requireTool(context: TestContext, path: string, pkg: string): void {
  if (existsSync(path)) return;
  const message = `${path} not installed — apt-get install ${pkg}`;
  if (isCi()) throw new Error(`FAILED: ${message}`);
  console.warn(`\n*** SKIPPED: ${message} ***\n`);
  context.skip(message);
}

/** The fedora stack's catalogue with the mail archive on (its MariaDB is one of the kinds). */
function backupPlan(repository: string) {
  const { catalog, problems } = resolveCatalog(CATALOG, {
    domain: "example.com",
    networkName: "harness",
    overrides: {},
    extraSecretNames: new Set(),
    operatorKeys: new Set(["mailTlsCertificate", "mailTlsPrivateKey", "mailUsers"]),
    settings: { mailDomains: ["example.com"], mailHostname: "mail.example.com", pilerTransparencyNoticeConfirmed: true },
    hostPrograms: {},
  });
  expect(problems).toEqual([]);
  return deriveBackupPlan(catalog, { repository, offsite: true });
}

/** sha256 of every file under a folder, by relative path (and the folders, so an empty one counts). */
function tree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (at: string) => {
    for (const name of readdirSync(at).sort()) {
      const path = join(at, name);
      const rel = relative(dir, path);
      if (statSync(path).isDirectory()) {
        out[`${rel}/`] = "dir";
        walk(path);
      } else out[rel] = createHash("sha256").update(readFileSync(path)).digest("hex");
    }
  };
  walk(dir);
  return out;
}

describe("harness-backup.sh with restic, sqlite3, PostgreSQL and MariaDB (FAKE podman/systemctl shims)", () => {
  let root: string;
  let script: string;
  let repository: string;
  let env: NodeJS.ProcessEnv;
  let postgres: LocalPostgres | undefined;
  let mariadb: LocalMariadb | undefined;

  const run = (...args: string[]) => spawnSync("bash", [script, ...args], { encoding: "utf8", env, timeout: 120_000 });
  const calls = () => (existsSync(join(root, "calls")) ? readFileSync(join(root, "calls"), "utf8") : "");
  const restic = (...args: string[]) =>
    spawnSync("restic", ["-r", repository, ...args], { encoding: "utf8", env: { ...env, RESTIC_PASSWORD: "the-repository-password" } });
  const volume = (name: string) => {
    const dir = join(root, "volumes", name, "_data");
    mkdirSync(dir, { recursive: true });
    return dir;
  };

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), "harness-backup-"));
    repository = join(root, "nas", "harness-backups");
    mkdirSync(join(root, "nas"));
    mkdirSync(join(root, "bin"));
    mkdirSync(join(root, "secrets"));
    mkdirSync(join(root, "home"));
    writeFileSync(join(root, "bin", "podman"), PODMAN_SHIM);
    writeFileSync(join(root, "bin", "systemctl"), SYSTEMCTL_SHIM);
    chmodSync(join(root, "bin", "podman"), 0o755);
    chmodSync(join(root, "bin", "systemctl"), 0o755);
    writeFileSync(join(root, "secrets", BACKUP_PASSWORD_SECRET), "the-repository-password");
    const plan = backupPlan(repository);
    script = join(root, "harness-backup.sh");
    writeFileSync(script, plan.files[0]!.content);
    env = { PATH: `${join(root, "bin")}:/usr/bin:/bin:/usr/sbin`, HOME: join(root, "home"), SHIM_ROOT: root, TZ: "UTC", LANG: "C.UTF-8" };
  });

  afterAll(async () => {
    postgres?.stop();
    await mariadb?.stop();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it("refuses to back up into a repository that was never created, with the reason and the fix", (context) => {
    requireTool(context, "/usr/bin/restic", "restic");
    const result = run("backup", "vaultwarden");
    expect(result.status).toBe(69);
    expect(result.stderr).toContain(`harness-backup: error: no repository at ${repository}: is the NAS mounted there?`);
  });

  it("creates the repository with init", (context) => {
    requireTool(context, "/usr/bin/restic", "restic");
    // No off-site repository in this test's Podman secrets: init stops there, with the NAS one made.
    const result = run("init");
    expect(existsSync(join(repository, "config"))).toBe(true);
    expect(result.stderr).toContain(`the Podman secret ${BACKUP_OFFSITE_REPOSITORY_SECRET} is missing`);
  });

  it("sqlite: Vaultwarden's database (WAL mode) and its files, back byte for byte", (context) => {
    requireTool(context, "/usr/bin/restic", "restic");
    requireTool(context, "/usr/bin/sqlite3", "sqlite3");
    const data = volume("vaultwarden-data");
    const sqlite = (sql: string) => spawnSync("sqlite3", [join(data, "db.sqlite3")], { input: sql, encoding: "utf8" });
    sqlite(
      "PRAGMA journal_mode=WAL; CREATE TABLE ciphers (id TEXT PRIMARY KEY, data BLOB); " +
        Array.from({ length: 200 }, (_, i) => `INSERT INTO ciphers VALUES ('c${i}', randomblob(64));`).join(""),
    );
    mkdirSync(join(data, "attachments", "c1"), { recursive: true });
    writeFileSync(join(data, "attachments", "c1", "file.bin"), Buffer.from([0, 1, 2, 255]));
    writeFileSync(join(data, "rsa_key.pem"), "-----BEGIN PRIVATE KEY-----\nx\n-----END PRIVATE KEY-----\n");
    const dump = sqlite(".dump").stdout;
    const files = tree(data);
    delete files["db.sqlite3"];

    const backup = run("backup", "vaultwarden");
    expect(backup.stderr).toContain("vaultwarden: snapshot stored");
    expect(backup.status).toBe(0);

    // Destroy: the database, an attachment; and a file that was not there.
    rmSync(join(data, "db.sqlite3"));
    rmSync(join(data, "attachments"), { recursive: true });
    writeFileSync(join(data, "stray"), "after the snapshot");

    writeFileSync(join(root, "calls"), "");
    const restore = run("restore", "vaultwarden");
    expect(restore.stderr).toContain("vaultwarden: restored snapshot latest");
    expect(restore.status).toBe(0);
    expect(sqlite(".dump").stdout).toBe(dump);
    const after = tree(data);
    delete after["db.sqlite3"];
    expect(after).toEqual(files);
    const log = calls();
    expect(log.indexOf("systemctl --user stop vaultwarden.service")).toBeGreaterThan(-1);
    expect(log.indexOf("systemctl --user start vaultwarden.service")).toBeGreaterThan(
      log.indexOf("systemctl --user stop vaultwarden.service"),
    );
    expect(log).toContain("podman healthcheck run vaultwarden");
  });

  it("files: Dovecot's maildirs, back byte for byte, files added since removed", (context) => {
    requireTool(context, "/usr/bin/restic", "restic");
    const data = volume("dovecot-mail");
    for (const box of ["anna", "bob"]) {
      for (const sub of ["cur", "new", "tmp"]) mkdirSync(join(data, "example.com", box, "Maildir", sub), { recursive: true });
      for (let i = 0; i < 5; i++)
        writeFileSync(join(data, "example.com", box, "Maildir", "cur", `${i}.host:2,S`), `Subject: ${box} ${i}\n\nbody\n`);
    }
    const before = tree(data);
    expect(run("backup", "dovecot").status).toBe(0);
    rmSync(join(data, "example.com", "anna"), { recursive: true });
    writeFileSync(join(data, "example.com", "bob", "Maildir", "new", "late"), "late");
    const restore = run("restore", "dovecot");
    expect(restore.stderr).toContain("dovecot: restored");
    expect(restore.status).toBe(0);
    expect(tree(data)).toEqual(before);
    // No health check on Dovecot: the restore checks the unit is active instead.
    expect(calls()).toContain("systemctl --user is-active --quiet dovecot.service");
  });

  it("postgres: Paperclip's database through pg_dump -Fc and pg_restore, row for row, with Paperclip stopped meanwhile", async (context) => {
    requireTool(context, "/usr/bin/restic", "restic");
    const bin = requirePostgres(context);
    postgres = await LocalPostgres.start(bin);
    postgres.query("CREATE ROLE paperclip LOGIN PASSWORD 'pc-password'", "postgres");
    postgres.query("CREATE DATABASE paperclip OWNER paperclip", "postgres");
    const pc = (sql: string) => postgres!.query(sql, "paperclip", "paperclip", "pc-password");
    pc("CREATE TABLE issues (id serial PRIMARY KEY, title text NOT NULL, body bytea, created timestamptz DEFAULT now())");
    pc("INSERT INTO issues (title, body) SELECT 'issue ' || i || ' — é', decode(md5(i::text), 'hex') FROM generate_series(1, 500) i");
    const rows = () => pc("SELECT id, title, encode(body, 'hex'), created FROM issues ORDER BY id");
    const before = rows();
    // The sidecar's pg_dump connects as POSTGRES_USER; here, as the same user over loopback.
    const dbEnv = {
      PATH: `${join(root, "bin")}:${bin}:/usr/bin:/bin`,
      PGHOST: "127.0.0.1",
      PGPORT: String(postgres.port),
      PGPASSWORD: "pc-password",
    };
    const saved = env;
    env = { ...env, ...dbEnv };
    try {
      expect(run("backup", "paperclip-db").status).toBe(0);
      pc("DELETE FROM issues WHERE id % 2 = 0");
      pc("CREATE TABLE stray (x int)");
      writeFileSync(join(root, "calls"), "");
      const restore = run("restore", "paperclip-db");
      expect(restore.stderr).toContain("paperclip-db: restored");
      expect(restore.status).toBe(0);
    } finally {
      env = saved;
    }
    expect(rows()).toBe(before);
    const log = calls();
    // The database runs (pg_restore needs it); its dependent is stopped, then started, then both are checked.
    expect(log).not.toContain("stop paperclip-db");
    expect(log.indexOf("systemctl --user stop paperclip.service")).toBeLessThan(log.indexOf("pg_restore"));
    expect(log.indexOf("systemctl --user start paperclip.service")).toBeGreaterThan(log.indexOf("pg_restore"));
    expect(log).toContain("podman healthcheck run paperclip-db");
    expect(log).toContain("podman healthcheck run paperclip");
  });

  it("mariadb: Piler's database through mariadb-dump --single-transaction, row for row", async (context) => {
    requireTool(context, "/usr/bin/restic", "restic");
    requireMariadb(context);
    mariadb = await LocalMariadb.start();
    mariadb.sql(
      "CREATE DATABASE piler CHARACTER SET utf8mb4; USE piler; CREATE TABLE metadata (id INT PRIMARY KEY, subject VARCHAR(200), digest BINARY(16)) ENGINE=InnoDB;" +
        Array.from({ length: 300 }, (_, i) => `INSERT INTO metadata VALUES (${i}, 'mail ${i} — ü', UNHEX(MD5('${i}')));`).join(""),
    );
    const rows = () => mariadb!.sql("SELECT id, subject, HEX(digest) FROM metadata ORDER BY id", "piler");
    const before = rows();
    const saved = env;
    // In the sidecar the client finds the server's socket by default; here, through the user's option file.
    writeFileSync(join(root, "home", ".my.cnf"), `[client]\nsocket=${mariadb.socket}\n`);
    env = { ...env, MARIADB_ROOT_PASSWORD: mariadb.rootPassword };
    try {
      const backup = run("backup", "piler-mysql");
      expect(backup.status, backup.stderr).toBe(0);
      mariadb.sql("DELETE FROM metadata WHERE id < 100; CREATE TABLE stray (x INT);", "piler");
      const restore = run("restore", "piler-mysql");
      expect(restore.stderr).toContain("piler-mysql: restored");
      expect(restore.status).toBe(0);
    } finally {
      env = saved;
    }
    expect(rows()).toBe(before);
    // --add-drop-database: the database is as it was, the table created since included.
    expect(mariadb.sql("SHOW TABLES", "piler").trim()).toBe("metadata");
  });

  it("a wrong repository password is a clear error, and so is a missing one", (context) => {
    requireTool(context, "/usr/bin/restic", "restic");
    const secret = join(root, "secrets", BACKUP_PASSWORD_SECRET);
    writeFileSync(secret, "not-the-password");
    try {
      const wrong = run("backup", "dovecot");
      expect(wrong.status).toBe(77);
      expect(wrong.stderr).toContain(
        `harness-backup: error: wrong repository password: the Podman secret ${BACKUP_PASSWORD_SECRET} does not open ${repository}`,
      );
      rmSync(secret);
      const missing = run("restore", "dovecot");
      expect(missing.status).toBe(78);
      expect(missing.stderr).toContain(`harness-backup: error: the Podman secret ${BACKUP_PASSWORD_SECRET} is missing on this host`);
      // Nothing was stopped by a restore that could not read its snapshot.
      expect(calls()).not.toMatch(/systemctl --user stop dovecot/);
    } finally {
      writeFileSync(secret, "the-repository-password");
    }
  });

  it("an unreachable off-site repository is a clear error", (context) => {
    requireTool(context, "/usr/bin/restic", "restic");
    writeFileSync(join(root, "secrets", BACKUP_OFFSITE_REPOSITORY_SECRET), "s3:http://127.0.0.1:9/harness-backups");
    writeFileSync(join(root, "secrets", "backup-r2-access-key-id"), "id");
    writeFileSync(join(root, "secrets", "backup-r2-secret-access-key"), "key");
    try {
      const result = run("offsite");
      expect(result.status).toBe(69);
      expect(result.stderr).toContain("harness-backup: error: cannot reach the repository s3:http://127.0.0.1:9/harness-backups");
    } finally {
      for (const name of [BACKUP_OFFSITE_REPOSITORY_SECRET, "backup-r2-access-key-id", "backup-r2-secret-access-key"])
        rmSync(join(root, "secrets", name));
    }
  });

  it("an unknown service is a usage error naming the ones there are", (context) => {
    requireTool(context, "/usr/bin/restic", "restic");
    const result = run("restore", "vaultwardn");
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/no backup of 'vaultwardn' in this stack; services: .*vaultwarden/);
  });

  it("applies the declared retention (7 daily, 4 weekly, 6 monthly) and the freshness check tells stale from fresh", (context) => {
    requireTool(context, "/usr/bin/restic", "restic");
    // 30 days of rspamd snapshots, one a day at noon, ending three days ago: stale (limit 36 h).
    const data = volume("rspamd-data");
    writeFileSync(join(data, "dkim.key"), "key");
    const now = Date.now();
    const day = 24 * 3600 * 1000;
    const times = Array.from({ length: 30 }, (_, i) => {
      const t = new Date(now - (i + 3) * day);
      t.setUTCHours(12, 0, 0, 0);
      return t;
    });
    for (const t of times) {
      const made = restic(
        "backup",
        "--quiet",
        "--host",
        "harness",
        "--tag",
        "rspamd",
        "--time",
        t.toISOString().slice(0, 19).replace("T", " "),
        data,
      );
      expect(made.status, made.stderr).toBe(0);
    }
    // The newest is three days old at noon UTC, so its age in hours depends on the time of day now;
    // an hour may turn while the script runs.
    const hoursOld = () => Math.floor((Date.now() - times[0]!.getTime()) / 3_600_000);
    const before = hoursOld();
    const stale = run("freshness");
    const after = hoursOld();
    expect(stale.status).toBe(1);
    expect(stale.stdout).toMatch(new RegExp(`^STALE {3}rspamd: newest NAS snapshot (${before}|${after})h old \\(limit 36h\\)$`, "m"));
    expect(stale.stdout).toMatch(/^OK {6}vaultwarden: newest NAS snapshot 0h old \(limit 36h\)$/m);
    expect(stale.stdout).toMatch(/^MISSING openwebui: no snapshot in the NAS repository$/m);

    expect(run("backup", "rspamd").status).toBe(0);
    expect(run("freshness").stdout).toMatch(/^OK {6}rspamd: /m);

    // What restic's policy keeps of these snapshots (newest first): the newest of each of the last
    // 7 days, 4 ISO weeks and 6 months in which there are snapshots.
    const all = [new Date(now), ...times];
    const keep = new Set<number>();
    const isoWeek = (d: Date) => {
      const t = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
      t.setUTCDate(t.getUTCDate() + 4 - (t.getUTCDay() || 7));
      const start = new Date(Date.UTC(t.getUTCFullYear(), 0, 1));
      return `${t.getUTCFullYear()}-${Math.ceil(((t.getTime() - start.getTime()) / day + 1) / 7)}`;
    };
    const buckets: [number, (d: Date) => string][] = [
      [7, (d) => d.toISOString().slice(0, 10)],
      [4, isoWeek],
      [6, (d) => d.toISOString().slice(0, 7)],
    ];
    for (const [count, bucket] of buckets) {
      let last: string | undefined;
      let kept = 0;
      all.forEach((d, i) => {
        if (kept < count && bucket(d) !== last) {
          keep.add(i);
          kept++;
        }
        last = bucket(d);
      });
    }
    const listed = JSON.parse(restic("snapshots", "--json", "--tag", "rspamd").stdout) as { time: string }[];
    expect(listed.length).toBe(keep.size);
    const keptDays = listed.map((s) => s.time.slice(0, 10)).sort();
    expect(keptDays).toEqual([...keep].map((i) => all[i]!.toISOString().slice(0, 10)).sort());
  });
});
