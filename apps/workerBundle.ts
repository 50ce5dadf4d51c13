import { buildSync } from "esbuild";
import * as path from "node:path";

/**
 * A Worker as one ES module, ready to upload. Deterministic: the same sources give the same bytes
 * wherever it runs, so the upload only changes when the code does. `conditions` and `mainFields`
 * pick dependencies' Workers builds where a Worker has such dependencies.
 */
export function buildWorkerBundle(workerDir: string, name: string, resolve: { conditions?: string[]; mainFields?: string[] } = {}): string {
  // Once per process: the sources do not change while it runs (check of four stacks, the bench).
  const key = JSON.stringify([workerDir, name, resolve]);
  const cached = bundles.get(key);
  if (cached !== undefined) return cached;
  const bundle = build(workerDir, name, resolve);
  bundles.set(key, bundle);
  return bundle;
}

const bundles = new Map<string, string>();

function build(workerDir: string, name: string, resolve: { conditions?: string[]; mainFields?: string[] }): string {
  const result = buildSync({
    entryPoints: [path.join(workerDir, "src", "worker.ts")],
    // Paths in the output's comments are relative to this, not to wherever the program runs.
    absWorkingDir: workerDir,
    // A checkout whose node_modules is a symlink (the PR diff's base revision) must name modules by
    // the same relative paths as one with its own, or the same sources give different bytes.
    preserveSymlinks: true,
    bundle: true,
    write: false,
    format: "esm",
    platform: "neutral",
    ...resolve,
    target: "es2022",
    sourcemap: false,
    logLevel: "silent",
  });
  const [output] = result.outputFiles;
  if (!output || result.outputFiles.length !== 1)
    throw new Error(`${name} bundle: expected one output file, got ${result.outputFiles.length}`);
  return output.text;
}
