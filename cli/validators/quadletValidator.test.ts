import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, test, type TestContext } from "vitest";
import { GOOD_PLAIN_UNITS, GOOD_QUADLET_FILES, HOST_LEVEL_UNITS, mutate, withFile, writeUnitDir } from "./fixtures/unitFixtures";
import {
  generatedUnitNamed,
  quadletValidator,
  sourcePathOf,
  type QuadletValidation,
  type QuadletValidationOptions,
} from "./quadletValidator";
import { requireTool } from "./testSupport";
import type { ValidationResult } from "./types";

const directories: string[] = [];
afterEach(() => {
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
});

function requireQuadletTools(context: TestContext): void {
  requireTool(context, "quadlet");
  requireTool(context, "systemd-analyze");
}

async function validate(
  quadletFiles: Readonly<Record<string, string>> | undefined,
  plainUnits: Readonly<Record<string, string>> | undefined,
  options: Partial<QuadletValidationOptions> = {},
): Promise<QuadletValidation> {
  const quadletDir = quadletFiles === undefined ? undefined : writeUnitDir(quadletFiles, "quadlet-");
  const plainUnitDir = plainUnits === undefined ? undefined : writeUnitDir(plainUnits, "plain-");
  for (const directory of [quadletDir, plainUnitDir]) if (directory !== undefined) directories.push(directory);
  return quadletValidator({
    ...(quadletDir === undefined ? {} : { quadletDir }),
    ...(plainUnitDir === undefined ? {} : { plainUnitDir }),
    ...options,
  });
}

/** The result for one source file, found by file name; fails the test if there is none. */
function resultFor(validation: QuadletValidation, fileName: string): ValidationResult {
  const result = validation.results.find((candidate) => path.basename(candidate.target) === fileName);
  if (result === undefined) throw new Error(`no result for ${fileName}: ${JSON.stringify(validation.results, null, 2)}`);
  return result;
}

function execStartOf(validation: QuadletValidation, unitName: string): string {
  const unit = generatedUnitNamed(validation, unitName);
  if (unit === undefined) throw new Error(`quadlet generated no ${unitName}`);
  const line = unit.text.split("\n").find((candidate) => candidate.startsWith("ExecStart="));
  if (line === undefined) throw new Error(`${unitName} has no ExecStart=`);
  return line;
}

describe("quadletValidator on the known-good set", () => {
  test("every Quadlet file and plain unit passes, generator and verify silent", async (context) => {
    requireQuadletTools(context);
    const validation = await validate(GOOD_QUADLET_FILES, GOOD_PLAIN_UNITS);
    expect(validation.results.map((result) => [path.basename(result.target), result.status])).toEqual([
      ["caddy.container", "passed"],
      ["paperclip-data.volume", "passed"],
      ["paperclip.build", "passed"],
      ["paperclip.container", "passed"],
      ["paperclip.network", "passed"],
      ["paperclip-backup.service", "passed"],
      ["paperclip-backup.timer", "passed"],
      ["paperclip.target", "passed"],
    ]);
    // "verify clean" is only said when verify's stderr was empty and it exited 0.
    for (const result of validation.results) expect(result.message).toMatch(/verify clean$/);
    expect(validation.generatedUnits.map((unit) => unit.unitName).sort()).toEqual([
      "caddy.service",
      "paperclip-build.service",
      "paperclip-data-volume.service",
      "paperclip-network.service",
      "paperclip.service",
    ]);
  });

  test("the generated services carry what the Quadlet files asked for", async (context) => {
    requireQuadletTools(context);
    const validation = await validate(GOOD_QUADLET_FILES, undefined);
    const execStart = execStartOf(validation, "paperclip.service");
    expect(execStart).toMatch(/^ExecStart=\/usr\/bin\/podman run --name paperclip /);
    for (const fragment of [
      "--secret paperclip-api-key,type=env,target=PAPERCLIP_API_KEY",
      "--sdnotify=healthy",
      "--user 1000:1000",
      "--group-add keep-groups",
      "--read-only",
      "--security-opt=no-new-privileges",
      "--network paperclip",
      "-v paperclip-data:/data:Z",
      "-v %h/.config/paperclip:/config:ro,Z",
      "--label io.containers.autoupdate=local",
      '--health-cmd "/usr/bin/node /app/healthcheck.js"',
    ]) {
      expect(execStart).toContain(fragment);
    }
    expect(execStart).toMatch(/ localhost\/paperclip:dev$/); // Image=paperclip.build resolves to the build's tag
    const paperclip = generatedUnitNamed(validation, "paperclip.service");
    expect(paperclip?.text).toContain("Requires=paperclip-build.service");
    expect(paperclip?.sourceFile).toMatch(/paperclip\.container$/);
    expect(execStartOf(validation, "paperclip-build.service")).toContain(
      "podman build --pull=missing --tag localhost/paperclip:dev --file Containerfile",
    );
  });
});

describe("quadletValidator fails broken units and names the file", () => {
  test("an unknown Quadlet key", async (context) => {
    requireQuadletTools(context);
    const validation = await validate(mutate(GOOD_QUADLET_FILES, "paperclip.network", "Subnet=", "Subnett="), undefined);
    const result = resultFor(validation, "paperclip.network");
    expect(result.status).toBe("failed");
    expect(result.message).toContain("quadlet: unsupported key 'Subnett' in group 'Network'");
    // The generator then refuses the containers that use the network, naming them too.
    expect(resultFor(validation, "paperclip.container").message).toContain("quadlet: cannot get the resource name of paperclip.network");
    expect(resultFor(validation, "caddy.container").status).toBe("failed");
    expect(resultFor(validation, "paperclip-data.volume").status).toBe("passed");
  });

  test("an unknown key in a .container", async (context) => {
    requireQuadletTools(context);
    const validation = await validate(
      mutate(GOOD_QUADLET_FILES, "caddy.container", "ContainerName=caddy", "ContainerNamee=caddy"),
      undefined,
    );
    const result = resultFor(validation, "caddy.container");
    expect(result.status).toBe("failed");
    expect(result.message).toContain("quadlet: unsupported key 'ContainerNamee' in group 'Container'");
    expect(resultFor(validation, "paperclip.container").status).toBe("passed");
  });

  test("a value the generator rejects (RemapUsers=nonsense)", async (context) => {
    requireQuadletTools(context);
    const validation = await validate(
      mutate(GOOD_QUADLET_FILES, "caddy.container", "AutoUpdate=registry", "RemapUsers=nonsense"),
      undefined,
    );
    const result = resultFor(validation, "caddy.container");
    expect(result.status).toBe("failed");
    expect(result.message).toContain("quadlet: unsupported RemapUsers option 'nonsense'");
  });

  test("a [Service] value systemd cannot parse (Restart=sometimes)", async (context) => {
    requireQuadletTools(context);
    const validation = await validate(mutate(GOOD_QUADLET_FILES, "caddy.container", "Restart=on-failure", "Restart=sometimes"), undefined);
    const result = resultFor(validation, "caddy.container");
    expect(result.status).toBe("failed");
    expect(result.message).toMatch(
      /systemd-analyze verify of generated caddy\.service:\d+: Failed to parse service restart specifier, ignoring: sometimes/,
    );
  });

  test("a [Service] key typo (Restartt=)", async (context) => {
    requireQuadletTools(context);
    const validation = await validate(
      mutate(GOOD_QUADLET_FILES, "paperclip.container", "Restart=on-failure", "Restartt=on-failure"),
      GOOD_PLAIN_UNITS,
    );
    const result = resultFor(validation, "paperclip.container");
    expect(result.status).toBe("failed");
    expect(result.message).toMatch(
      /systemd-analyze verify of generated paperclip\.service:\d+: Unknown key 'Restartt' in section \[Service\], ignoring\./,
    );
    expect(validation.results.filter((other) => other.status === "failed")).toHaveLength(1);
  });

  test("a .container without Image=", async (context) => {
    requireQuadletTools(context);
    const validation = await validate(
      mutate(GOOD_QUADLET_FILES, "caddy.container", "Image=docker.io/library/caddy:2.8.4\n", ""),
      undefined,
    );
    const result = resultFor(validation, "caddy.container");
    expect(result.status).toBe("failed");
    expect(result.message).toContain("quadlet: no Image or Rootfs key specified");
    expect(generatedUnitNamed(validation, "caddy.service")).toBeUndefined();
  });

  test("a Requires= on a unit that does not exist", async (context) => {
    requireQuadletTools(context);
    const validation = await validate(
      mutate(GOOD_QUADLET_FILES, "caddy.container", "Requires=paperclip.service", "Requires=paperclip-db.service"),
      undefined,
    );
    const result = resultFor(validation, "caddy.container");
    expect(result.status).toBe("failed");
    // systemd 252's words: the start job cannot be built because the dependency is missing.
    expect(result.message).toContain("caddy.service: Failed to create caddy.service/start: Unit paperclip-db.service not found.");
  });

  test("a plain timer with a key typo", async (context) => {
    requireQuadletTools(context);
    const validation = await validate(GOOD_QUADLET_FILES, mutate(GOOD_PLAIN_UNITS, "paperclip-backup.timer", "OnCalendar=", "OnCalender="));
    const result = resultFor(validation, "paperclip-backup.timer");
    expect(result.validator).toBe("systemd-verify");
    expect(result.status).toBe("failed");
    expect(result.message).toMatch(/paperclip-backup\.timer:\d+: Unknown key 'OnCalender' in section \[Timer\]/);
  });

  test("a plain unit whose Requires= points at a Quadlet unit that is not generated", async (context) => {
    requireQuadletTools(context);
    const { ["paperclip.container"]: _removed, ...withoutPaperclip } = GOOD_QUADLET_FILES;
    const validation = await validate(withoutPaperclip, GOOD_PLAIN_UNITS);
    expect(resultFor(validation, "paperclip-backup.service").message).toContain("Unit paperclip.service not found");
  });

  test("an ExecStart= binary the target does not provide (typo /usr/bin/podmna)", async (context) => {
    requireQuadletTools(context);
    const validation = await validate(
      GOOD_QUADLET_FILES,
      mutate(GOOD_PLAIN_UNITS, "paperclip-backup.service", "/usr/bin/podman exec", "/usr/bin/podmna exec"),
    );
    const result = resultFor(validation, "paperclip-backup.service");
    expect(result.status).toBe("failed");
    expect(result.message).toContain("Command /usr/bin/podmna is not executable");
  });
});

describe("known blind spot of Podman 5.4's generator", () => {
  // PublishPort= is passed to `podman run --publish` verbatim (no parsing since 4.6), so a bad port
  // only fails when the container starts. If this test fails, the generator started checking it:
  // then move it to the "fails broken units" block.
  test("PublishPort=nonsense is passed through unchecked", async (context) => {
    requireQuadletTools(context);
    const validation = await validate(
      mutate(GOOD_QUADLET_FILES, "caddy.container", "PublishPort=127.0.0.1:8080:8080", "PublishPort=nonsense"),
      undefined,
    );
    expect(resultFor(validation, "caddy.container").status).toBe("passed");
    expect(execStartOf(validation, "caddy.service")).toContain("--publish nonsense");
  });
});

describe("host-level user units", () => {
  const hostExecutables = ["/usr/bin/podman", "/usr/bin/cloudflared", "/usr/bin/node", "/usr/bin/systemctl"];

  test("verify with the host's executables declared (placeholders where this machine lacks them)", async (context) => {
    requireTool(context, "systemd-analyze");
    const validation = await validate(undefined, HOST_LEVEL_UNITS, { targetExecutables: hostExecutables });
    expect(validation.results.map((result) => [path.basename(result.target), result.status])).toEqual([
      ["cloudflared.service", "passed"],
      ["email-drain.service", "passed"],
      ["email-drain.timer", "passed"],
      ["paperclip-restart.service", "passed"],
    ]);
  });

  test("an undeclared executable that this machine lacks fails its unit", async (context) => {
    requireTool(context, "systemd-analyze");
    const validation = await validate(
      undefined,
      withFile(HOST_LEVEL_UNITS, "tunnel-extra.service", "[Service]\nExecStart=/usr/bin/not-a-paperclip-binary run\n"),
      {
        targetExecutables: hostExecutables,
      },
    );
    const result = resultFor(validation, "tunnel-extra.service");
    expect(result.status).toBe("failed");
    expect(result.message).toContain("Command /usr/bin/not-a-paperclip-binary is not executable");
    expect(resultFor(validation, "cloudflared.service").status).toBe("passed");
  });
});

describe("missing tools", () => {
  // A machine without the tools: no .tools/bin and an empty PATH.
  const emptyToolsBin = () => {
    const directory = mkdtempSync(path.join(os.tmpdir(), "no-tools-"));
    directories.push(directory);
    return directory;
  };

  test("are skipped loudly on a developer machine", async () => {
    const validation = await validate(GOOD_QUADLET_FILES, undefined, { toolsBin: emptyToolsBin(), env: { PATH: "" } });
    expect(validation.results).toEqual([
      {
        validator: "quadlet",
        target: expect.any(String),
        status: "skipped",
        message: "SKIPPED: quadlet not installed — run npm run tools",
      },
    ]);
  });

  test("fail when CI=true", async () => {
    const validation = await validate(GOOD_QUADLET_FILES, undefined, { toolsBin: emptyToolsBin(), env: { PATH: "", CI: "true" } });
    expect(validation.results).toHaveLength(1);
    expect(validation.results[0]?.status).toBe("failed");
    expect(validation.results[0]?.message).toContain("quadlet not installed");
  });

  test("systemd-analyze missing fails plain units in CI too", async () => {
    const validation = await validate(undefined, GOOD_PLAIN_UNITS, { toolsBin: emptyToolsBin(), env: { PATH: "", CI: "true" } });
    expect(validation.results.map((result) => [result.validator, result.status])).toEqual([["systemd-verify", "failed"]]);
    expect(validation.results[0]?.message).toContain("systemd-analyze not installed");
  });
});

describe("sourcePathOf", () => {
  test("reads the generator's SourcePath= line", () => {
    expect(sourcePathOf("[Unit]\nDescription=x\nSourcePath=/tmp/q/web.container\n")).toBe("/tmp/q/web.container");
    expect(sourcePathOf("[Unit]\nDescription=x\n")).toBeUndefined();
  });
});
