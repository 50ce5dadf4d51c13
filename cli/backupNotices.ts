/**
 * Notices in `check` about backups (docs/backups.md): what the stack backs up, or its explicit "not
 * yet"; and whether the keys that open everything (the secrets master key, the backup repository
 * password) were escrowed recently. Advisory: a stack without them still deploys, and says so.
 */
import type { RecordingCheck } from "./checkStack";
import type { ValidationResult } from "./validators";

/** Escrow again at least this often (and after any rotation of the escrowed keys). */
export const ESCROW_MAX_AGE_DAYS = 180;

interface BackupOutputs {
  summary?: unknown;
  notYet?: unknown;
  escrowConfirmedAt?: unknown;
}

export function backupNotices(outputs: Record<string, unknown>, stack: string, now: Date = new Date()): ValidationResult[] {
  const backups = outputs.backups as BackupOutputs | undefined;
  if (typeof backups !== "object" || backups === null) return [];
  const results: ValidationResult[] = [];
  if (typeof backups.summary === "string") {
    results.push({ validator: "notice:backups", target: stack, status: "passed", message: backups.summary });
  }
  if (typeof backups.notYet === "string") {
    results.push({ validator: "notice:backups", target: stack, status: "warned", message: `${backups.notYet} (docs/backups.md)` });
  }
  const confirmed = typeof backups.escrowConfirmedAt === "string" ? backups.escrowConfirmedAt : undefined;
  const how = "export and seal the keys (docs/backups.md, Escrow), then `pulumi config set escrowConfirmedAt <YYYY-MM-DD>`";
  if (confirmed === undefined) {
    results.push({ validator: "notice:escrow", target: stack, status: "warned", message: `key escrow never confirmed: ${how}` });
  } else {
    const days = Math.floor((now.getTime() - Date.parse(`${confirmed}T00:00:00Z`)) / 86_400_000);
    results.push(
      days > ESCROW_MAX_AGE_DAYS
        ? {
            validator: "notice:escrow",
            target: stack,
            status: "warned",
            message: `key escrow confirmed ${confirmed}, ${days} days ago (more than ${ESCROW_MAX_AGE_DAYS}): ${how}`,
          }
        : { validator: "notice:escrow", target: stack, status: "passed", message: `key escrow confirmed ${confirmed} (${days} days ago)` },
    );
  }
  return results;
}

export const backupNoticesCheck: RecordingCheck = (plan) =>
  Promise.resolve(backupNotices(plan.recording.outputs, `${plan.recording.project}/${plan.recording.stack}`));
