/**
 * The program under Pulumi's real Node.js runner — the process `pulumi up` spawns — rather than the
 * in-process mock runtime: proves that Pulumi.yaml's runtime options load infra/ (TypeScript through
 * the project's ts-node 10.9.2 and TypeScript 6.0.3, type-checked) and that the runner registers
 * exactly what the offline engine records.
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { createOfflineMocks } from "../cli/engine/offlineMocks";
import { recordStack } from "../cli/engine/recordStack";
import { RecordingMonitor } from "../cli/engine/RecordingMonitor";
import { readProjectFile, readStackSettings } from "../cli/engine/stackSettings";
import { startLoopbackEngine } from "./support/loopbackEngine";

const root = join(__dirname, "..");

function runPulumiNodeRuntime(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(root, "node_modules/@pulumi/pulumi/cmd/run"), ...args], {
      cwd: root,
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    child.on("close", (code) => resolve({ code, output }));
  });
}

describe("the real Pulumi Node.js runtime", () => {
  it("runs infra/ as `pulumi preview --stack fedora` would, registering what the offline engine records", async () => {
    const project = readProjectFile(root);
    expect(project.name).toBe("paperclip-harness");
    const settings = readStackSettings(root, project, "fedora");

    const offline = await recordStack({ root, stack: "fedora" });

    // The monitor lives in this process; its URNs use this process's project/stack settings.
    const mocks = createOfflineMocks("fedora");
    await pulumi.runtime.setMocks(mocks, project.name, "fedora", true);
    const monitor = new RecordingMonitor(mocks);
    pulumi.runtime.setMockOptions(monitor, project.name, "fedora", true);
    const engine = await startLoopbackEngine(monitor);
    try {
      const { code, output } = await runPulumiNodeRuntime(
        [
          `--monitor=${engine.address}`,
          `--engine=${engine.address}`,
          `--project=${project.name}`,
          "--stack=fedora",
          "--dry-run",
          `--pwd=${root}`,
          "infra/",
        ],
        {
          // What the language host sets from Pulumi.yaml's runtime options and the stack's config.
          PULUMI_NODEJS_TYPESCRIPT: "true",
          PULUMI_CONFIG: JSON.stringify(settings.config),
          PULUMI_CONFIG_SECRET_KEYS: JSON.stringify(settings.secretKeys),
        },
      );
      const problems = engine.logs.filter((l) => l.severity === "warning" || l.severity === "error");
      expect({ code, problems, output: code === 0 ? "" : output }).toEqual({ code: 0, problems: [], output: "" });
      const registered = (records: { type: string; name: string }[]) => records.map((r) => `${r.type} ${r.name}`).sort();
      expect(registered(monitor.records)).toEqual(registered(offline.resources));
      const inputsOf = (records: typeof offline.resources, name: string) => records.find((r) => r.name === name)?.inputs;
      expect(inputsOf(monitor.records, "harness-file-paperclip.container")).toEqual(
        inputsOf(offline.resources, "harness-file-paperclip.container"),
      );
    } finally {
      await engine.stop();
    }
  });

  // Slow (~20 s): after a failed program the SDK's runner waits for its event loop to drain; a
  // trivial program throwing a RunError takes as long, so the wait is the runner's, not ours.
  it("reports a configuration mistake as Pulumi reports a RunError: the problems, no stack trace", async () => {
    const project = readProjectFile(root);
    const settings = readStackSettings(root, project, "fedora");
    const mocks = createOfflineMocks("fedora");
    await pulumi.runtime.setMocks(mocks, project.name, "fedora", true);
    const monitor = new RecordingMonitor(mocks);
    pulumi.runtime.setMockOptions(monitor, project.name, "fedora", true);
    const engine = await startLoopbackEngine(monitor);
    try {
      const { code } = await runPulumiNodeRuntime(
        [
          `--monitor=${engine.address}`,
          `--engine=${engine.address}`,
          `--project=${project.name}`,
          "--stack=fedora",
          "--dry-run",
          `--pwd=${root}`,
          "infra/",
        ],
        {
          PULUMI_NODEJS_TYPESCRIPT: "true",
          PULUMI_CONFIG: JSON.stringify({ ...settings.config, "paperclip-harness:sshPort": "99999" }),
          PULUMI_CONFIG_SECRET_KEYS: JSON.stringify(settings.secretKeys),
        },
      );
      expect(code).not.toBe(0);
      const errors = engine.logs.filter((l) => l.severity === "error").map((l) => l.message);
      expect(errors.join("\n")).toContain(
        "stacks/Pulumi.fedora.yaml: 1 configuration problem:\n  - paperclip-harness:sshPort = 99999: expected a port number (an integer from 1 to 65535)",
      );
      expect(errors.join("\n")).not.toMatch(/\n\s+at /);
      expect(monitor.records.map((r) => r.type)).toEqual(["pulumi:pulumi:Stack"]);
    } finally {
      await engine.stop();
    }
  });
});
