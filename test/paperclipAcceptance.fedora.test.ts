/**
 * Acceptance (fedora): the real Paperclip of components/paperclip/paperclipRelease.ts on what the
 * stock fedora stack renders (recorded offline, test/support/fedoraStack.ts): paperclip.container,
 * paperclip-db.container, their .volume units, the read-only host files and the first-admin unit,
 * run the way Podman runs them, in a private mount + network namespace on loopback
 * (test/support/paperclipNamespace.ts). Every setting is read from those units; the secrets are the
 * values the recording delivers to `podman secret create` (offline test values).
 *
 * Ran for real: the unit's Environment= lines; its Secret= lines as Podman delivers them (type=env
 * as variables, type=mount as files at their target with their uid/gid/mode); its Volume= binds at
 * their container paths (temporary directories; the .volume's User/Group as owner); the read-only
 * host files; the unit's --entrypoint and Exec= from /app, as its User/Group without capabilities
 * (setpriv); its HealthCmd as rendered (curl); the first-admin unit's `podman exec` command line
 * (the container's environment plus its --env, as the container's user, in /app); Debian's
 * PostgreSQL 15 initialised the way the postgres image does it from paperclip-db's environment and
 * secret, its HealthCmd as rendered; `paperclipai doctor` as `podman exec` would run it.
 *
 * Differs from the image, and why (the npm package of the same release is what installs here):
 * - /app/server is @paperclipai/server from npm (compiled, with its own node_modules/tsx) and
 *   /app/node_modules the npm install's (the image's is pnpm's workspace install), so the unit's `--import ./server/node_modules/tsx/dist/loader.mjs server/dist/index.js` runs unchanged
 *   from /app; the entrypoint /usr/local/bin/node is the same release's Node from npm (.tools).
 * - The image runs its CLI as `node cli/node_modules/tsx/dist/cli.mjs cli/src/index.ts` from /app;
 *   here /app/cli/node_modules is the server package's (its tsx and esbuild) and /app/cli/src/index.ts a one-line
 *   stand-in importing the npm CLI (paperclipai/dist/index.js, the same cli/src compiled), so the
 *   rendered first-admin script runs byte for byte.
 * - PostgreSQL 15 (Debian) stands in for the postgres:16 container.
 * Faked, because Podman's runtime and systemd cannot run here: container networks (one loopback;
 * /etc/hosts maps the peer names the unit's URLs use to 127.0.0.1, where the outbound recorder
 * plays LiteLLM and the egress proxy), Notify=healthy (the test polls the HealthCmd), the ordering of the first-admin
 * unit after paperclip.service (the test runs it after the container is healthy, and again after the
 * restart, as the unit's Wants= makes systemd do), and --memory (not enforced).
 * The internet, the gateway (LiteLLM, which does not install here) and the egress proxy are the
 * outbound recorder (test/support/outboundRecorder.ts): it answers every name and records every
 * request, which is how the test proves the server and the agent CLIs reach only the gateway.
 */
import { execFileSync } from "node:child_process";
import { chownSync, chmodSync, existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { isSecretEnvelope } from "../cli/engine/redact";
import { PAPERCLIP_RELEASE } from "../components/paperclip/paperclipRelease";
import { PAPERCLIP_BOOTSTRAP, PAPERCLIP_DATA_PATHS, PAPERCLIP_HOME } from "../components/paperclip/paperclipSettings";
import { containers, type FedoraRecording, hostFile, quadlet, recordFedora, unitValues } from "./support/fedoraStack";
import { findPostgresBin } from "./support/localPostgres";
import {
  asContainerUser,
  type BindMount,
  curl,
  NamespaceMachine,
  PAPERCLIP_TOOLS_BIN,
  requireRealPaperclip,
} from "./support/paperclipNamespace";
import { OutboundRecorder, recorderPorts } from "./support/outboundRecorder";
import { agentCliDirectory, codexRunProblems, judgeOutbound, provokeOutbound } from "./support/paperclipOutbound";

const BOOT_TIMEOUT_MS = 240_000;
const TEST_TIMEOUT_MS = 600_000;
/** The image's WORKDIR (upstream's Dockerfile; docs/paperclip-upstream.md §1): not a unit setting. */
const IMAGE_WORKDIR = "/app";
/** What the postgres image listens on (its default port; the unit publishes none). */
const POSTGRES_IMAGE_PORT = 5432;
const TOOLS_NODE_MODULES = join(PAPERCLIP_TOOLS_BIN, "..");

interface Row {
  check: string;
  result: string;
}
const table: Row[] = [];
const record = (check: string, result: string) => table.push({ check, result });

afterAll(() => {
  if (table.length === 0) return;
  const width = Math.max(...table.map((row) => row.check.length));
  const lines = table.map((row) => `  ${"fedora".padEnd(8)} ${row.check.padEnd(width)}  ${row.result}`);
  console.log(`\nReal Paperclip ${PAPERCLIP_RELEASE.version} acceptance:\n${lines.join("\n")}\n`);
});

/** The parts of `paperclipai doctor`'s summary; it prints it, then never exits (so it runs under timeout). */
function doctorSummary(output: string): { passed: number; failed: number } | undefined {
  const match = /(\d+) passed(?:, \d+ warnings?)?, (\d+) failed|(\d+) passed/.exec(output);
  if (!match) return undefined;
  return { passed: Number(match[1] ?? match[3]), failed: Number(match[2] ?? 0) };
}

/** A unit value this test passes on verbatim: no systemd quoting or specifiers it would have to undo. */
function plain(value: string, key: string): string {
  if (/["'\\%\s]/.test(value)) throw new Error(`${key}=${value}: quoting or specifiers this test does not emulate`);
  return value;
}

interface SecretLine {
  name: string;
  type: "env" | "mount";
  target: string;
  uid: number;
  gid: number;
  mode: number;
}

/** `name,type=…,target=…,uid=…,gid=…,mode=…` with Podman's defaults (env: the name; mount: /run/secrets/<name>, root, 0444). */
function secretLine(line: string): SecretLine {
  const [name, ...options] = line.split(",");
  const o = Object.fromEntries(options.map((option) => option.split("=") as [string, string]));
  const known = new Set(["type", "target", "uid", "gid", "mode"]);
  for (const key of Object.keys(o)) if (!known.has(key)) throw new Error(`Secret=${line}: option ${key} not emulated`);
  const type = (o.type ?? "mount") as "env" | "mount";
  return {
    name: name!,
    type,
    target: o.target ?? (type === "env" ? name! : `/run/secrets/${name}`),
    uid: Number(o.uid ?? 0),
    gid: Number(o.gid ?? 0),
    mode: parseInt(o.mode ?? "0444", 8),
  };
}

/** A container unit as Podman would run it. */
interface ContainerSpec {
  env: Record<string, string>;
  secrets: SecretLine[];
  volumes: Array<{ source: string; target: string; options: string[] }>;
  user: { uid: number; gid: number };
  entrypoint: string | undefined;
  exec: string[];
  health: string[];
}

/**
 * One Environment= assignment as systemd reads it: bare `NAME=value`, or the whole assignment in
 * double quotes with `\"` and `\\` escaped (how the renderer writes a JSON value). Other escapes and
 * specifiers are refused: this test does not emulate them.
 */
function environmentAssignment(raw: string): [string, string] {
  let line = raw;
  if (raw.startsWith('"') && raw.endsWith('"') && raw.length >= 2) {
    const inner = raw.slice(1, -1);
    if (/(^|[^\\])"|\\[^"\\]|%/.test(inner)) throw new Error(`Environment=${raw}: quoting or specifiers this test does not emulate`);
    line = inner.replace(/\\(["\\])/g, "$1");
  }
  const split = line.indexOf("=");
  const name = line.slice(0, split);
  const value = line.slice(split + 1);
  return [name, line === raw ? plain(value, name) : value];
}

function containerSpec(unit: string): ContainerSpec {
  const env = Object.fromEntries(unitValues(unit, "Environment").map(environmentAssignment));
  let entrypoint: string | undefined;
  for (const arg of unitValues(unit, "PodmanArgs")) {
    if (arg.startsWith("--entrypoint=")) entrypoint = arg.slice("--entrypoint=".length);
    // A limit, not behaviour: nothing here enforces it.
    else if (!arg.startsWith("--memory=")) throw new Error(`PodmanArgs=${arg} not emulated`);
  }
  const health = JSON.parse(unitValues(unit, "HealthCmd")[0] ?? "[]") as string[];
  return {
    env,
    secrets: unitValues(unit, "Secret").map(secretLine),
    volumes: unitValues(unit, "Volume").map((line) => {
      const [source, target, options] = line.split(":");
      return { source: source!, target: target!, options: options ? options.split(",") : [] };
    }),
    user: { uid: Number(unitValues(unit, "User")[0] ?? 0), gid: Number(unitValues(unit, "Group")[0] ?? 0) },
    entrypoint,
    exec: (unitValues(unit, "Exec")[0] ?? "")
      .split(" ")
      .filter(Boolean)
      .map((arg) => plain(arg, "Exec")),
    health,
  };
}

/** What the recording hands `podman secret create <name> -` on stdin. */
function podmanSecret(stack: FedoraRecording, name: string): string {
  const delivery = stack.recording.resources.find((r) => r.name === `harness-secret-${name}`);
  const stdin = delivery?.inputs.stdin;
  if (!isSecretEnvelope(stdin) || typeof stdin.value !== "string") throw new Error(`no secret delivery for ${name}`);
  return stdin.value;
}

/** The environment Podman gives the container: the unit's Environment= and its type=env secrets. */
function containerEnvironment(stack: FedoraRecording, spec: ContainerSpec): Record<string, string> {
  const env: Record<string, string> = { ...spec.env };
  for (const secret of spec.secrets.filter((s) => s.type === "env")) env[secret.target] = podmanSecret(stack, secret.name);
  return env;
}

/** `/usr/bin/podman exec [--env K=V]… <container> argv…` from a unit's ExecStart. */
function podmanExec(execStart: string): { container: string; env: Record<string, string>; argv: string[] } {
  const words = execStart.split(" ").map((word) => plain(word, "ExecStart"));
  expect(words.slice(0, 2)).toEqual(["/usr/bin/podman", "exec"]);
  const env: Record<string, string> = {};
  let i = 2;
  for (; words[i] === "--env"; i += 2) {
    const [name, ...value] = words[i + 1]!.split("=");
    env[name!] = value.join("=");
  }
  if (words[i]!.startsWith("-")) throw new Error(`podman exec option ${words[i]} not emulated`);
  return { container: words[i]!, env, argv: words.slice(i + 1) };
}

/** Single-label host names in URLs of these values (the peers Podman's network DNS would resolve). */
function peerHosts(values: readonly string[]): string[] {
  const hosts = values.flatMap((value) =>
    [...value.matchAll(/[a-z]+:\/\/(?:[^@/\s]*@)?([a-z][a-z0-9-]*)(?::\d+)?(?=[/,\s]|$)/g)].map((m) => m[1]!),
  );
  return [...new Set(hosts)].filter((host) => host !== "localhost");
}

describe("fedora: paperclip.container and its database, as Podman runs them, boot the real Paperclip", () => {
  let stack: FedoraRecording;
  let machine: NamespaceMachine | undefined;

  beforeAll(async () => {
    stack = await recordFedora();
  }, 120_000);
  afterAll(() => machine?.cleanup());

  test(
    "boots, migrates, answers its HealthCmd, prints the first admin's invite (and fails without one), restarts with its data, passes doctor",
    async (context) => {
      requireRealPaperclip(context);
      const pgBin = findPostgresBin();
      if (!pgBin) throw new Error("PostgreSQL ≥ 15 not installed");
      const units = containers(stack.artifacts);
      const paperclip = containerSpec(units.get("paperclip")!);
      const db = containerSpec(units.get("paperclip-db")!);
      const firstAdminUnit = hostFile(stack.artifacts, ".config/systemd/user/paperclip-first-admin.service");
      const firstAdmin = podmanExec(unitValues(firstAdminUnit, "ExecStart")[0]!);
      expect(firstAdmin.container).toBe(unitValues(units.get("paperclip")!, "ContainerName")[0]);

      // Every start of paperclip.service runs the first-admin unit again, after it (renewal while no admin exists).
      expect(unitValues(units.get("paperclip")!, "Wants")[0]!.split(" ")).toContain("paperclip-first-admin.service");
      expect(unitValues(firstAdminUnit, "After")).toEqual(["paperclip.service"]);
      expect(unitValues(firstAdminUnit, "Type")).toEqual(["oneshot"]);
      expect(unitValues(firstAdminUnit, "RemainAfterExit")).toEqual([]);

      const env = containerEnvironment(stack, paperclip);
      const dbEnv = containerEnvironment(stack, db);
      const secretValues = paperclip.secrets.map((s) => podmanSecret(stack, s.name));
      // The database URL is in config.json (a type=mount secret) only: DATABASE_URL would reach every agent.
      const configSecret = paperclip.secrets.find((s) => s.target === env.PAPERCLIP_CONFIG)!;
      expect(configSecret.type).toBe("mount");
      const databaseUrl = (JSON.parse(podmanSecret(stack, configSecret.name)) as { database: { connectionString: string } }).database
        .connectionString;
      expect(env.DATABASE_URL).toBeUndefined();

      // --- the machine: binds at the containers' paths ---
      const binds: BindMount[] = [];
      const files = (path: string) => join("files", path);
      // Volumes (.volume units, owned as their User/Group say) and read-only host files.
      const chowns: Array<[string, number, number]> = [];
      const hostFileDirs = new Set<string>();
      const hostFiles: Array<{ target: string; content: string }> = [];
      for (const volume of [...paperclip.volumes, ...db.volumes]) {
        if (volume.source.endsWith(".volume")) {
          const volumeUnit = quadlet(stack.artifacts, volume.source);
          const source = join("volumes", volume.source);
          binds.push({ source, target: volume.target });
          chowns.push([source, Number(unitValues(volumeUnit, "User")[0] ?? 0), Number(unitValues(volumeUnit, "Group")[0] ?? 0)]);
        } else {
          expect(volume.source.startsWith("%h/"), volume.source).toBe(true);
          expect(volume.options).toContain("ro");
          hostFiles.push({ target: volume.target, content: hostFile(stack.artifacts, volume.source.slice(3)) });
          hostFileDirs.add(volume.target.split("/").slice(0, 3).join("/"));
        }
      }
      for (const dir of hostFileDirs) binds.push({ source: files(dir), target: dir });
      // Podman's secrets directory for type=mount secrets.
      for (const secret of paperclip.secrets.filter((s) => s.type === "mount")) expect(dirname(secret.target)).toBe("/run/secrets");
      binds.push({ source: files("/run/secrets"), target: "/run/secrets" });
      // PostgreSQL's socket directory, as in the postgres image.
      binds.push({ source: "run-postgresql", target: "/var/run/postgresql" });
      // The image's /app: the server package and the CLI (see the first lines).
      binds.push({ source: "app", target: IMAGE_WORKDIR });
      binds.push({ source: TOOLS_NODE_MODULES, target: `${IMAGE_WORKDIR}/node_modules`, nested: true });
      binds.push({ source: join(TOOLS_NODE_MODULES, "@paperclipai", "server"), target: `${IMAGE_WORKDIR}/server`, nested: true });
      binds.push({
        source: join(TOOLS_NODE_MODULES, "@paperclipai", "server", "node_modules"),
        target: `${IMAGE_WORKDIR}/cli/node_modules`,
        nested: true,
      });
      // Podman's network DNS: the peers the unit's URLs name, all on this loopback.
      const peers = peerHosts([...Object.values(env), databaseUrl]);
      expect(peers).toContain(new URL(databaseUrl).hostname);
      binds.push({ source: "hosts", target: "/etc/hosts", file: true });

      const fedora = new NamespaceMachine("fedora-accept-", binds);
      machine = fedora;
      writeFileSync(fedora.path("hosts"), `127.0.0.1 localhost ${peers.join(" ")}\n::1 localhost\n`);
      for (const dir of ["app/node_modules", "app/server", "app/cli/node_modules", "app/cli/src"])
        mkdirSync(fedora.path(dir), { recursive: true });
      writeFileSync(
        fedora.path("app/cli/src/index.ts"),
        `import ${JSON.stringify(`${IMAGE_WORKDIR}/node_modules/paperclipai/dist/index.js`)};\n`,
      );
      for (const file of hostFiles) {
        mkdirSync(dirname(fedora.path(files(file.target))), { recursive: true });
        writeFileSync(fedora.path(files(file.target)), file.content, { mode: 0o444 });
      }
      for (const secret of paperclip.secrets.filter((s) => s.type === "mount")) {
        const path = fedora.path(files(secret.target));
        writeFileSync(path, podmanSecret(stack, secret.name), { mode: secret.mode });
        chmodSync(path, secret.mode);
        chownSync(path, secret.uid, secret.gid);
      }
      for (const [source, uid, gid] of chowns) chownSync(fedora.path(source), uid, gid);
      const postgresUid = Number(spawnId("-u"));
      const postgresGid = Number(spawnId("-g"));
      chownSync(fedora.path("run-postgresql"), postgresUid, postgresGid);

      // The image's PATH: its node (here the release's, from .tools) and the system's tools.
      // Every outbound connection lands in the recorder; the agent CLIs paperclipai brings are on PATH.
      const recorder = new OutboundRecorder(fedora);
      const agentClis = agentCliDirectory(fedora.path("agent-clis"));
      const imagePath = [
        agentClis,
        PAPERCLIP_TOOLS_BIN,
        "/usr/local/sbin",
        "/usr/local/bin",
        "/usr/sbin",
        "/usr/bin",
        "/sbin",
        "/bin",
      ].join(":");
      const containerEnv = { PATH: imagePath, ...env, ...recorder.trust };
      const entrypoint = paperclip.entrypoint === "/usr/local/bin/node" ? join(PAPERCLIP_TOOLS_BIN, "node") : paperclip.entrypoint;
      expect(entrypoint, "the unit replaces the image's entrypoint with node").toBeDefined();

      const host = fedora.start(["sleep", "infinity"], { PATH: process.env.PATH });
      await recorder.attach(host, recorderPorts(env.ANTHROPIC_BASE_URL!));
      const rootExec = (argv: string[], extra: NodeJS.ProcessEnv = {}) =>
        host.exec(argv, { env: { PATH: `${pgBin}:${process.env.PATH}`, ...extra } });
      const asPostgres = (argv: string[]) => rootExec(["runuser", "-u", "postgres", "--", ...argv]);

      // --- paperclip-db: the postgres image's first start, from its environment and secret ---
      const pgdata = dbEnv.PGDATA!;
      const dbVolume = db.volumes.find((v) => v.source.endsWith(".volume"))!;
      const dbVolumeDir = fedora.path(join("volumes", dbVolume.source));
      chownSync(dbVolumeDir, postgresUid, postgresGid);
      const pwfile = join(dbVolumeDir, ".pwfile");
      writeFileSync(pwfile, dbEnv.POSTGRES_PASSWORD!, { mode: 0o600 });
      chownSync(pwfile, postgresUid, postgresGid);
      const initdb = asPostgres([
        join(pgBin, "initdb"),
        "-D",
        pgdata,
        `--username=${dbEnv.POSTGRES_USER}`,
        `--pwfile=${dbVolume.target}/.pwfile`,
        "--auth-local=trust",
        "--auth-host=scram-sha-256",
        "--no-sync",
      ]);
      expect(initdb.status, initdb.stderr).toBe(0);
      rootExec(["rm", `${dbVolume.target}/.pwfile`]);
      // The image's pg_hba line: every host, by password.
      rootExec(["sh", "-c", `echo 'host all all all scram-sha-256' >> '${pgdata}/pg_hba.conf'`]);
      const pgStart = () =>
        asPostgres([
          join(pgBin, "pg_ctl"),
          "-D",
          pgdata,
          "-w",
          "-l",
          `${dbVolume.target}/server.log`,
          "-o",
          `-p ${POSTGRES_IMAGE_PORT} -c listen_addresses=* -k /var/run/postgresql -c fsync=off`,
          "start",
        ]);
      expect(pgStart().status).toBe(0);
      const createdb = asPostgres([join(pgBin, "createdb"), "-U", dbEnv.POSTGRES_USER!, dbEnv.POSTGRES_DB!]);
      expect(createdb.status, createdb.stderr).toBe(0);
      const dbHealth = rootExec(db.health.slice(1));
      expect(dbHealth.status, dbHealth.stdout + dbHealth.stderr).toBe(0);
      record("paperclip-db HealthCmd (pg_isready) on PostgreSQL 15", "ok");

      const psql = (sql: string) => rootExec(["psql", "-X", "-tA", "-v", "ON_ERROR_STOP=1", databaseUrl, "-c", sql]);
      const healthCmd = () => host.exec(asContainerUser(paperclip.user, IMAGE_WORKDIR, paperclip.health.slice(1)), { env: containerEnv });
      const port = Number(env.PORT);
      const base = `http://127.0.0.1:${port}`;
      const bootstrap = () =>
        host.exec(asContainerUser(paperclip.user, IMAGE_WORKDIR, firstAdmin.argv), {
          env: { ...containerEnv, ...firstAdmin.env },
        });
      const startPaperclip = async () => {
        const proc = fedora.enterShared(
          host,
          asContainerUser(paperclip.user, IMAGE_WORKDIR, [entrypoint!, ...paperclip.exec]),
          containerEnv,
        );
        // Notify=healthy: the unit is active once the HealthCmd succeeds, then "starting" settles.
        const deadline = Date.now() + BOOT_TIMEOUT_MS;
        for (;;) {
          const answer = healthCmd();
          if (answer.status === 0 && JSON.parse(answer.stdout).status !== "starting") return { proc, health: JSON.parse(answer.stdout) };
          if (proc.hasExited || Date.now() > deadline)
            throw new Error(`Paperclip did not become healthy:\n${proc.stdout.slice(-4000)}\n${proc.stderr.slice(-4000)}`);
          await new Promise((resolve) => setTimeout(resolve, 500));
        }
      };

      // --- first start ---
      const first = await startPaperclip();
      const migrations = Number(psql("SELECT count(*) FROM drizzle.__drizzle_migrations").stdout.trim());
      expect(migrations).toBeGreaterThan(200);
      record("boots, migrations applied", `ok (${migrations} migrations)`);
      expect(first.health).toMatchObject({ status: "ok", bootstrapStatus: "bootstrap_pending" });
      record(`HealthCmd as rendered (${paperclip.health.slice(1, 2).join(" ")})`, "exit 0");
      const foreign = curl(first.proc, `${base}/api/health`, { headers: { Host: "evil.example" } });
      expect(foreign.status).toBe(403);
      record("foreign Host (private exposure)", "403");

      // The first-admin unit fails when no invite can be made: here the invites table refuses inserts.
      psql(
        "CREATE FUNCTION acceptance_refuse() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RAISE EXCEPTION 'refused by the acceptance test'; END$$; " +
          "CREATE TRIGGER acceptance_refuse BEFORE INSERT ON invites FOR EACH ROW EXECUTE FUNCTION acceptance_refuse()",
      );
      const refused = bootstrap();
      expect(refused.status, refused.stdout + refused.stderr).not.toBe(0);
      expect(refused.stdout + refused.stderr).not.toContain(PAPERCLIP_BOOTSTRAP.inviteLine);
      // For that reason, not another (the CLI names the failed query).
      expect(refused.stdout + refused.stderr).toContain('insert into "invites"');
      record("first admin: invites table refuses inserts", `unit fails (exit ${refused.status})`);
      psql("DROP TRIGGER acceptance_refuse ON invites; DROP FUNCTION acceptance_refuse()");

      const made = bootstrap();
      expect(made.status, made.stdout + made.stderr).toBe(0);
      const publicUrl = env.PAPERCLIP_PUBLIC_URL!;
      const inviteOf = (output: string) => new RegExp(`${PAPERCLIP_BOOTSTRAP.inviteLine}(\\S+)`).exec(output)?.[1];
      const invite = inviteOf(made.stdout);
      expect(invite).toMatch(new RegExp(`^${publicUrl.replaceAll(".", "\\.")}/invite/pcp_bootstrap_[0-9a-f]+$`));
      record("first admin: unit prints an invite URL", "ok");

      // Sign-up as configured (the rendered config.json and environment), then the invite makes the admin.
      const config = JSON.parse(podmanSecret(stack, configSecret.name)) as {
        auth: { disableSignUp: boolean };
        storage: { localDisk: { baseDir: string } };
        database: { backup: { dir: string } };
        logging: { logDir: string };
      };
      const signUpOpen = !config.auth.disableSignUp && env.PAPERCLIP_AUTH_DISABLE_SIGN_UP !== "true";
      const headers = { Host: new URL(publicUrl).host, Origin: publicUrl };
      const signUp = curl(first.proc, `${base}/api/auth/sign-up/email`, {
        method: "POST",
        headers,
        body: { email: "first-admin@example.com", password: "correct-horse-battery-staple", name: "First Admin" },
      });
      expect(signUp.status, signUp.body).toBe(signUpOpen ? 200 : 400);
      record(`sign-up (${signUpOpen ? "open" : "closed"})`, String(signUp.status));
      const cookie = [...signUp.headers.matchAll(/^set-cookie: ([^;\r\n]+)/gim)].map((m) => m[1]).join("; ");
      const accept = curl(first.proc, `${base}/api/invites/${invite!.slice(invite!.lastIndexOf("/") + 1)}/accept`, {
        method: "POST",
        headers: { ...headers, Cookie: cookie },
        body: { requestType: "human" },
      });
      expect(accept.status, accept.body).toBe(202);
      expect(JSON.parse(healthCmd().stdout)).toMatchObject({ bootstrapStatus: "ready" });
      record("invite accepted → instance admin", String(accept.status));

      // Explicit data paths: everything in the instance directory of the volume, nothing hidden.
      const volumeOf = (path: string) => {
        const volume = paperclip.volumes.find((v) => path.startsWith(`${v.target}/`))!;
        return fedora.path("volumes", volume.source, path.slice(volume.target.length + 1));
      };
      expect(config.storage.localDisk.baseDir).toBe(PAPERCLIP_DATA_PATHS.storage);
      expect(config.database.backup.dir).toBe(PAPERCLIP_DATA_PATHS.backups);
      expect(config.logging.logDir).toBe(PAPERCLIP_DATA_PATHS.logs);
      const home = paperclip.volumes.find((v) => v.target === PAPERCLIP_HOME)!;
      expect(readdirSync(fedora.path("volumes", home.source))).toEqual(["instances"]);
      expect(readdirSync(volumeOf(`${PAPERCLIP_HOME}/instances`))).toEqual([env.PAPERCLIP_INSTANCE_ID]);
      // The server (NODE_ENV=production) logs JSON lines to stdout, which Podman hands to the journal;
      // it creates no log directory of its own.
      expect(first.proc.stdout.split("\n").filter((line) => line.startsWith("{")).length).toBeGreaterThan(0);
      expect(existsSync(volumeOf(PAPERCLIP_DATA_PATHS.logs))).toBe(false);
      record("data under instances/default (no ~/.paperclip); logs on stdout", "ok");

      // (After the data-path check: the agent CLIs keep their own state in HOME.)
      // Model lists, quota, each CLI's hello probe and a run: only the gateway, only with the gateway key.
      const calls = provokeOutbound(first.proc, base, { ...headers, Cookie: cookie }, recorder);
      const secrets = Object.fromEntries(paperclip.secrets.map((secret) => [secret.target, podmanSecret(stack, secret.name)]));
      const rule = {
        gateway: new URL(env.ANTHROPIC_BASE_URL!),
        gatewayKey: env.GATEWAY_API_KEY!,
        secrets,
        paperclip: new URL(publicUrl),
        proxy: env.HTTPS_PROXY,
      };
      expect(judgeOutbound(calls, rule)).toEqual([]);
      record("outbound: model lists, claude probes and runs", "gateway only, gateway key only (quota, codex probe: no credential)");
      expect(codexRunProblems(calls)).toEqual([]);
      record("outbound: codex runs", "refused by Paperclip (no Codex credentials), nothing sent");

      // doctor, as `podman exec paperclip …` runs it: the container's environment and user.
      const doctor = host.exec(asContainerUser(paperclip.user, IMAGE_WORKDIR, ["timeout", "20", "paperclipai", "doctor"]), {
        env: { ...containerEnv, NO_COLOR: "1" },
      });
      const summary = doctorSummary(doctor.stdout + doctor.stderr);
      expect(summary, doctor.stdout + doctor.stderr).toBeDefined();
      expect(summary!.failed, doctor.stdout).toBe(0);
      // doctor "repairs" a missing agent JWT secret into the instance's .env: the unit sets it, so no .env.
      expect(existsSync(volumeOf(`${PAPERCLIP_DATA_PATHS.logs.replace(/\/logs$/, "")}/.env`))).toBe(false);
      record("paperclipai doctor", `${summary!.passed} passed, 0 failed`);

      for (const value of secretValues) expect(first.proc.stdout + first.proc.stderr + made.stdout).not.toContain(value);
      const firstExit = await first.proc.stop();
      expect(firstExit).not.toBeNull();

      // --- restart: same volumes; config, data and admin are kept; the first-admin unit runs again ---
      const second = await startPaperclip();
      expect(second.health).toMatchObject({ status: "ok", bootstrapStatus: "ready" });
      const again = bootstrap();
      expect(again.status, again.stdout + again.stderr).toBe(0);
      expect(again.stdout).not.toContain(PAPERCLIP_BOOTSTRAP.inviteLine);
      const signIn = curl(second.proc, `${base}/api/auth/sign-in/email`, {
        method: "POST",
        headers,
        body: { email: "first-admin@example.com", password: "correct-horse-battery-staple" },
      });
      expect(signIn.status, signIn.body).toBe(200);
      record("restart keeps config, data, admin", "ok (no new invite, sign-in 200)");
      expect(await second.proc.stop()).not.toBeNull();
      rootExec(["runuser", "-u", "postgres", "--", join(pgBin, "pg_ctl"), "-D", pgdata, "-m", "fast", "stop"]);
      await host.stop();
    },
    TEST_TIMEOUT_MS,
  );
});

function spawnId(flag: "-u" | "-g"): string {
  return execFileSync("id", [flag, "postgres"], { encoding: "utf8" }).trim();
}
