/**
 * The backups (docs/backups.md): where the fedora host's restic repository is, whether the stack
 * keeps a weekly off-site copy in R2, and when the keys that open everything were last escrowed.
 */
import { z } from "zod";
import { key } from "../keySpec";

export const backupKeys = {
  backupRepositoryPath: key({
    kind: "string",
    description:
      "Absolute path of the restic repository on the fedora host: a directory on the NAS mount (created once with `harness-backup.sh init`).",
    targets: ["fedora"],
    default: "/mnt/nas/harness-backups",
    schema: z
      .string()
      .regex(/^\/[A-Za-z0-9._/-]*[A-Za-z0-9._-]$/, { error: "expected an absolute path of letters, digits and . _ - /" })
      .refine((v) => !v.split("/").includes(".."), { error: "expected a path without .." })
      .default("/mnt/nas/harness-backups"),
  }),
  backupOffsite: key({
    kind: "boolean",
    description: "Copy the backups weekly to an R2 bucket the stack creates (with an API token scoped to that bucket).",
    targets: ["fedora"],
    default: true,
    schema: z.boolean({ error: "expected true or false" }).default(true),
  }),
  escrowConfirmedAt: key({
    kind: "string",
    description:
      "The date (YYYY-MM-DD) the operator last exported and sealed the secrets master key and the backup repository password (docs/backups.md, Escrow). `check` reports a notice when it is missing or older than 180 days.",
    targets: ["fedora", "fly", "sealos", "homelab"],
    schema: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}$/, { error: "expected a date such as 2026-12-03" })
      .refine((v) => !Number.isNaN(Date.parse(`${v}T00:00:00Z`)), { error: "expected a real calendar date" })
      .optional(),
    example: "2026-12-03",
  }),
};
