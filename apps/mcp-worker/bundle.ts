import { buildWorkerBundle } from "../workerBundle";

export { MCP_PATH, MCP_WORKER_BINDINGS } from "./src/env";

/** The module name the bundle is uploaded under (`WorkersScript.mainModule`). */
export const MCP_WORKER_MAIN_MODULE = "mcp-worker.js";

/** Pinned: a Worker's behaviour follows its compatibility date, not the upload date. */
export const MCP_WORKER_COMPATIBILITY_DATE = "2026-04-01";

/** The Worker as one ES module, ready to upload (see buildWorkerBundle). */
export function buildMcpWorkerBundle(): string {
  return buildWorkerBundle(__dirname, "mcp-worker", {
    // The Workers builds of the dependencies (jose has one), then their ES modules.
    conditions: ["workerd", "worker", "browser", "import"],
    mainFields: ["module", "main"],
  });
}
