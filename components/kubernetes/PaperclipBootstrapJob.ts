import { createHash } from "node:crypto";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { AppLaunchpadConfigFile } from "./appLaunchpad";
import { childOptions } from "./childOptions";
import { type DatabaseConnection, databaseUrlEnv, plainEnv, resourceRequirements, restrictedContainerSecurityContext } from "./podSpec";
import { BOOTSTRAP_ADMIN_SCRIPT, PAPERCLIP_CONFIG_MOUNT, SCRIPT_FILES } from "./scripts";

/** The invite's validity (`--expires-hours 72`): how long the finished Job and its log stay. */
export const BOOTSTRAP_JOB_TTL_SECONDS = 72 * 60 * 60;

export interface PaperclipBootstrapJobArgs {
  namespace: string;
  /** Name of the Job. */
  jobName: string;
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
 * and prints the invite URL to its log (`kubectl logs job/<jobName>`), valid 72 hours. When an admin
 * exists already it succeeds without creating anything, so it is safe to run again. It needs no
 * volume: config.json comes from the ConfigMap and the database from DATABASE_URL. A finished Job is
 * kept as long as its invite is valid (72 hours), then removed.
 */
export class PaperclipBootstrapJob extends pulumi.ComponentResource {
  readonly job: k8s.batch.v1.Job;

  constructor(name: string, args: PaperclipBootstrapJobArgs, opts?: pulumi.ComponentResourceOptions) {
    super("harness:kubernetes:PaperclipBootstrapJob", name, {}, opts);
    const labels = { app: args.jobName, ...args.labels };
    this.job = new k8s.batch.v1.Job(
      `${name}-job`,
      {
        metadata: { name: args.jobName, namespace: args.namespace, labels },
        spec: {
          // The script waits up to 10 minutes for Paperclip itself; a retry covers a pod restart in
          // between. Three attempts in 30 minutes, then the Job fails and so does `pulumi up`.
          backoffLimit: 2,
          activeDeadlineSeconds: 1800,
          // The log holds the invite URL, which is valid 72 hours: the Job (and the URL) goes when
          // the invite expires. A re-created Job creates a new invite or says an admin exists.
          ttlSecondsAfterFinished: BOOTSTRAP_JOB_TTL_SECONDS,
          template: {
            metadata: {
              labels,
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
          },
        },
      },
      childOptions(this, opts, [], { customTimeouts: { create: "30m" } }),
    );
    this.registerOutputs({});
  }
}
