/**
 * Acceptance: the real Paperclip (paperclipai of components/paperclip/paperclipRelease.ts on its Node,
 * `npm run tools`) on what the sealos and homelab stacks render, with Debian's PostgreSQL, in a private
 * network namespace on loopback (test/support/paperclipNamespace.ts). Everything comes from the
 * recorded plan (test/support/kubernetesObjects.ts): the database-init Job's script and environment,
 * the init container's script, the Paperclip container's command, args, env, working directory,
 * security context and mounts, the probes, the first-admin Job (test/support/kubernetesPod.ts runs a
 * container the way the kubelet would: setpriv as its uid with no capabilities, its own root).
 *
 * Faked, because they cannot run here (no cluster, no image registry):
 * - the cluster's PostgreSQL (KubeBlocks on sealos, the Bitnami chart on homelab) is a throwaway Debian
 *   PostgreSQL 15 on loopback, its administrator the one the database-init Job is given; the Job's
 *   image (postgres:16-alpine) is replaced by Debian's psql 15 (psql ≥ 15 is what the script needs);
 * - the Paperclip image's /app is assembled from the same release's npm packages: server/ is
 *   @paperclipai/server (its dist and tsx), cli/src/index.ts loads the published CLI, /usr/local/bin/node
 *   is the release's Node; the image's node user (uid 1000, home /paperclip) is added to /etc/passwd;
 * - Secret values are test values (the Secret names and keys are as rendered); KubeBlocks'
 *   `<cluster>-conn-credential` is given its administrator, and the host and port Paperclip connects to;
 * - Services resolve through /etc/hosts to 127.0.0.1 (the Service names are as rendered);
 * - fsGroup is a volume directory of group 1000 with the setgid bit, as the kubelet leaves it.
 * The internet, the gateway (LiteLLM, which does not install here) and the egress proxy are the
 * outbound recorder (test/support/outboundRecorder.ts): it answers every name and records every
 * request, which is how the test proves the server and the agent CLIs reach only the gateway.
 *
 * Per target it asserts: the database-init Job succeeds; Paperclip boots and applies its migrations;
 * the rendered startup/readiness/liveness probes pass; private exposure answers 403 to a foreign Host
 * (public exposure has no guard); sign-up behaves as configured; the first-admin Job fails (non-zero)
 * when it cannot insert the invite, then prints an invite URL; the renewal CronJob's run replaces it
 * (upstream revokes the old one), and once that invite has expired the next run prints a new one, which
 * makes the first admin (the revoked and the expired ones are refused);
 * `paperclipai doctor` passes; a restart keeps config, data and admin (both Jobs then create nothing).
 * A table of what ran is printed at the end.
 */
import { createHash } from "node:crypto";
import {
  chmodSync,
  chownSync,
  copyFileSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  realpathSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Recording } from "../cli/engine/recordStack";
import { PAPERCLIP_RELEASE } from "../components/paperclip/paperclipRelease";
import { kubernetesObjects, type Manifest, recordKubernetesStack } from "./support/kubernetesObjects";
import {
  containerArgv,
  containerEnv,
  containerPort,
  IMAGE_PATH,
  type SecretValues,
  secretRefs,
  volumeBinds,
} from "./support/kubernetesPod";
import { findPostgresBin } from "./support/localPostgres";
import { OutboundRecorder, recorderPorts } from "./support/outboundRecorder";
import { agentCliDirectory, codexRunProblems, judgeOutbound, provokeOutbound } from "./support/paperclipOutbound";
import {
  type BindMount,
  curl,
  NamespaceMachine,
  type NamespaceProcess,
  NODE_USER,
  PAPERCLIP_TOOLS_BIN,
  requireRealPaperclip,
} from "./support/paperclipNamespace";

const BOOT_TIMEOUT_MS = 240_000;
const TEST_TIMEOUT_MS = 900_000;
const TARGETS = ["sealos", "homelab"] as const;

interface Row {
  target: string;
  check: string;
  result: string;
}
const table: Row[] = [];
const record = (target: string, check: string, result: string) => table.push({ target, check, result });

afterAll(() => {
  if (table.length === 0) return;
  const width = Math.max(...table.map((row) => row.check.length));
  const lines = table.map((row) => `  ${row.target.padEnd(8)} ${row.check.padEnd(width)}  ${row.result}`);
  console.log(`\nReal Paperclip ${PAPERCLIP_RELEASE.version} acceptance (Kubernetes):\n${lines.join("\n")}\n`);
});

/** The parts of `paperclipai doctor`'s summary; it prints it, then never exits (so it runs under timeout). */
function doctorSummary(output: string): { passed: number; failed: number } | undefined {
  const match = /(\d+) passed(?:, \d+ warnings?)?, (\d+) failed|(\d+) passed/.exec(output);
  if (!match) return undefined;
  return { passed: Number(match[1] ?? match[3]), failed: Number(match[2] ?? 0) };
}

/** The plan's objects of one component (by the component's type in the URN), as verify finds them. */
function ofComponent(recording: Recording, component: string, kind: string): Manifest[] {
  return kubernetesObjects(recording)
    .filter((o) => o.record.urn.includes(`harness:kubernetes:${component}$`) && o.manifest.kind === kind)
    .map((o) => o.manifest);
}

function only<T>(items: T[], what: string): T {
  if (items.length !== 1) throw new Error(`expected one ${what}, found ${items.length}`);
  return items[0]!;
}

/** A test value per Secret key, stable per name and key (hex, like the generated secrets). */
const testSecret = (name: string, key: string) => createHash("sha256").update(`${name}/${key}`).digest("hex");

/** The Paperclip image's /app and /usr/local/bin, from the release's npm packages (see the header). */
function assembleImage(machine: NamespaceMachine): BindMount[] {
  const modules = join(PAPERCLIP_TOOLS_BIN, "..");
  const app = machine.path("image", "app");
  for (const dir of ["server", "node_modules", "cli/src", "cli/node_modules"]) mkdirSync(join(app, dir), { recursive: true });
  // Bound, not linked: the server starts only when it is the main module at the path it was given.
  const server = realpathSync(join(modules, "@paperclipai", "server"));
  writeFileSync(
    join(app, "cli", "src", "index.ts"),
    `import ${JSON.stringify(realpathSync(join(modules, "paperclipai", "dist", "index.js")))};\n`,
  );
  const bin = machine.path("image", "usr-local-bin");
  mkdirSync(bin, { recursive: true });
  symlinkSync(realpathSync(join(PAPERCLIP_TOOLS_BIN, "node")), join(bin, "node"));
  // The image's own /paperclip: empty and node's, for a container without the data volume.
  const home = machine.path("image", "paperclip");
  mkdirSync(home);
  chownSync(home, NODE_USER.uid, NODE_USER.gid);
  return [
    { source: app, target: "/app" },
    { source: server, target: "/app/server" },
    { source: realpathSync(modules), target: "/app/node_modules" },
    { source: join(server, "node_modules"), target: "/app/cli/node_modules" },
    { source: bin, target: "/usr/local/bin" },
  ];
}

/** Runs a container to its end: its exit status and output. */
async function runToEnd(proc: NamespaceProcess, timeoutMs: number): Promise<{ status: number | null; output: string }> {
  const timer = setTimeout(() => void proc.stop(), timeoutMs);
  const status = await proc.exited;
  clearTimeout(timer);
  return { status, output: proc.stdout + proc.stderr };
}

for (const target of TARGETS) {
  describe(`${target}: the rendered pod and Jobs run the real Paperclip (only the cluster faked)`, () => {
    let recording: Recording;
    let machine: NamespaceMachine | undefined;
    beforeAll(async () => {
      recording = await recordKubernetesStack(target);
    });
    afterAll(() => machine?.cleanup());

    test(
      "database-init, boot, probes, exposure, sign-up, first admin (and its failure), doctor, restart",
      async (context) => {
        requireRealPaperclip(context);
        const pgBin = findPostgresBin();
        if (pgBin === undefined) throw new Error("PostgreSQL ≥ 15 server programs not installed (apt-get install postgresql)");

        // What the plan renders.
        const workload = only(
          [...ofComponent(recording, "PaperclipWorkload", "StatefulSet"), ...ofComponent(recording, "PaperclipWorkload", "Deployment")],
          "Paperclip workload",
        );
        const pod = workload.spec.template.spec;
        const claimTemplates: string[] = (workload.spec.volumeClaimTemplates ?? []).map((t: Manifest) => t.metadata.name);
        const paperclip = pod.containers[0];
        const configure = only(pod.initContainers as Manifest[], "init container");
        const initJob = only(ofComponent(recording, "PostgresDatabaseInit", "Job"), "database-init Job").spec.template.spec;
        const bootstrapJob = only(ofComponent(recording, "PaperclipBootstrapJob", "Job"), "first-admin Job").spec.template.spec;
        const renewalCronJob = only(ofComponent(recording, "PaperclipBootstrapJob", "CronJob"), "invite-renewal CronJob");
        const renewalJob = renewalCronJob.spec.jobTemplate.spec.template.spec;
        const configMaps = new Map<string, Record<string, string>>(
          kubernetesObjects(recording)
            .filter((o) => o.manifest.kind === "ConfigMap")
            .map((o) => [o.manifest.metadata.name, o.manifest.data]),
        );

        // Secret values: a test value for every key the pods reference; the KubeBlocks Secret (made
        // by the operator, not by the plan) names the administrator and where PostgreSQL is.
        // Where Paperclip connects (the password is expanded from a Secret, so it is not needed here).
        // Only the configure init container holds it: the server reads config.json, and agents inherit its environment.
        expect(paperclip.env.map((e: Manifest) => e.name)).not.toContain("DATABASE_URL");
        const databaseUrl = new URL(String(configure.env.find((e: Manifest) => e.name === "DATABASE_URL").value));
        const secrets: SecretValues = {};
        for (const pod_ of [pod, initJob, bootstrapJob, renewalJob])
          for (const ref of secretRefs(pod_)) (secrets[ref.name] ??= {})[ref.key] = testSecret(ref.name, ref.key);
        for (const name of Object.keys(secrets).filter((n) => n.endsWith("-conn-credential")))
          Object.assign(secrets[name]!, { host: databaseUrl.hostname, port: databaseUrl.port, username: "postgres" });

        const initContainer = initJob.containers[0];
        const initEnv = containerEnv(initContainer, secrets);
        const paperclipEnv = containerEnv(paperclip, secrets);
        const jobContainer = bootstrapJob.containers[0];
        const jobEnv = containerEnv(jobContainer, secrets);
        const serviceHost = new URL(jobEnv.PAPERCLIP_HEALTH_URL!).hostname;
        expect(initEnv.PGHOST).toBe(databaseUrl.hostname);
        expect(Number(initEnv.PGPORT)).toBe(Number(databaseUrl.port));

        const kube = new NamespaceMachine(`${target}-kube-`, []);
        machine = kube;
        const image = assembleImage(kube);
        const hosts = kube.path("hosts");
        copyFileSync("/etc/hosts", hosts);
        writeFileSync(hosts, `${readFileSync(hosts, "utf8")}127.0.0.1 ${databaseUrl.hostname} ${serviceHost}\n`);
        const etcHosts: BindMount = { source: hosts, target: "/etc/hosts", file: true };
        // The data volume as the kubelet leaves it for fsGroup 1000: group-owned, setgid.
        const volume = kube.path("volume");
        mkdirSync(volume);
        chownSync(volume, 0, pod.securityContext.fsGroup);
        chmodSync(volume, 0o2775);

        // The cluster's PostgreSQL, its administrator the database-init Job's.
        const pg = kube.path("postgres");
        mkdirSync(pg);
        const postgresUid = Number(readFileSync("/etc/passwd", "utf8").match(/^postgres:x:(\d+):/m)?.[1]);
        chownSync(pg, postgresUid, -1);
        writeFileSync(join(pg, "pwfile"), initEnv.PGPASSWORD!);
        chownSync(join(pg, "pwfile"), postgresUid, -1);
        const asPostgres = ["setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups", "--"];
        const initdb = kube.start(
          [
            ...asPostgres,
            join(pgBin, "initdb"),
            "-D",
            join(pg, "data"),
            "-U",
            initEnv.PGUSER!,
            `--pwfile=${join(pg, "pwfile")}`,
            "-A",
            "scram-sha-256",
            "--no-sync",
          ],
          { PATH: process.env.PATH, LANG: "C.UTF-8" },
        );
        expect((await runToEnd(initdb, 120_000)).status).toBe(0);
        const cluster = kube.start(
          [
            ...asPostgres,
            join(pgBin, "postgres"),
            "-D",
            join(pg, "data"),
            "-p",
            initEnv.PGPORT!,
            "-k",
            pg,
            "-c",
            "listen_addresses=127.0.0.1",
            "-c",
            "fsync=off",
          ],
          { PATH: process.env.PATH, LANG: "C.UTF-8" },
        );
        const psql = (sql: string, database = initEnv.PAPERCLIP_DATABASE!) =>
          cluster.exec(
            [
              join(pgBin, "psql"),
              "-X",
              "-tA",
              "-v",
              "ON_ERROR_STOP=1",
              "-h",
              "127.0.0.1",
              "-p",
              initEnv.PGPORT!,
              "-U",
              initEnv.PGUSER!,
              "-d",
              database,
              "-c",
              sql,
            ],
            {
              env: { PATH: process.env.PATH, PGPASSWORD: initEnv.PGPASSWORD },
            },
          );
        for (let i = 0; psql("SELECT 1", "postgres").status !== 0; i++) {
          if (i > 100) throw new Error(`PostgreSQL did not start:\n${cluster.stderr}`);
          await new Promise((resolve) => setTimeout(resolve, 200));
        }

        // Every outbound connection of the pod lands in the recorder; the agent CLIs paperclipai brings are on PATH.
        const recorder = new OutboundRecorder(kube);
        await recorder.attach(cluster, recorderPorts(paperclipEnv.ANTHROPIC_BASE_URL!));
        const agentClis = agentCliDirectory(kube.path("agent-clis"));

        /** A container of the plan in a root of its own, sharing the pod network (the namespace). */
        const run = (
          c: Manifest,
          podSpec: Manifest,
          env: Record<string, string>,
          extra: { binds?: BindMount[]; path?: string; data?: boolean } = {},
        ) => {
          const home = c.securityContext.runAsUser === NODE_USER.uid ? NODE_USER.home : "/";
          const binds = [
            etcHosts,
            ...image,
            ...(extra.binds ?? []),
            ...volumeBinds(c, podSpec, configMaps, kube.path("mounts"), volume, claimTemplates),
          ];
          // The container runtime's environment: the image's PATH, HOME from the image's passwd, the pod's name.
          const processEnv = { PATH: extra.path ?? IMAGE_PATH, HOME: home, HOSTNAME: `${workload.metadata.name}-0`, ...env };
          return kube.enter(cluster, binds, containerArgv(c, podSpec, env), processEnv);
        };
        const emptyHome: BindMount = { source: kube.path("image", "paperclip"), target: NODE_USER.home };

        // The database-init Job, as rendered, against the cluster.
        const dbInit = await runToEnd(run(initContainer, initJob, initEnv, { path: `${pgBin}:${IMAGE_PATH}` }), 300_000);
        expect(dbInit.status, dbInit.output).toBe(0);
        expect(dbInit.output).toContain(`database-init: ${initEnv.PAPERCLIP_DATABASE} is ready`);
        record(target, "database-init Job (rendered script)", "ok");

        // Probes, as rendered: HTTP with their path, port and headers, or a TCP connect.
        const probeOf = (probe: Manifest): (() => { ok: boolean; status: number; body: string }) => {
          if (probe.httpGet) {
            const port = containerPort(paperclip, probe.httpGet.port);
            const headers = Object.fromEntries((probe.httpGet.httpHeaders ?? []).map((h: Manifest) => [h.name, h.value]));
            return () => {
              const answer = curl(cluster, `http://127.0.0.1:${port}${probe.httpGet.path}`, { headers });
              return { ok: answer.status >= 200 && answer.status < 400, status: answer.status, body: answer.body };
            };
          }
          if (probe.tcpSocket) {
            const port = containerPort(paperclip, probe.tcpSocket.port);
            return () => {
              const connect = `require("net").connect(${port}, "127.0.0.1").on("connect", () => process.exit(0)).on("error", () => process.exit(1))`;
              const result = cluster.exec([join(PAPERCLIP_TOOLS_BIN, "node"), "-e", connect]);
              return { ok: result.status === 0, status: result.status ?? -1, body: `tcp ${port}` };
            };
          }
          throw new Error("a probe the test cannot run");
        };
        const startup = probeOf(paperclip.startupProbe);
        const readiness = probeOf(paperclip.readinessProbe);
        const liveness = probeOf(paperclip.livenessProbe);

        /** The pod starting: the init container to its end, then Paperclip until its startup probe passes. */
        const startPod = async () => {
          const init = await runToEnd(run(configure, pod, containerEnv(configure, secrets)), 60_000);
          expect(init.status, init.output).toBe(0);
          const server = run(paperclip, pod, { ...paperclipEnv, ...recorder.trust }, { path: `${agentClis}:${IMAGE_PATH}` });
          const deadline = Date.now() + BOOT_TIMEOUT_MS;
          for (;;) {
            if (server.hasExited) throw new Error(`Paperclip exited (${await server.exited}):\n${server.stdout}\n${server.stderr}`);
            let answer: { ok: boolean; body: string } | undefined;
            try {
              answer = startup();
            } catch {
              answer = undefined;
            }
            if (answer?.ok && !answer.body.includes('"starting"')) break;
            if (Date.now() > deadline) throw new Error(`startup probe never passed:\n${server.stdout}\n${server.stderr}`);
            await new Promise((resolve) => setTimeout(resolve, 500));
          }
          return { init, server };
        };
        const firstAdminJob = () => runToEnd(run(jobContainer, bootstrapJob, jobEnv, { binds: [emptyHome] }), 120_000);
        const renewalContainer = only(renewalJob.containers as Manifest[], "renewal container");
        const renewal = () =>
          runToEnd(run(renewalContainer, renewalJob, containerEnv(renewalContainer, secrets), { binds: [emptyHome] }), 120_000);

        // First start.
        const first = await startPod();
        expect(first.init.output).toContain(`configure: wrote ${paperclipEnv.PAPERCLIP_CONFIG}`);
        const migrations = Number(psql("SELECT count(*) FROM drizzle.__drizzle_migrations").stdout.trim());
        expect(migrations).toBeGreaterThan(200);
        record(target, "boots, migrations applied", `ok (${migrations} migrations)`);
        for (const [name, probe] of [
          ["startup", startup],
          ["readiness", readiness],
          ["liveness", liveness],
        ] as const) {
          const answer = probe();
          expect(answer.ok, `${name}: ${answer.status} ${answer.body}`).toBe(true);
          record(target, `${name} probe (as rendered)`, String(answer.status === 0 ? "connect" : answer.status));
        }
        expect(JSON.parse(readiness().body)).toMatchObject({ status: "ok", bootstrapStatus: "bootstrap_pending" });

        const port = containerPort(paperclip, "http");
        const foreign = curl(cluster, `http://127.0.0.1:${port}/api/health`, { headers: { Host: "evil.example" } });
        if (paperclipEnv.PAPERCLIP_DEPLOYMENT_EXPOSURE === "private") {
          expect(foreign.status).toBe(403);
          record(target, "foreign Host (private exposure)", "403");
        } else {
          // Public exposure has no hostname guard: the platform's ingress is the only way in.
          expect(paperclipEnv.PAPERCLIP_DEPLOYMENT_EXPOSURE).toBe("public");
          expect(foreign.status).toBe(200);
          record(target, "foreign Host (public exposure: no guard)", "200");
        }

        // The first-admin Job must fail when it cannot create the invite.
        const appUser = decodeURIComponent(databaseUrl.username);
        expect(psql(`REVOKE INSERT ON public.invites FROM ${appUser}`).status).toBe(0);
        const refused = await firstAdminJob();
        expect(refused.status, refused.output).not.toBe(0);
        expect(refused.output).toContain("created no invite");
        record(target, "first-admin Job, invite insert impossible", `fails (exit ${refused.status})`);
        expect(psql(`GRANT INSERT ON public.invites TO ${appUser}`).status).toBe(0);

        const job = await firstAdminJob();
        expect(job.status, job.output).toBe(0);
        const publicUrl = paperclipEnv.PAPERCLIP_PUBLIC_URL!;
        const invite = /Invite URL: (\S+)/.exec(job.output)?.[1];
        expect(invite).toMatch(new RegExp(`^${publicUrl.replaceAll(".", "\\.")}/invite/pcp_bootstrap_[0-9a-f]+$`));
        record(target, "first-admin Job: invite URL printed", "ok");
        // No secret value in any log (the KubeBlocks Secret's host, port and user are not secret).
        for (const [name, keys] of Object.entries(secrets))
          for (const [key, value] of Object.entries(keys))
            if (value === testSecret(name, key)) expect(job.output + first.server.stdout + first.server.stderr).not.toContain(value);

        const inviteUrl = new RegExp(`^${publicUrl.replaceAll(".", "\\.")}/invite/pcp_bootstrap_[0-9a-f]+$`);
        const openInvites = () =>
          psql(
            "SELECT count(*) FROM public.invites WHERE invite_type = 'bootstrap_ceo' AND revoked_at IS NULL AND expires_at > now()",
          ).stdout.trim();
        // A weekly run while the Job's invite is still valid replaces it: upstream revokes the old one.
        expect(JSON.parse(readiness().body)).toMatchObject({ bootstrapStatus: "bootstrap_pending", bootstrapInviteActive: true });
        const weekly = await renewal();
        expect(weekly.status, weekly.output).toBe(0);
        const weeklyInvite = /Invite URL: (\S+)/.exec(weekly.output)?.[1];
        expect(weeklyInvite).toMatch(inviteUrl);
        expect(weeklyInvite).not.toBe(invite);
        expect(openInvites()).toBe("1");
        record(target, `renewal CronJob (${renewalCronJob.spec.schedule}): new invite, the Job's revoked`, "ok");

        // The invite expires while nobody claims it: the next run makes a new one.
        expect(psql("UPDATE public.invites SET expires_at = now() - interval '1 minute' WHERE invite_type = 'bootstrap_ceo'").status).toBe(
          0,
        );
        expect(JSON.parse(readiness().body)).toMatchObject({ bootstrapInviteActive: false });
        const renewed = await renewal();
        expect(renewed.status, renewed.output).toBe(0);
        const renewedInvite = /Invite URL: (\S+)/.exec(renewed.output)?.[1];
        expect(renewedInvite).toMatch(inviteUrl);
        expect(renewedInvite).not.toBe(weeklyInvite);
        expect(JSON.parse(readiness().body)).toMatchObject({ bootstrapStatus: "bootstrap_pending", bootstrapInviteActive: true });
        expect(openInvites()).toBe("1");
        record(target, "invite expired → the next renewal run makes a new one", "ok");

        // Sign-up as configured, then the invite accepted by the new user.
        const headers = { Host: new URL(publicUrl).host, Origin: publicUrl };
        const base = `http://127.0.0.1:${port}`;
        const signUp = curl(cluster, `${base}/api/auth/sign-up/email`, {
          method: "POST",
          headers,
          body: { email: "first-admin@example.com", password: "correct-horse-battery-staple", name: "First Admin" },
        });
        if (paperclipEnv.PAPERCLIP_AUTH_DISABLE_SIGN_UP === "true") {
          expect(signUp.status).toBe(400);
          record(target, "sign-up (disabled)", "400");
        } else {
          expect(signUp.status, signUp.body).toBe(200);
          record(target, "sign-up (open)", "200");
          const cookie = [...signUp.headers.matchAll(/^set-cookie: ([^;\r\n]+)/gim)].map((m) => m[1]).join("; ");
          const accept = (url: string) =>
            curl(cluster, `${base}/api/invites/${url.slice(url.lastIndexOf("/") + 1)}/accept`, {
              method: "POST",
              headers: { ...headers, Cookie: cookie },
              body: { requestType: "human" },
            });
          const revoked = accept(invite!);
          expect(revoked.status, revoked.body).toBeGreaterThanOrEqual(400);
          const expired = accept(weeklyInvite!);
          expect(expired.status, expired.body).toBeGreaterThanOrEqual(400);
          record(target, "the revoked and the expired invite are refused", `${revoked.status}, ${expired.status}`);
          const accepted = accept(renewedInvite!);
          expect(accepted.status, accepted.body).toBe(202);
          expect(JSON.parse(readiness().body)).toMatchObject({ bootstrapStatus: "ready" });
          record(target, "invite accepted → instance admin", "202");

          // Model lists, quota, each CLI's hello probe and a run: only the gateway, only with the gateway key.
          const calls = provokeOutbound(cluster, base, { ...headers, Cookie: cookie }, recorder);
          const secretValues = Object.fromEntries(
            Object.entries(secrets).flatMap(([name, keys]) =>
              Object.entries(keys)
                .filter(([key, value]) => value === testSecret(name, key))
                .map(([key, value]) => [`${name}/${key}`, value]),
            ),
          );
          const rule = {
            gateway: new URL(paperclipEnv.ANTHROPIC_BASE_URL!),
            gatewayKey: paperclipEnv.GATEWAY_API_KEY!,
            secrets: secretValues,
            paperclip: new URL(publicUrl),
            proxy: paperclipEnv.HTTPS_PROXY,
          };
          expect(judgeOutbound(calls, rule)).toEqual([]);
          record(
            target,
            "outbound: model lists, claude probes and runs",
            "gateway only, gateway key only (quota, codex probe: no credential)",
          );
          expect(codexRunProblems(calls)).toEqual([]);
          record(target, "outbound: codex runs", "refused by Paperclip (no Codex credentials), nothing sent");
        }

        // config.json on the volume: node's, 0600, with the connection string doctor reads; data paths explicit.
        const configPath = join(volume, paperclipEnv.PAPERCLIP_CONFIG!.slice(paperclipEnv.PAPERCLIP_HOME!.length + 1));
        const config = JSON.parse(readFileSync(configPath, "utf8")) as { database: { connectionString?: string } };
        expect(config.database.connectionString).toBe(containerEnv(configure, secrets).DATABASE_URL);
        expect(statSync(configPath).mode & 0o777).toBe(0o600);
        expect(statSync(configPath).uid).toBe(paperclip.securityContext.runAsUser);
        expect(readdirSync(volume)).not.toContain(".paperclip");
        record(target, "config.json on the volume (0600, uid 1000, connection string)", "ok");

        // doctor, as an operator runs it in the Paperclip container (its env, its user, its volume).
        const doctorContainer = {
          ...paperclip,
          command: ["timeout", "20", "/usr/local/bin/node"],
          args: ["cli/node_modules/tsx/dist/cli.mjs", "cli/src/index.ts", "doctor"],
        };
        const doctor = await runToEnd(run(doctorContainer, pod, { ...paperclipEnv, NO_COLOR: "1" }), 60_000);
        const summary = doctorSummary(doctor.output);
        expect(summary, doctor.output).toBeDefined();
        expect(summary!.failed, doctor.output).toBe(0);
        record(target, "paperclipai doctor", `${summary!.passed} passed, 0 failed`);

        // Restart: the pod again, on the same volume and database.
        const stopped = await first.server.stop();
        expect(stopped, first.server.stdout).not.toBeNull();
        const second = await startPod();
        expect(second.init.output).toContain(`configure: kept the existing ${paperclipEnv.PAPERCLIP_CONFIG}`);
        expect(JSON.parse(readiness().body)).toMatchObject({ status: "ok", bootstrapStatus: "ready" });
        const signIn = curl(cluster, `${base}/api/auth/sign-in/email`, {
          method: "POST",
          headers,
          body: { email: "first-admin@example.com", password: "correct-horse-battery-staple" },
        });
        expect(signIn.status).toBe(200);
        const again = await firstAdminJob();
        expect(again.status, again.output).toBe(0);
        expect(again.output).toContain("already has an admin");
        const renewedAgain = await renewal();
        expect(renewedAgain.status, renewedAgain.output).toBe(0);
        expect(renewedAgain.output).toContain("already has an admin");
        expect(renewedAgain.output).not.toContain("Invite URL");
        record(target, "restart keeps config, data, admin", "ok (sign-in 200, Job and CronJob: admin exists)");
        await second.server.stop();
      },
      TEST_TIMEOUT_MS,
    );
  });
}
