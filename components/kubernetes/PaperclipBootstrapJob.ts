import { createHash } from "node:crypto";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { AppLaunchpadConfigFile } from "./appLaunchpad";
import { childOptions } from "./childOptions";
import { type DatabaseConnection, databaseUrlEnv, plainEnv, resourceRequirements, restrictedContainerSecurityContext } from "./podSpec";
import { BOOTSTRAP_ADMIN_SCRIPT, PAPERCLIP_CONFIG_MOUNT, SCRIPT_FILES } from "./scripts";

/**
 * When the renewal runs: weekly (Mondays 03:00 in the cluster's time zone). A week is far inside the
 * invite's validity (PAPERCLIP_BOOTSTRAP.expiresHours, 30 days), so the newest invite stays valid even
 * when a run or two fails. Each run while no admin exists replaces the previous invite (upstream's
 * bootstrap-ceo revokes the active one), so the URL to use is the newest run's. Once an admin exists a
 * run only says so.
 */
export const BOOTSTRAP_RENEWAL_SCHEDULE = "0 3 * * 1";
export const BOOTSTRAP_RENEWAL_PERIOD_HOURS = 7 * 24;

/**
 * How long the finished first-admin Job and its log stay: one renewal period. By then a renewal run
 * has replaced its invite, so the log would only show a revoked URL.
 */
export const BOOTSTRAP_JOB_TTL_SECONDS = BOOTSTRAP_RENEWAL_PERIOD_HOURS * 60 * 60;

export interface PaperclipBootstrapJobArgs {
  namespace: string;
  /** Name of the Job. */
  jobName: string;
  /** Name of the CronJob that renews the invite while no admin exists. */
  renewalName: string;
  /** The Paperclip image (its CLI creates the invite). */
  image: pulumi.Input<string>;
  /** The workload's config files (config.json, which the CLI requires in authenticated mode, and the script), as volumes and mounts. */
  configFiles: readonly AppLaunchpadConfigFile[];
  /** In-cluster health URL of the Paperclip Service. */
  healthUrl: string;
  /** Base of the invite URL the Job prints. */
  publicUrl: string;
  database: DatabaseConnection;
  labels?: Readonly<Record<string, string>>;
}

/**
 * The first admin: a Job that waits until Paperclip is healthy, runs `paperclipai auth bootstrap-ceo`
 * and prints the invite URL to its log (`kubectl logs job/<jobName>`). When an admin exists already
 * it succeeds without creating anything, so it is safe to run again. It needs no volume: config.json
 * comes from the ConfigMap and the database from DATABASE_URL. A finished Job is kept one renewal
 * period (BOOTSTRAP_JOB_TTL_SECONDS), then removed.
 *
 * Invites expire (30 days), and nothing else makes a new one while no admin exists: a fresh install
 * left unclaimed that long could no longer be claimed. So a CronJob runs the same script weekly
 * (BOOTSTRAP_RENEWAL_SCHEDULE) and keeps its newest run, whose log holds the current invite
 * (`kubectl logs -l app=<renewalName>`; `kubectl create job --from=cronjob/<renewalName>` for one now).
 * A CronJob rather than a step at every pod start: an unclaimed install whose pod never restarts
 * would still run out of invites, and the Paperclip pod keeps no extra container or credentials.
 */
export class PaperclipBootstrapJob extends pulumi.ComponentResource {
  readonly job: k8s.batch.v1.Job;
  readonly renewal: k8s.batch.v1.CronJob;

  constructor(name: string, args: PaperclipBootstrapJobArgs, opts?: pulumi.ComponentResourceOptions) {
    super("harness:kubernetes:PaperclipBootstrapJob", name, {}, opts);
    const podTemplate = (app: string): k8s.types.input.core.v1.PodTemplateSpec => ({
      metadata: {
        labels: { app, ...args.labels },
        annotations: { "paperclip-harness/script-sha256": createHash("sha256").update(BOOTSTRAP_ADMIN_SCRIPT).digest("hex") },
      },
      spec: {
        restartPolicy: "OnFailure",
        automountServiceAccountToken: false,
        enableServiceLinks: false,
        securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
        containers: [
          {
            name: "bootstrap-admin",
            image: args.image,
            imagePullPolicy: "IfNotPresent",
            command: ["/bin/sh", `${PAPERCLIP_CONFIG_MOUNT}/${SCRIPT_FILES.bootstrapAdmin}`],
            env: [
              { name: "PAPERCLIP_HEALTH_URL", value: args.healthUrl },
              ...plainEnv({ PAPERCLIP_PUBLIC_URL: args.publicUrl, PAPERCLIP_CONFIG: `${PAPERCLIP_CONFIG_MOUNT}/config.json` }),
              ...databaseUrlEnv(args.database),
            ],
            // The CLI runs TypeScript through tsx: it needs more memory than a shell.
            resources: resourceRequirements({ cpuRequest: "50m", cpuLimit: "500m", memoryRequest: "256Mi", memoryLimit: "1Gi" }),
            securityContext: restrictedContainerSecurityContext(),
            volumeMounts: args.configFiles.map((file) => file.mount),
          },
        ],
        volumes: args.configFiles.map((file) => file.volume),
      },
    });
    // The script waits up to 10 minutes for Paperclip itself; a retry covers a pod restart in
    // between. Three attempts in 30 minutes, then the Job fails (and, for the first one, `pulumi up`).
    const attempts = { backoffLimit: 2, activeDeadlineSeconds: 1800 };

    this.job = new k8s.batch.v1.Job(
      `${name}-job`,
      {
        metadata: { name: args.jobName, namespace: args.namespace, labels: { app: args.jobName, ...args.labels } },
        spec: {
          ...attempts,
          // The log holds the invite URL until the first renewal run replaces it: the Job (and the
          // URL) goes then. A re-created Job creates a new invite or says an admin exists.
          ttlSecondsAfterFinished: BOOTSTRAP_JOB_TTL_SECONDS,
          template: podTemplate(args.jobName),
        },
      },
      childOptions(this, opts, [], { customTimeouts: { create: "30m" } }),
    );

    this.renewal = new k8s.batch.v1.CronJob(
      `${name}-renewal`,
      {
        metadata: { name: args.renewalName, namespace: args.namespace, labels: { app: args.renewalName, ...args.labels } },
        spec: {
          schedule: BOOTSTRAP_RENEWAL_SCHEDULE,
          concurrencyPolicy: "Forbid",
          // A run missed by more than a day waits for the next week rather than piling up.
          startingDeadlineSeconds: 24 * 60 * 60,
          // The newest run's log holds the current invite: keep it (no TTL) until the next run.
          successfulJobsHistoryLimit: 1,
          failedJobsHistoryLimit: 1,
          jobTemplate: { spec: { ...attempts, template: podTemplate(args.renewalName) } },
        },
      },
      childOptions(this, opts),
    );
    this.registerOutputs({});
  }
}
