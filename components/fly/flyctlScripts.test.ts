/**
 * The flyctl scripts, shellchecked and run as @pulumi/command runs them (`/bin/sh -c <script>`,
 * values in the environment, secrets on stdin) against a flyctl double that records every call.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { shellcheckValidator } from "../../cli/validators";
import { requireTool } from "../../cli/validators/testSupport";
import {
  APP_SCRIPT,
  DEPLOY_SCRIPT,
  DEPLOYED_MARKER,
  FLY_BUILD_FILES,
  flyctlStepOf,
  PRIVATE_IP_SCRIPT,
  SECRETS_SCRIPT,
  VOLUME_SCRIPT,
} from "./flyctlScripts";

const FAKE_BIN = join(__dirname, "fixtures", "flyctl-bin");
const TOKEN = "FlyV1 fm2_faketoken0123456789";
const directories: string[] = [];
afterAll(() => {
  for (const directory of directories) rmSync(directory, { recursive: true, force: true });
});

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
  calls: string[];
  logs: string;
}

function run(script: string, env: Record<string, string>, stdin = ""): Run {
  const logs = mkdtempSync(join(tmpdir(), "flyctl-"));
  directories.push(logs);
  const result = spawnSync("/bin/sh", ["-c", script], {
    input: stdin,
    encoding: "utf8",
    env: {
      PATH: [FAKE_BIN, dirname(process.execPath), "/usr/bin", "/bin"].join(":"),
      FAKE_LOG_DIR: logs,
      FLY_API_TOKEN: TOKEN,
      FLY_APP: "sodimo-paperclip",
      ...env,
    },
  });
  const log = join(logs, "flyctl.log");
  return {
    status: result.status,
    stdout: result.stdout,
    stderr: result.stderr,
    calls: existsSync(log) ? readFileSync(log, "utf8").split("\n").filter(Boolean) : [],
    logs,
  };
}

describe("the flyctl scripts", () => {
  const scripts = {
    app: APP_SCRIPT,
    volume: VOLUME_SCRIPT,
    "private-ip": PRIVATE_IP_SCRIPT,
    secrets: SECRETS_SCRIPT,
    deploy: DEPLOY_SCRIPT,
  };

  test.for(Object.entries(scripts))("the %s script has no shellcheck findings", async ([step, script], context) => {
    requireTool(context, "shellcheck");
    const directory = mkdtempSync(join(tmpdir(), "flyctl-script-"));
    directories.push(directory);
    const file = join(directory, `${step}.sh`);
    writeFileSync(file, script);
    expect(await shellcheckValidator({ file, shell: "sh" })).toMatchObject({ status: "passed" });
    expect(flyctlStepOf(script)).toBe(step);
  });

  test("every script refuses to run without the API token, naming it", () => {
    const result = run(APP_SCRIPT, { FLY_API_TOKEN: "", FLY_ORG: "sodimo" });
    expect(result.status).toBe(1);
    expect(result.stderr).toBe("flyctl app: FLY_API_TOKEN is not set\n");
    expect(result.calls).toEqual([]);
  });
});

describe("app", () => {
  test("creates the app in its organization when it does not exist", () => {
    const result = run(APP_SCRIPT, { FLY_ORG: "sodimo", FAKE_FLY_APPS_JSON: '[{"Name":"someone-else"}]' });
    expect(result.status).toBe(0);
    expect(result.calls).toEqual(["flyctl apps list --json", "flyctl apps create sodimo-paperclip --org sodimo"]);
  });

  test("leaves an existing app alone (either JSON spelling)", () => {
    for (const apps of ['[{"Name":"sodimo-paperclip"}]', '[{"name":"sodimo-paperclip"}]']) {
      const result = run(APP_SCRIPT, { FLY_ORG: "sodimo", FAKE_FLY_APPS_JSON: apps });
      expect(result.calls).toEqual(["flyctl apps list --json"]);
      expect(result.stdout).toBe("app sodimo-paperclip exists\n");
    }
  });
});

describe("volume", () => {
  const env = { FLY_VOLUME: "paperclip_data", FLY_REGION: "cdg", FLY_VOLUME_SIZE_GB: "3" };

  test("creates the volume in the region, with its size, without a prompt", () => {
    const result = run(VOLUME_SCRIPT, { ...env, FAKE_FLY_VOLUMES_JSON: "[]" });
    expect(result.status).toBe(0);
    expect(result.calls.at(-1)).toBe("flyctl volumes create paperclip_data --app sodimo-paperclip --region cdg --size 3 --yes");
  });

  test("leaves the declared volume alone, whatever flyctl's JSON spelling", () => {
    for (const volumes of [
      '[{"id":"vol_1","name":"paperclip_data","size_gb":3,"region":"cdg"}]',
      '[{"ID":"vol_1","Name":"paperclip_data","SizeGb":3,"Region":"cdg"}]',
    ]) {
      const result = run(VOLUME_SCRIPT, { ...env, FAKE_FLY_VOLUMES_JSON: volumes });
      expect(result.status).toBe(0);
      expect(result.calls).toEqual(["flyctl volumes list --app sodimo-paperclip --json"]);
    }
  });

  test("fails on a volume that is not the declared one", () => {
    const resized = run(VOLUME_SCRIPT, {
      ...env,
      FAKE_FLY_VOLUMES_JSON: '[{"id":"vol_1","name":"paperclip_data","size_gb":1,"region":"cdg"}]',
    });
    expect(resized.status).toBe(1);
    expect(resized.stderr).toBe(
      "flyctl volume: volume vol_1 has 1 GB, but flyVolumeSizeGb is 3: extend it (flyctl volumes extend vol_1 --size 3) or set flyVolumeSizeGb to 1 (volumes never shrink)\n",
    );
    const elsewhere = run(VOLUME_SCRIPT, {
      ...env,
      FAKE_FLY_VOLUMES_JSON: '[{"id":"vol_1","name":"paperclip_data","size_gb":3,"region":"sjc"}]',
    });
    expect(elsewhere.stderr).toBe("flyctl volume: volume vol_1 is in sjc, but the stack's region (flyRegion) is cdg\n");
    const twice = run(VOLUME_SCRIPT, {
      ...env,
      FAKE_FLY_VOLUMES_JSON: '[{"id":"vol_1","name":"paperclip_data","size_gb":3},{"id":"vol_2","name":"paperclip_data","size_gb":3}]',
    });
    expect(twice.status).toBe(1);
    expect(twice.stderr).toContain("the app has several volumes named paperclip_data");
    expect([resized, elsewhere, twice].flatMap((r) => r.calls).filter((call) => call.includes("create"))).toEqual([]);
  });
});

describe("private-ip", () => {
  test("allocates the private (Flycast) address when the app has none", () => {
    const result = run(PRIVATE_IP_SCRIPT, { FAKE_FLY_IPS_JSON: "[]" });
    expect(result.status).toBe(0);
    expect(result.calls).toEqual([
      "flyctl ips list --app sodimo-paperclip --json",
      "flyctl ips allocate-v6 --private --app sodimo-paperclip",
    ]);
  });

  test("allocates nothing when the private address exists", () => {
    const result = run(PRIVATE_IP_SCRIPT, { FAKE_FLY_IPS_JSON: '[{"Type":"private_v6","Address":"fdaa:0:1::3"}]' });
    expect(result.calls).toEqual(["flyctl ips list --app sodimo-paperclip --json"]);
  });

  test("fails when any public address is allocated, and allocates nothing", () => {
    const result = run(PRIVATE_IP_SCRIPT, {
      FAKE_FLY_IPS_JSON: '[{"type":"shared_v4","address":"66.241.124.1"},{"type":"v6","address":"2a09:8280:1::1"}]',
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toBe(
      "flyctl private-ip: the app has public addresses (66.241.124.1 2a09:8280:1::1): this stack is private (Tailscale only); release them with flyctl ips release <address> --app sodimo-paperclip\n",
    );
    expect(result.calls).toEqual(["flyctl ips list --app sodimo-paperclip --json"]);
  });
});

describe("secrets", () => {
  const stdin = "ANTHROPIC_AUTH_TOKEN=sk-gateway-123\nBETTER_AUTH_SECRET=" + "ab".repeat(32) + "\n";
  const env = { FLY_SECRET_NAMES: "ANTHROPIC_AUTH_TOKEN BETTER_AUTH_SECRET" };

  test("stages the values from stdin, and no value or token reaches a command line", () => {
    const result = run(
      SECRETS_SCRIPT,
      { ...env, FAKE_FLY_SECRETS_JSON: '[{"Name":"ANTHROPIC_AUTH_TOKEN"},{"Name":"BETTER_AUTH_SECRET"}]' },
      stdin,
    );
    expect(result.status).toBe(0);
    expect(readFileSync(join(result.logs, "secrets-import.stdin"), "utf8")).toBe(stdin);
    expect(result.calls).toEqual([
      "flyctl secrets import --stage --app sodimo-paperclip",
      "flyctl secrets list --app sodimo-paperclip --json",
    ]);
    for (const secret of ["sk-gateway-123", "ab".repeat(32), TOKEN])
      expect(result.calls.join("\n") + result.stdout + result.stderr).not.toContain(secret);
  });

  test("unsets (staged) every secret the stack no longer declares", () => {
    const listed = '[{"name":"ANTHROPIC_AUTH_TOKEN"},{"name":"BETTER_AUTH_SECRET"},{"name":"CLAUDE_CODE_OAUTH_TOKEN"},{"name":"OLD_KEY"}]';
    const result = run(SECRETS_SCRIPT, { ...env, FAKE_FLY_SECRETS_JSON: listed }, stdin);
    expect(result.status).toBe(0);
    expect(result.calls.at(-1)).toBe("flyctl secrets unset --stage --app sodimo-paperclip CLAUDE_CODE_OAUTH_TOKEN OLD_KEY");
  });
});

describe("deploy", () => {
  const files = {
    FLY_BUILD_FLY_TOML: 'app = "sodimo-paperclip"\n',
    FLY_BUILD_DOCKERFILE: "FROM docker.io/library/node:24.21.0-trixie-slim\n",
    FLY_BUILD_START_SH: "#!/bin/sh\necho 'quotes $HOME `and` \\backslashes'\n",
    FLY_BUILD_CONFIG_JSON: '{\n  "$meta": {"version": 1}\n}\n',
    FLY_BUILD_CLAUDE_MANAGED_SETTINGS_JSON: '{\n  "env": {"CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1"}\n}\n',
  };
  const env = { ...files, FLY_DEPLOY_HASH: "d".repeat(64) };

  test("writes the build context from the environment, byte for byte, and deploys one machine without public IPs", () => {
    const result = run(DEPLOY_SCRIPT, env);
    expect(result.status).toBe(0);
    const deploy = result.calls.at(-1)!;
    const context = /^flyctl deploy (\S+) /.exec(deploy)![1]!;
    expect(deploy).toBe(
      `flyctl deploy ${context} --config ${context}/fly.toml --app sodimo-paperclip --remote-only --ha=false --no-public-ips`,
    );
    expect(readdirSync(join(result.logs, "context")).sort()).toEqual(FLY_BUILD_FILES.map((f) => f.file).sort());
    for (const { file, env: name } of FLY_BUILD_FILES) expect(readFileSync(join(result.logs, "context", file), "utf8")).toBe(files[name]);
    expect(existsSync(context)).toBe(false);
    expect(result.stdout.trim().split("\n").at(-1)).toBe(`${DEPLOYED_MARKER} ${"d".repeat(64)}`);
  });

  test("does not redeploy what the previous run deployed (an update that only changed the API token)", () => {
    const first = run(DEPLOY_SCRIPT, env);
    const again = run(DEPLOY_SCRIPT, { ...env, PULUMI_COMMAND_STDOUT: first.stdout });
    expect(again.status).toBe(0);
    expect(again.calls).toEqual([]);
    expect(again.stdout).toBe(
      `the build and its secrets are unchanged since the last deployment: not redeploying\n${DEPLOYED_MARKER} ${"d".repeat(64)}\n`,
    );
    const changed = run(DEPLOY_SCRIPT, { ...env, FLY_DEPLOY_HASH: "e".repeat(64), PULUMI_COMMAND_STDOUT: first.stdout });
    expect(changed.calls.filter((call) => call.startsWith("flyctl deploy"))).toHaveLength(1);
  });
});
