/**
 * The backups of the fedora stack, derived from the catalogue's `backup` declarations
 * (docs/backups.md): one rendered program (`harness-backup.sh`), and per service a oneshot service
 * and its timer; a weekly off-site copy when the stack has an off-site repository. Pure.
 */
import { renderBackupScript, type BackupJob } from "../../../components/backup/renderBackupScript";
import type { HarnessFile } from "../../../components/podman/Harness";
import type { ServiceUnit, TimerUnit } from "../../../components/podman/unitModel";
import { generated, provided, type SecretValue } from "../../catalog/secretValue";
import type { ResolvedCatalog } from "../../catalog/resolveCatalog";
import type { BackupSchedule, GeneratedSecretSpec, ServiceDeclaration } from "../../catalog/types";

export const BACKUP_PROGRAM_PATH = ".local/lib/paperclip-harness/harness-backup.sh";
export const BACKUP_PASSWORD_SECRET = "backup-repository-password";
export const BACKUP_OFFSITE_REPOSITORY_SECRET = "backup-offsite-repository";
export const BACKUP_OFFSITE_KEY_ID_SECRET = "backup-r2-access-key-id";
export const BACKUP_OFFSITE_SECRET_KEY_SECRET = "backup-r2-secret-access-key";

/** The repository password: generated, protected (a new one cannot open the old snapshots). */
export const BACKUP_PASSWORD_SPEC: GeneratedSecretSpec = {
  name: BACKUP_PASSWORD_SECRET,
  description: "The restic repositories' password (NAS and off-site): without it no backup can be read. Escrow it (docs/backups.md).",
  protect: true,
  notRotatable: "restic keeps it as a key of every repository; change it with `restic key add/remove`, not by regenerating it",
};

/** How old the newest snapshot may be before `freshness` calls it stale: two missed runs, plus slack. */
const MAX_AGE_HOURS: Record<BackupSchedule, number> = { hourly: 3, daily: 36 };
/** The weekly off-site copy: a missed week, plus slack. */
const OFFSITE_MAX_AGE_HOURS = 8 * 24 + 12;
const OFFSITE_CALENDAR = "Sun *-*-* 04:30:00";
/** Daily backups start at 01:00 (host time), after the day's work and before the 03:00 ETL. */
const DAILY_HOUR = "01";

export interface BackupPlanOptions {
  /** The NAS repository path (config `backupRepositoryPath`). */
  repository: string;
  /** Whether the stack has an off-site repository (its location and keys are provided secrets). */
  offsite: boolean;
}

const unitOf = (service: ServiceDeclaration): string => `${service.name}.service`;

export interface BackupPlan {
  units: (ServiceUnit | TimerUnit)[];
  files: HarnessFile[];
  /** Podman secrets the program reads. */
  secrets: { name: string; value: SecretValue }[];
  /** The timers the target wants. */
  timers: string[];
  jobs: BackupJob[];
}

function hasHealth(service: ServiceDeclaration): boolean {
  return service.kind !== "host" && service.health !== undefined && service.schedule === undefined;
}

function volumesOf(service: ServiceDeclaration): string[] {
  return service.kind === "host" ? [] : (service.volumes ?? []).flatMap((v) => (v.kind === "volume" ? [v.name] : []));
}

/**
 * What a restore stops: for a database, the services that use it (the database itself must run to
 * take the dump back); for files, every service that mounts one of the volumes.
 */
function unitsStoppedBy(service: ServiceDeclaration, catalog: ResolvedCatalog): ServiceDeclaration[] {
  const backup = service.backup!;
  if (backup.kind === "postgres" || backup.kind === "mariadb") {
    return catalog.services.filter((s) => s.dependsOn?.includes(service.name) && (s.kind === "host" || s.schedule === undefined));
  }
  const volumes = new Set(backup.kind === "sqlite" ? [backup.volume] : backup.volumes);
  return catalog.services.filter((s) => volumesOf(s).some((v) => volumes.has(v)));
}

export function deriveBackupPlan(catalog: ResolvedCatalog, options: BackupPlanOptions): BackupPlan {
  const backedUp = catalog.services.filter((s) => s.backup !== undefined);
  const jobs = backedUp.map((service): BackupJob => {
    const backup = service.backup!;
    const { schedule: _schedule, retention, ...snapshot } = backup;
    const stopped = unitsStoppedBy(service, catalog);
    const checked = [service, ...stopped.filter((s) => s.name !== service.name)];
    return {
      service: service.name,
      container: service.name,
      snapshot,
      retention,
      maxAgeHours: MAX_AGE_HOURS[backup.schedule],
      stopUnits: stopped.map(unitOf),
      healthChecks: checked.filter(hasHealth).map((s) => s.name),
      activeUnits: checked.filter((s) => !hasHealth(s)).map(unitOf),
    };
  });

  const script: HarnessFile = {
    key: "backup/harness-backup.sh",
    path: BACKUP_PROGRAM_PATH,
    mode: "0755",
    content: renderBackupScript({
      repository: options.repository,
      ...(options.offsite
        ? {
            offsite: {
              repositorySecret: BACKUP_OFFSITE_REPOSITORY_SECRET,
              accessKeyIdSecret: BACKUP_OFFSITE_KEY_ID_SECRET,
              secretAccessKeySecret: BACKUP_OFFSITE_SECRET_KEY_SECRET,
              maxAgeHours: OFFSITE_MAX_AGE_HOURS,
            },
          }
        : {}),
      passwordSecret: BACKUP_PASSWORD_SECRET,
      jobs,
    }),
  };

  const units: (ServiceUnit | TimerUnit)[] = [];
  const timers: string[] = [];
  const job = (name: string, description: string, args: string[], calendar: string, after: string[]) => {
    units.push(
      {
        kind: "service",
        name,
        unit: { Description: description, ...(after.length > 0 ? { After: after } : {}) },
        service: {
          Type: "oneshot",
          ExecStart: ["/usr/bin/bash", { withSpecifiers: `%h/${BACKUP_PROGRAM_PATH}` }, ...args],
          TimeoutStartSec: "3h",
          UMask: "0077",
        },
      },
      {
        kind: "timer",
        name,
        unit: { Description: `Schedule of ${description.charAt(0).toLowerCase()}${description.slice(1)}` },
        timer: { OnCalendar: [calendar], Persistent: true, Unit: `${name}.service` },
      },
    );
    timers.push(`${name}.timer`);
  };
  // Staggered, so that no two runs contend for the repository's lock (the program also waits its turn).
  backedUp.forEach((service, i) => {
    const minute = String((i * 5) % 60).padStart(2, "0");
    const calendar = service.backup!.schedule === "hourly" ? `*-*-* *:${minute}:00` : `*-*-* ${DAILY_HOUR}:${minute}:00`;
    job(`backup-${service.name}`, `Backup of ${service.name} (restic)`, ["backup", service.name], calendar, [unitOf(service)]);
  });
  if (options.offsite) {
    job("backup-offsite", "Off-site copy of the backups (restic to R2)", ["offsite"], OFFSITE_CALENDAR, []);
  }

  return {
    units,
    files: [script],
    secrets: [
      { name: BACKUP_PASSWORD_SECRET, value: generated(BACKUP_PASSWORD_SECRET) },
      ...(options.offsite
        ? [
            { name: BACKUP_OFFSITE_REPOSITORY_SECRET, value: provided(BACKUP_OFFSITE_REPOSITORY_SECRET) },
            { name: BACKUP_OFFSITE_KEY_ID_SECRET, value: provided(BACKUP_OFFSITE_KEY_ID_SECRET) },
            { name: BACKUP_OFFSITE_SECRET_KEY_SECRET, value: provided(BACKUP_OFFSITE_SECRET_KEY_SECRET) },
          ]
        : []),
    ],
    timers,
    jobs,
  };
}
