import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it, type TestContext } from "vitest";
import { shellcheckValidator } from "../../cli/validators";
import { requireTool } from "../../cli/validators/testSupport";
import { LocalPostgres, requirePostgres } from "../../test/support/localPostgres";
import { BOOTSTRAP_ADMIN_SCRIPT, CONFIGURE_INSTANCE_SCRIPT, DATABASE_INIT_SCRIPT } from "./scripts";

const work = mkdtempSync(join(tmpdir(), "k8s-scripts-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function writeScript(name: string, text: string): string {
  const path = join(work, name);
  writeFileSync(path, text);
  return path;
}

/** Runs a script with /bin/sh (dash on Debian, busybox ash in Alpine: POSIX either way). */
function sh(script: string, env: Record<string, string>) {
  const result = spawnSync("/bin/sh", [script], { encoding: "utf8", env: { PATH: process.env.PATH!, ...env } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe.each([
  ["configure-instance.sh", CONFIGURE_INSTANCE_SCRIPT],
  ["database-init.sh", DATABASE_INIT_SCRIPT],
  ["bootstrap-admin.sh", BOOTSTRAP_ADMIN_SCRIPT],
])("%s", (name, text) => {
  it("passes shellcheck at its strictest", async (context) => {
    requireTool(context, "shellcheck");
    const result = await shellcheckValidator({ file: writeScript(name, text) });
    expect(result.message).toBe("no findings");
    expect(result.status).toBe("passed");
  });
});

describe("the configure init step", () => {
  const script = writeScript("configure.sh", CONFIGURE_INSTANCE_SCRIPT);
  const home = join(work, "paperclip");
  const instance = join(home, "instances", "default");
  const template = join(work, "config-template.json");
  const databaseUrl = (password: string) => `postgres://paperclip:${password}@db.example.svc.cluster.local:5432/paperclip`;
  const env = (jwt: string, password = "c".repeat(64)) => ({
    PAPERCLIP_CONFIG: join(instance, "config.json"),
    PAPERCLIP_CONFIG_TEMPLATE: template,
    PAPERCLIP_AGENT_JWT_SECRET: jwt,
    DATABASE_URL: databaseUrl(password),
  });
  const withUrl = (config: object, password = "c".repeat(64)) =>
    `${JSON.stringify({ ...config, database: { mode: "postgres", connectionString: databaseUrl(password) } }, null, 2)}\n`;

  it("writes config.json and the agent JWT secret on first boot, private to the node user", () => {
    writeFileSync(template, '{"$meta":{"version":1}}\n');
    const run = sh(script, env("a".repeat(64)));
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    expect(readFileSync(join(instance, "config.json"), "utf8")).toBe(withUrl({ $meta: { version: 1 } }));
    expect(readFileSync(join(instance, ".env"), "utf8")).toBe(`PAPERCLIP_AGENT_JWT_SECRET=${"a".repeat(64)}\n`);
    expect(statSync(join(instance, "config.json")).mode & 0o777).toBe(0o600);
    expect(statSync(join(instance, ".env")).mode & 0o777).toBe(0o600);
  });

  it("keeps an existing config.json but its connection string, and replaces only the JWT line of .env when the secret rotates", () => {
    writeFileSync(join(instance, "config.json"), '{"edited":"by an operator"}\n');
    writeFileSync(join(instance, ".env"), `OTHER=1\nPAPERCLIP_AGENT_JWT_SECRET=${"a".repeat(64)}\nLAST=2\n`);
    writeFileSync(template, '{"$meta":{"version":1},"new":true}\n');
    const run = sh(script, env("b".repeat(64), "d".repeat(64)));
    expect(run.status).toBe(0);
    expect(run.stdout).toContain("kept the existing");
    expect(run.stdout).toContain("set the database URL in");
    expect(readFileSync(join(instance, "config.json"), "utf8")).toBe(withUrl({ edited: "by an operator" }, "d".repeat(64)));
    expect(statSync(join(instance, "config.json")).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(instance, ".env"), "utf8")).toBe(`OTHER=1\nLAST=2\nPAPERCLIP_AGENT_JWT_SECRET=${"b".repeat(64)}\n`);
  });

  it("changes nothing when run again", () => {
    const before = readFileSync(join(instance, ".env"), "utf8");
    const config = readFileSync(join(instance, "config.json"), "utf8");
    const run = sh(script, env("b".repeat(64), "d".repeat(64)));
    expect(run.status).toBe(0);
    expect(run.stdout).not.toContain("set the agent JWT secret");
    expect(run.stdout).not.toContain("set the database URL in");
    expect(readFileSync(join(instance, ".env"), "utf8")).toBe(before);
    expect(readFileSync(join(instance, "config.json"), "utf8")).toBe(config);
  });

  it("refuses to run without DATABASE_URL (doctor would fail on the file it leaves)", () => {
    const { DATABASE_URL: _, ...rest } = env("b".repeat(64));
    const run = sh(script, rest);
    expect(run.status).toBe(1);
    expect(run.stderr).toBe("configure: DATABASE_URL is not set\n");
  });
});

describe("the first-admin Job", () => {
  it("succeeds without creating an invite when Paperclip already has an admin", () => {
    const bin = join(work, "fake-bin");
    mkdirSync(bin, { recursive: true });
    // A curl that answers the health check the way an authenticated Paperclip with an admin does.
    writeFileSync(
      join(bin, "curl"),
      `#!/bin/sh\nprintf '%s' '{"status":"ok","deploymentMode":"authenticated","bootstrapStatus":"ready","bootstrapInviteActive":false}'\n`,
    );
    chmodSync(join(bin, "curl"), 0o755);
    const script = writeScript("bootstrap.sh", BOOTSTRAP_ADMIN_SCRIPT);
    const run = spawnSync("/bin/sh", [script], {
      encoding: "utf8",
      env: {
        PATH: `${bin}:${process.env.PATH}`,
        PAPERCLIP_HEALTH_URL: "http://paperclip:3100/api/health",
        PAPERCLIP_PUBLIC_URL: "https://p.example",
        PAPERCLIP_CONFIG: "/nonexistent",
        DATABASE_URL: "postgres://x",
      },
    });
    expect(run.stderr).toBe("");
    expect(run.stdout).toBe("bootstrap: Paperclip already has an admin; no invite created.\n");
    expect(run.status).toBe(0);
  });
});

describe("the database-init Job, against a real PostgreSQL", () => {
  let server: LocalPostgres | undefined;
  /** One server for the tests below, started by the first (which skips or fails without PostgreSQL). */
  const serverFor = async (context: TestContext): Promise<LocalPostgres> => {
    const bin = requirePostgres(context);
    server ??= await LocalPostgres.start(bin);
    return server;
  };
  const script = writeScript("database-init.sh", DATABASE_INIT_SCRIPT);
  // Quotes, a backslash and a Kubernetes-style $(…) must all reach SQL as data.
  const password = `it's "odd" \\ $(whoami)`;
  const run = (ownerPassword: string) =>
    sh(script, {
      ...server!.adminEnv(),
      PAPERCLIP_DATABASE: "paperclip",
      PAPERCLIP_DATABASE_USER: "paperclip",
      PAPERCLIP_DATABASE_PASSWORD: ownerPassword,
    });

  afterAll(() => server?.stop());

  it("creates the role, a database it owns, and pg_trgm and fuzzystrmatch", async (context) => {
    await serverFor(context);
    const first = run(password);
    expect(first.stderr).toBe("");
    expect(first.status).toBe(0);
    expect(server!.query("SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = 'paperclip'", "postgres")).toBe("paperclip");
    expect(server!.query("SELECT string_agg(extname, ',' ORDER BY extname) FROM pg_extension", "paperclip", "paperclip", password)).toBe(
      "fuzzystrmatch,pg_trgm,plpgsql",
    );
    expect(server!.query("SELECT rolsuper FROM pg_roles WHERE rolname = 'paperclip'", "postgres")).toBe("f");
  });

  it("runs again without error, and a new password replaces the old one (rotation)", async (context) => {
    await serverFor(context);
    expect(run(password)).toMatchObject({ status: 0, stderr: "" });
    const rotated = run("new-password-hex");
    expect(rotated).toMatchObject({ status: 0, stderr: "" });
    expect(server!.query("SELECT current_user", "paperclip", "paperclip", "new-password-hex")).toBe("paperclip");
    expect(() => server!.query("SELECT 1", "paperclip", "paperclip", password)).toThrow(/password authentication failed/);
  });

  it("fails, naming the owner, when the database exists but is not Paperclip's (no usable database was made)", async (context) => {
    await serverFor(context);
    // Someone else made it: owned by the administrator, so (PostgreSQL ≥ 15) Paperclip's role may
    // not create tables in its public schema, and its migrations would fail.
    server!.query("CREATE DATABASE premade", "postgres");
    const result = sh(script, {
      ...server!.adminEnv(),
      PAPERCLIP_DATABASE: "premade",
      PAPERCLIP_DATABASE_USER: "paperclip",
      PAPERCLIP_DATABASE_PASSWORD: "new-password-hex",
    });
    expect(result.status).toBe(1);
    expect(result.stdout).not.toContain("is ready");
    expect(result.stderr).toContain("database-init: premade exists but paperclip cannot create tables in its public schema");
    expect(result.stderr).toContain("(database owner: postgres)");
  });

  it("fails when Paperclip's role cannot log in to its database", async (context) => {
    await serverFor(context);
    server!.query("CREATE DATABASE locked OWNER postgres", "postgres");
    server!.query("REVOKE CONNECT ON DATABASE locked FROM PUBLIC", "postgres");
    const result = sh(script, {
      ...server!.adminEnv(),
      PAPERCLIP_DATABASE: "locked",
      PAPERCLIP_DATABASE_USER: "paperclip",
      PAPERCLIP_DATABASE_PASSWORD: "new-password-hex",
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("database-init: paperclip cannot log in to locked");
  });
});
