import type { BackupPolicy } from "./types";

/**
 * The default for data people type in (vaults, CRM, mailboxes, agents' state): a night's loss at
 * most, a week of days, a month of weeks and half a year of months to go back to (docs/backups.md).
 */
export const NIGHTLY: BackupPolicy = { schedule: "daily", retention: { daily: 7, weekly: 4, monthly: 6 } };
