/**
 * What an agent's process holds, on every target (docs/agent-environment.md). Each target's Paperclip
 * server environment is built from what the stack renders — fedora: the paperclip unit's
 * Environment= and its env-type Secret= (test values); fly: fly.toml [env] and the Fly secrets (test
 * values), passed through the real start.sh, which runs up to Paperclip's start; sealos, homelab: the
 * Paperclip container's env with Secret references resolved to test values. Each is handed to the real
 * spawn path of the installed Paperclip (runChildProcess of @paperclipai/adapter-utils, on its Node 24,
 * test/support/agentSpawnProbe.mjs), which starts a process that prints the environment it received.
 *
 * Doubles, because these cannot run here: on fly, tailscale/tailscaled/runuser/chown (start.sh's own
 * tests' doubles) and `paperclipai`, replaced by a script that records the environment start.sh starts
 * it with and exits (the real boot is test/paperclipAcceptance.test.ts).
 */
import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse as parseToml } from "smol-toml";
import { afterAll, beforeAll, describe, expect, it, type TestContext } from "vitest";
import { isCi } from "../cli/validators/tools";
import { planFly } from "../infra/targets/fly/flyPlan";
import { containers, recordFedora, unitValues } from "./support/fedoraStack";
import { prepareTemporaryFlyMachine, temporaryFlyMachineEnvironment } from "../components/fly/testSupport/temporaryFlyMachine";
import { flyStackConfig, REPO_ROOT } from "./support/flyConfig";
import { container, kubernetesObjects, recordKubernetesStack, type Manifest } from "./support/kubernetesObjects";
import { PAPERCLIP_TOOLS_BIN } from "./support/paperclipNamespace";

const ADAPTER_UTILS = join(REPO_ROOT, ".tools", "paperclip", "node_modules", "@paperclipai", "adapter-utils", "dist", "server-utils.js");
const PROBE = join(__dirname, "support", "agentSpawnProbe.mjs");

/**
 * This test's own list (not the program's) of what an agent may hold: what any process has, the
 * gateway (URL and key), the egress proxy, the company's MCP endpoint, Paperclip's own runtime
 * variables, and settings that are no secret.
 */
const ALLOWED = new Set([
  "PATH",
  "HOME",
  "PWD",
  "SHLVL",
  "_",
  "LANG",
  "NODE_ENV",
  "HOST",
  "PORT",
  "SERVE_UI",
  "DO_NOT_TRACK",
  "ANTHROPIC_BASE_URL",
  "OPENAI_BASE_URL",
  "ANTHROPIC_API_KEY",
  "GATEWAY_API_KEY",
  "HTTP_PROXY",
  "HTTPS_PROXY",
  "http_proxy",
  "https_proxy",
  "NO_PROXY",
  "no_proxy",
  "NODE_USE_ENV_PROXY",
  "HARNESS_MCP_URL",
  "HARNESS_MCP_ACCESS_CLIENT_ID",
  "HARNESS_MCP_ACCESS_CLIENT_SECRET",
  "CODEX_HOME",
  "PAPERCLIP_RUNTIME_API_URL",
  "PAPERCLIP_LISTEN_HOST",
  "PAPERCLIP_LISTEN_PORT",
]);
/** Of those, the ones that hold a secret an agent is meant to have: the gateway's key, the MCP token. */
const AGENT_SECRETS = new Set(["ANTHROPIC_API_KEY", "GATEWAY_API_KEY", "HARNESS_MCP_ACCESS_CLIENT_ID", "HARNESS_MCP_ACCESS_CLIENT_SECRET"]);
/** Per target: fly's start-script settings (no secret); homelab's agents' web-search key (an agent tool). */
const TARGET_ALLOWED: Record<string, { plain: RegExp[]; secrets: string[] }> = {
  fedora: { plain: [], secrets: [] },
  fly: {
    plain: [/^HARNESS_(SEED_CONFIG|TAILSCALE_STATE_DIR|PG_(DATA|SOCKET_DIR|HOST|PORT|USER|DATABASE))$/, /^FLY_APP_NAME$/],
    secrets: [],
  },
  sealos: { plain: [], secrets: [] },
  homelab: { plain: [], secrets: ["BRAVE_API_KEY"] },
};

/** A server environment as deployed, and which of its values are secrets (variable → test value). */
interface ServerEnvironment {
  env: Record<string, string>;
  secrets: Record<string, string>;
}

let nonce = 0;
const testSecret = (label: string) => `test-secret-${label.replace(/[^A-Za-z0-9]/g, "-")}-${(++nonce).toString(16).padStart(4, "0")}f00d`;

/** How systemd splits an assignment word: double quotes with C-style escapes, then `%%` and `$$`. */
function systemdWord(raw: string): string {
  let text = raw;
  if (text.startsWith('"') && text.endsWith('"')) {
    text = text.slice(1, -1).replace(/\\(.)/g, (_, c: string) => (c === "n" ? "\n" : c === "t" ? "\t" : c));
  }
  return text.replace(/%%|\$\$/g, (m) => m[0]!);
}

function fedoraServer(unit: string): ServerEnvironment {
  const env: Record<string, string> = {};
  for (const line of unitValues(unit, "Environment")) {
    const word = systemdWord(line);
    const eq = word.indexOf("=");
    env[word.slice(0, eq)] = word.slice(eq + 1);
  }
  const secrets: Record<string, string> = {};
  for (const line of unitValues(unit, "Secret")) {
    const match = /^([^,]+),type=env,target=([A-Za-z0-9_]+)$/.exec(line);
    if (!match) continue; // type=mount: a file (config.json), not the environment
    secrets[match[2]!] = testSecret(match[1]!);
  }
  return { env: { ...env, ...secrets }, secrets };
}

/** A Kubernetes container's environment: `$(NAME)` expanded as the kubelet does, `$$` kept as `$`. */
function kubernetesServer(c: Manifest): ServerEnvironment {
  const env: Record<string, string> = {};
  const secrets: Record<string, string> = {};
  const bySecretKey = new Map<string, string>();
  for (const entry of c.env ?? []) {
    const ref = entry.valueFrom?.secretKeyRef;
    if (ref) {
      const id = `${ref.name}/${ref.key}`;
      if (!bySecretKey.has(id)) bySecretKey.set(id, testSecret(id));
      env[entry.name] = secrets[entry.name] = bySecretKey.get(id)!;
      continue;
    }
    if (entry.valueFrom) throw new Error(`${entry.name}: a valueFrom this test does not resolve`);
    env[entry.name] = String(entry.value ?? "").replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (m, name?: string) =>
      m === "$$" ? "$" : name !== undefined && name in env ? env[name]! : m,
    );
  }
  return { env, secrets };
}

const NOBODY = 65534;
const runAsRoot = process.getuid?.() === 0;
const scratch: string[] = [];

function chownTree(path: string, uid: number): void {
  chownSync(path, uid, uid);
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    if (entry.isDirectory()) chownTree(join(path, entry.name), uid);
    else chownSync(join(path, entry.name), uid, uid);
  }
}

function postgresBinDir(): string | undefined {
  try {
    const dir = execFileSync("pg_config", ["--bindir"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    return ["initdb", "pg_ctl", "postgres", "psql"].every((tool) => existsSync(join(dir, tool))) ? dir : undefined;
  } catch {
    return undefined;
  }
}

/** Like requireTool: a loud skip on a developer machine, a failure with CI=true. */
function requireTool(context: TestContext, missing: string | undefined): void {
  if (missing === undefined) return;
  if (isCi()) throw new Error(`FAILED: ${missing} (CI=true: a missing tool fails)`);
  console.warn(`\n*** SKIPPED: ${missing} ***\n`);
  context.skip(`SKIPPED: ${missing}`);
}

/** The fly machine's environment (fly.toml [env] and the Fly secrets), run through start.sh up to Paperclip. */
function flyServer(): ServerEnvironment {
  const plan = planFly(flyStackConfig(), "fly");
  const tomlEnv = (parseToml(plan.files["fly.toml"]) as { env: Record<string, string> }).env;
  const root = mkdtempSync(join(tmpdir(), "agent-env-fly-"));
  scratch.push(root);
  const path = (...parts: string[]) => join(root, ...parts);
  prepareTemporaryFlyMachine(root, plan.files);
  // The paperclipai double: records the environment start.sh starts Paperclip with, then exits.
  writeFileSync(
    path("bin", "paperclipai"),
    `#!/bin/sh\nnode -e 'require("node:fs").writeFileSync(process.env.FAKE_LOG_DIR + "/paperclip-env.json", JSON.stringify(process.env))'\nexit 3\n`,
  );
  chmodSync(path("bin", "paperclipai"), 0o755);
  // Fly secrets in hex, as generated (start.sh requires the database password to be).
  const secrets = Object.fromEntries(plan.secrets.map((s, i) => [s.name, `${(i + 10).toString(16)}${"0123456789abcdef".repeat(4)}`]));
  const pgPort = String(20000 + (process.pid % 20000));
  const bootEnv: Record<string, string> = {
    ...tomlEnv,
    ...secrets,
    FLY_APP_NAME: plan.app,
    ...temporaryFlyMachineEnvironment(root),
    HARNESS_PG_PORT: pgPort,
    PORT: String(Number(pgPort) + 1),
    FAKE_TAILNET: new URL(plan.publicUrl).hostname.slice(plan.app.length + 1),
  };
  if (runAsRoot) chownTree(root, NOBODY);
  const boot = spawnSync("sh", [path("start.sh")], {
    cwd: root,
    env: bootEnv,
    encoding: "utf8",
    timeout: 120_000,
    ...(runAsRoot ? { uid: NOBODY, gid: NOBODY } : {}),
  });
  const recorded = path("logs", "paperclip-env.json");
  if (!existsSync(recorded)) throw new Error(`start.sh never started Paperclip:\n${boot.stdout}\n${boot.stderr}`);
  const env = JSON.parse(readFileSync(recorded, "utf8")) as Record<string, string>;
  // What only this test sets (the doubles' settings, the locale), not the machine.
  for (const name of ["FAKE_LOG_DIR", "FAKE_TAILNET", "LANG"]) delete env[name];
  env.PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  return { env, secrets };
}

/** The environment the real spawn path gives an agent CLI started by a server with this environment. */
function agentEnvironment(serverEnv: Record<string, string>): Record<string, string> {
  const out = execFileSync(join(PAPERCLIP_TOOLS_BIN, "node"), [PROBE, ADAPTER_UTILS], {
    input: JSON.stringify({ serverEnv, adapterEnv: {} }),
    encoding: "utf8",
  });
  return JSON.parse(out) as Record<string, string>;
}

/** What is wrong with an agent's environment: names outside the allow-list, secret values anywhere. */
function problems(target: string, server: ServerEnvironment, agent: Record<string, string>): string[] {
  const extra = TARGET_ALLOWED[target]!;
  const allowedName = (name: string) => ALLOWED.has(name) || extra.secrets.includes(name) || extra.plain.some((p) => p.test(name));
  const agentSecretValues = new Set(
    Object.entries(server.secrets)
      .filter(([name]) => AGENT_SECRETS.has(name) || extra.secrets.includes(name))
      .map(([, value]) => value),
  );
  const found: string[] = [];
  for (const name of Object.keys(agent).sort()) if (!allowedName(name)) found.push(`${name} is not an agent's`);
  for (const [name, secret] of Object.entries(server.secrets)) {
    if (agentSecretValues.has(secret)) continue;
    const holders = Object.entries(agent).filter(([, value]) => value.includes(secret));
    for (const [holder] of holders) found.push(`${holder} holds the value of ${name}`);
  }
  return found;
}

function installedReason(): string | undefined {
  if (!existsSync(ADAPTER_UTILS)) return "@paperclipai/adapter-utils not installed in .tools/paperclip (npm run tools)";
  if (spawnSync(join(PAPERCLIP_TOOLS_BIN, "node"), ["--version"]).status !== 0)
    return "Node 24 of .tools/paperclip not installed (npm run tools)";
  return undefined;
}

const servers: Partial<Record<string, ServerEnvironment>> = {};
beforeAll(async () => {
  servers.fedora = fedoraServer(containers((await recordFedora()).artifacts).get("paperclip")!);
  for (const stack of ["sealos", "homelab"]) {
    const workload = kubernetesObjects(await recordKubernetesStack(stack)).find(
      (o) => ["StatefulSet", "Deployment"].includes(o.manifest.kind) && o.manifest.metadata.name === "paperclip",
    )!;
    servers[stack] = kubernetesServer(container(workload.manifest.spec.template.spec, "paperclip"));
  }
}, 120_000);

afterAll(() => {
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

describe.each(["fedora", "fly", "sealos", "homelab"])("%s: an agent's environment", (target) => {
  const server = (context: TestContext): ServerEnvironment => {
    requireTool(context, installedReason());
    if (target === "fly") {
      requireTool(context, postgresBinDir() === undefined ? "PostgreSQL server not installed (apt-get install postgresql)" : undefined);
      servers.fly ??= flyServer();
    }
    return servers[target]!;
  };

  it("holds only the gateway, the egress proxy, the MCP endpoint and settings: no server secret", (context) => {
    const deployed = server(context);
    const agent = agentEnvironment(deployed.env);
    expect(problems(target, deployed, agent)).toEqual([]);
    // What agents need is there: the gateway's URL and key (its value, not a placeholder).
    expect(agent.ANTHROPIC_BASE_URL).toMatch(/^https?:\/\//);
    expect(agent.ANTHROPIC_API_KEY).toBe(deployed.secrets.ANTHROPIC_API_KEY);
    expect(agent.GATEWAY_API_KEY).toBe(deployed.secrets.GATEWAY_API_KEY);
  });

  it("the server itself holds its secrets under names Paperclip strips, and no DATABASE_URL or OPENAI_API_KEY", (context) => {
    const { env } = server(context);
    expect(
      Object.keys(env).filter((name) => /^(DATABASE_URL|BETTER_AUTH_SECRET|PG_PASSWORD|PGPASSWORD|OPENAI_API_KEY)$/.test(name)),
    ).toEqual([]);
    expect(env.PAPERCLIP_SECRETS_MASTER_KEY).toBeDefined();
    // Kubernetes: the auth secret comes from the instance's .env, written by the init container.
    if (target === "fedora" || target === "fly") expect(env.PAPERCLIP_AGENT_JWT_SECRET).toBeDefined();
    expect(JSON.parse(env.PAPERCLIP_CODEX_PROVIDERS!)).toMatchObject({ model_provider: "gateway" });
  });

  it("would catch the environment before this change (a mutation: the old variables put back)", (context) => {
    const deployed = server(context);
    const password = testSecret("db-password");
    const unfixed: ServerEnvironment = {
      env: {
        ...deployed.env,
        DATABASE_URL: `postgres://paperclip:${password}@db:5432/paperclip`,
        PG_PASSWORD: password,
        BETTER_AUTH_SECRET: testSecret("auth"),
        // A server secret under a name Paperclip does not strip.
        SECRETS_MASTER_KEY: deployed.env.PAPERCLIP_SECRETS_MASTER_KEY!,
      },
      secrets: { ...deployed.secrets, PG_PASSWORD: password, BETTER_AUTH_SECRET: "", SECRETS_MASTER_KEY: "" },
    };
    unfixed.secrets.BETTER_AUTH_SECRET = unfixed.env.BETTER_AUTH_SECRET!;
    unfixed.secrets.SECRETS_MASTER_KEY = unfixed.env.SECRETS_MASTER_KEY!;
    const found = problems(target, unfixed, agentEnvironment(unfixed.env));
    expect(found).toEqual(
      expect.arrayContaining([
        "DATABASE_URL is not an agent's",
        "PG_PASSWORD is not an agent's",
        "BETTER_AUTH_SECRET is not an agent's",
        "SECRETS_MASTER_KEY is not an agent's",
        "DATABASE_URL holds the value of PG_PASSWORD",
        "SECRETS_MASTER_KEY holds the value of PAPERCLIP_SECRETS_MASTER_KEY",
      ]),
    );
  });
});
