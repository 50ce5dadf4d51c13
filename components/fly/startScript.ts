/**
 * The start script (components/fly/start.sh), shipped as it is: it has no value of its own and reads
 * everything from the environment fly.toml and the Fly secrets give the machine, so there is nothing
 * to render and nothing to escape. Kept as a real .sh file so it reads, diffs and shellchecks as one.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";

export function startScript(): string {
  return readFileSync(join(__dirname, "start.sh"), "utf8");
}

/** The variables the script refuses to start without (its `require_env` call). */
export function startScriptRequiredEnv(script: string = startScript()): string[] {
  const call = /^require_env ((?:[A-Z_][A-Z0-9_]*(?: |\\\n)+)*[A-Z_][A-Z0-9_]*)$/m.exec(script);
  if (!call) throw new Error("start.sh: no require_env call");
  return call[1]!.split(/[\s\\]+/).filter((name) => name.length > 0);
}
