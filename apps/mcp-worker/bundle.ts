import { buildSync } from "esbuild";
import * as path from "node:path";

export { MCP_PATH, MCP_WORKER_BINDINGS } from "./src/env";

/** The module name the bundle is uploaded under (`WorkersScript.mainModule`). */
export const MCP_WORKER_MAIN_MODULE = "mcp-worker.js";

/** Pinned: a Worker's behaviour follows its compatibility date, not the upload date. */
export const MCP_WORKER_COMPATIBILITY_DATE = "2026-04-01";

/**
 * The Worker as one ES module, ready to upload. Deterministic: the same sources give the same bytes
 * wherever it runs, so the upload only changes when the code does.
 */
export function buildMcpWorkerBundle(): string {
  const result = buildSync({
    entryPoints: [path.join(__dirname, "src", "worker.ts")],
    // Paths in the output's comments are relative to this, not to wherever the program runs.
    absWorkingDir: __dirname,
    bundle: true,
    write: false,
    format: "esm",
    platform: "neutral",
    // The Workers builds of the dependencies (jose has one), then their ES modules.
    conditions: ["workerd", "worker", "browser", "import"],
    mainFields: ["module", "main"],
    target: "es2022",
    sourcemap: false,
    logLevel: "silent",
  });
  const [output] = result.outputFiles;
  if (!output || result.outputFiles.length !== 1)
    throw new Error(`mcp-worker bundle: expected one output file, got ${result.outputFiles.length}`);
  return output.text;
}
