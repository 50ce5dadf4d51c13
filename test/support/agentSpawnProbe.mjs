// Runs Paperclip's real spawn path, runChildProcess of the installed @paperclipai/adapter-utils (every
// local agent CLI is started through it), inside a server whose environment is exactly the one on
// stdin, and prints the environment the spawned process received, as JSON.
// Usage: node agentSpawnProbe.mjs <path of adapter-utils' dist/server-utils.js> < {"serverEnv": {...}, "adapterEnv": {...}}
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const utilsPath = process.argv[2];
const input = JSON.parse(readFileSync(0, "utf8"));
const cwd = mkdtempSync(join(tmpdir(), "agent-env-"));
const node = process.execPath;

// The server's environment is what the stack deployed, nothing of this test's.
for (const name of Object.keys(process.env)) delete process.env[name];
Object.assign(process.env, input.serverEnv);

const { runChildProcess } = await import(pathToFileURL(utilsPath).href);
const result = await runChildProcess("agent-environment-probe", node, ["-e", "process.stdout.write(JSON.stringify(process.env))"], {
  cwd,
  env: input.adapterEnv ?? {},
  timeoutSec: 60,
  graceSec: 5,
  onLog: async () => {},
});
rmSync(cwd, { recursive: true, force: true });
if (result.exitCode !== 0) {
  process.stderr.write(`probe: the spawned process exited ${result.exitCode}: ${result.stderr}\n`);
  process.exit(1);
}
process.stdout.write(result.stdout);
