/**
 * What each target says about its backups in its stack outputs (docs/backups.md), for `check` to
 * report: where they are, or an explicit "not yet" and why; and when the keys were last escrowed.
 */
import type { ConfigValues } from "../config/parse";

export interface BackupStatus {
  /** What is backed up and where (fedora). */
  summary?: string;
  /** Why this target has no backups of the project's own yet. */
  notYet?: string;
  /** `escrowConfirmedAt`, when the operator has set it. */
  escrowConfirmedAt?: string;
}

export const BACKUPS_NOT_YET = {
  fly: "not yet: Paperclip keeps its own hourly dumps on the volume (every 60 min, 30 days), but there is no off-site copy and no Fly volume snapshot retention is set; both need flyctl calls the FlyApp component does not make yet",
  sealos:
    "not yet: KubeBlocks' BackupPolicy for the PostgreSQL cluster needs a BackupRepo (object storage and its credentials) the template does not declare yet; Paperclip's own hourly dumps on its volume are the only copy",
  homelab:
    "not yet: a CronJob pg_dump to an S3-compatible target needs the target's endpoint and credentials as config keys (or an ExternalSecret) the stack does not have yet; Paperclip's own hourly dumps on its PVC are the only copy",
} as const;

export function backupStatus(config: ConfigValues, status: Omit<BackupStatus, "escrowConfirmedAt">): BackupStatus {
  return { ...status, ...(config.escrowConfirmedAt === undefined ? {} : { escrowConfirmedAt: config.escrowConfirmedAt }) };
}
