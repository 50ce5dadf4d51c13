import { spawn } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listD1Migrations } from "../../apps/d1/migrations";
import { shellcheckValidator } from "../../cli/validators";
import { requireTool } from "../../cli/validators/testSupport";
import { d1MigrationBundle, d1MigrationsScript, migratedDatabase, WRANGLER_ENVIRONMENT } from "./d1Migrations";

const LEDGER = listD1Migrations().find((set) => set.database === "ledger")!.files;
const DATABASE_ID = "08d36d65-b59f-4918-a763-7ad4ffc0643a";

describe("the deploy-time D1 migration command", () => {
  it("is one fixed script per database, marked with the database it migrates", () => {
    const script = d1MigrationsScript("harness-run-ledger");
    expect(script).toMatchSnapshot();
    expect(migratedDatabase(script)).toBe("harness-run-ledger");
    expect(migratedDatabase("# harness:file x\nset -eu\n")).toBeUndefined();
    // The credentials are the environment's; nothing on the command line can carry them.
    expect(script).not.toMatch(/CLOUDFLARE_API_TOKEN|CLOUDFLARE_ACCOUNT_ID|api-token/i);
    expect(script).toContain(
      "npx --no-install wrangler d1 migrations apply 'harness-run-ledger' --remote --config \"$work/wrangler.json\"",
    );
  });

  it("passes shellcheck", async (context) => {
    requireTool(context, "shellcheck");
    const dir = mkdtempSync(path.join(tmpdir(), "d1-script-"));
    try {
      const file = path.join(dir, "apply-migrations.sh");
      writeFileSync(file, d1MigrationsScript("harness-run-ledger"));
      const result = await shellcheckValidator({ file });
      expect(result.message).toBe("no findings");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("hands wrangler a config naming the database and every migration, in order, byte for byte", () => {
    const bundle = d1MigrationBundle("harness-run-ledger", DATABASE_ID, LEDGER);
    expect(bundle.wrangler.d1_databases).toEqual([
      { binding: "DB", database_name: "harness-run-ledger", database_id: DATABASE_ID, migrations_dir: "migrations" },
    ]);
    expect(bundle.migrations).toEqual(LEDGER.map((file) => ({ name: file.name, sql: file.sql })));
    expect(bundle.migrations.length).toBeGreaterThan(0);
  });

  it("refuses a database name that is not a plain name", () => {
    expect(() => d1MigrationsScript("ledger'; rm -rf ~; '")).toThrow('D1 database name must be lower-case letters, digits and "-"');
    expect(() => d1MigrationBundle("Ledger", DATABASE_ID, LEDGER)).toThrow('D1 database name must be lower-case letters, digits and "-"');
  });
});

/**
 * The script itself, run the way the command provider runs it (`/bin/sh -c`, stdin, environment), in a
 * project whose `wrangler` is a recorder in front of the pinned one: it notes its argv and whether it
 * received the token, then runs the real wrangler against a throwaway local D1 (`--remote` becomes
 * `--local`, the only change). So the unpacking, the generated config and the wrangler invocation are
 * all real; only Cloudflare's API is not.
 */
describe("the deploy-time D1 migration command, run against a local D1", () => {
  const TOKEN = "test-token-4f0c9a3b7e1d2c6a8b5f";
  const DATABASE = "harness-run-ledger";
  const WRANGLER = path.resolve(__dirname, "../../node_modules/wrangler/bin/wrangler.js");
  let project: string;
  const runs: Array<{ exitCode: number | null; stdout: string; stderr: string }> = [];

  beforeAll(async () => {
    project = mkdtempSync(path.join(tmpdir(), "d1-applier-"));
    writeFileSync(path.join(project, "package.json"), '{ "name": "d1-applier-test", "private": true }\n');
    mkdirSync(path.join(project, "node_modules", ".bin"), { recursive: true });
    const recorder = path.join(project, "node_modules", ".bin", "wrangler");
    writeFileSync(
      recorder,
      [
        "#!/usr/bin/env node",
        'const { spawnSync } = require("child_process");',
        'const fs = require("fs");',
        "const args = process.argv.slice(2);",
        "const log = { argv: args, tokenInEnvironment: process.env.CLOUDFLARE_API_TOKEN === process.env.EXPECTED_TOKEN };",
        'fs.appendFileSync(process.env.RECORDER_LOG, JSON.stringify(log) + "\\n");',
        'const local = args.flatMap((a) => (a === "--remote" ? ["--local", "--persist-to", process.env.LOCAL_STATE] : [a]));',
        'const run = spawnSync(process.execPath, [process.env.REAL_WRANGLER, ...local], { stdio: "inherit" });',
        "process.exit(run.status === null ? 1 : run.status);",
        "",
      ].join("\n"),
    );
    chmodSync(recorder, 0o755);

    const stdin = JSON.stringify(d1MigrationBundle(DATABASE, DATABASE_ID, LEDGER));
    for (let i = 0; i < 2; i++) runs.push(await runScript(d1MigrationsScript(DATABASE), stdin));
  });
  afterAll(() => rmSync(project, { recursive: true, force: true }));

  function runScript(script: string, stdin: string): Promise<{ exitCode: number | null; stdout: string; stderr: string }> {
    return new Promise((resolve, reject) => {
      const child = spawn("/bin/sh", ["-c", script], {
        cwd: project,
        detached: true,
        env: {
          PATH: process.env.PATH,
          HOME: project,
          ...WRANGLER_ENVIRONMENT,
          WRANGLER_LOG_PATH: path.join(project, "logs"),
          NO_COLOR: "1",
          CLOUDFLARE_ACCOUNT_ID: "5d1c7a3e9b2f4e6a8c0d1b3f5a7e9c2d",
          CLOUDFLARE_API_TOKEN: TOKEN,
          EXPECTED_TOKEN: TOKEN,
          RECORDER_LOG: path.join(project, "recorder.log"),
          REAL_WRANGLER: WRANGLER,
          LOCAL_STATE: path.join(project, "state"),
        },
        stdio: ["pipe", "pipe", "pipe"],
      });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
      child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
      child.on("error", reject);
      child.on("close", (exitCode) => {
        // wrangler may leave workerd children: end the whole group.
        try {
          process.kill(-child.pid!, "SIGKILL");
        } catch {
          // already gone
        }
        resolve({ exitCode, stdout, stderr });
      });
      child.stdin.end(stdin);
    });
  }

  it("applies every migration the first time", () => {
    expect(runs[0]!.exitCode, runs[0]!.stderr).toBe(0);
    for (const { name } of LEDGER) expect(runs[0]!.stdout).toMatch(new RegExp(`${name}\\s*│\\s*✅`));
  });

  it("finds nothing to apply the second time", () => {
    expect(runs[1]!.exitCode, runs[1]!.stderr).toBe(0);
    expect(runs[1]!.stdout).toContain("No migrations to apply!");
  });

  it("gives wrangler the token through its environment and never on its command line", () => {
    const calls = readFileSync(path.join(project, "recorder.log"), "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { argv: string[]; tokenInEnvironment: boolean });
    expect(calls).toHaveLength(2);
    for (const call of calls) {
      expect(call.tokenInEnvironment).toBe(true);
      expect(call.argv.slice(0, 6)).toEqual(["d1", "migrations", "apply", DATABASE, "--remote", "--config"]);
      expect(call.argv.join(" ")).not.toContain(TOKEN);
    }
  });

  it("cleans up its temporary wrangler config", () => {
    const calls = readFileSync(path.join(project, "recorder.log"), "utf8").trim().split("\n");
    const configPath = (JSON.parse(calls[0]!) as { argv: string[] }).argv[6]!;
    expect(configPath).toMatch(/wrangler\.json$/);
    expect(() => readFileSync(configPath)).toThrow();
  });
});
