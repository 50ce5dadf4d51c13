import { buildWorkerBundle } from "../workerBundle";

export { DLQ_WORKER_BINDINGS } from "./src/env";

/** The module name the bundle is uploaded under (`WorkersScript.mainModule`). */
export const DLQ_WORKER_MAIN_MODULE = "dlq-worker.js";

/** Pinned: a Worker's behaviour follows its compatibility date, not the upload date. */
export const DLQ_WORKER_COMPATIBILITY_DATE = "2026-04-01";

/** Mondays 08:00 UTC: the weekly dead-letter summary. */
export const DLQ_WORKER_CRON = "0 8 * * 1";

/** The Worker as one ES module, ready to upload (see buildWorkerBundle). */
export function buildDlqWorkerBundle(): string {
  return buildWorkerBundle(__dirname, "dlq-worker");
}
