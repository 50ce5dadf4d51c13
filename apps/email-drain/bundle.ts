/**
 * Bundles the drain (main.ts and everything it imports) into one CommonJS file for the host's Node.js.
 * The Pulumi program calls this at deploy time and installs the text as the drain's executable.
 *
 * Deterministic: the same sources give byte-identical output wherever the repository is checked out and
 * whatever the working directory (esbuild names modules relative to absWorkingDir, pinned to the repo root).
 */
import { buildSync } from "esbuild";
import { join, relative, resolve } from "node:path";

const REPOSITORY_ROOT = resolve(__dirname, "..", "..");

export function buildEmailDrainBundle(): string {
  const result = buildSync({
    absWorkingDir: REPOSITORY_ROOT,
    entryPoints: [relative(REPOSITORY_ROOT, join(__dirname, "main.ts"))],
    bundle: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    write: false,
    sourcemap: false,
    legalComments: "none",
    metafile: true,
    banner: { js: "#!/usr/bin/env node" },
    logLevel: "silent",
  });
  // The host has Node.js and nothing else: a module from node_modules would be missing at run time.
  const dependencies = Object.keys(result.metafile.inputs).filter((input) => input.includes("node_modules"));
  if (dependencies.length > 0) {
    throw new Error(`email drain bundle must only use Node's standard library, found: ${dependencies.join(", ")}`);
  }
  const [output] = result.outputFiles;
  if (output === undefined || result.outputFiles.length !== 1) throw new Error("esbuild produced no single output file");
  return output.text;
}
