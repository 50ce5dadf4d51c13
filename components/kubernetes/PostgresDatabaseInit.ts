import { createHash } from "node:crypto";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { childOptions } from "./childOptions";
import { plainEnv, resourceRequirements, restrictedContainerSecurityContext, type SecretKeyRef, secretEnv } from "./podSpec";
import { DATABASE_INIT_SCRIPT, SCRIPT_FILES } from "./scripts";

/** How long a finished database-init Job (and its log) stays: one day. */
export const DATABASE_INIT_JOB_TTL_SECONDS = 24 * 60 * 60;

/** A connection setting: a plain value, or a value from a Secret (managed databases publish theirs). */
export type SettingSource = { value: string } | SecretKeyRef;

export interface PostgresDatabaseInitArgs {
  namespace: string;
  /** Name of the Job and of its ConfigMap. */
  jobName: string;
  /** Image with pg_isready and psql 16 (psql ≥ 15 for `\getenv`). */
  image: pulumi.Input<string>;
  /** An administrator's connection: host, port, user, password. */
  admin: { host: SettingSource; port: SettingSource; user: SettingSource; password: SettingSource };
  /** The database Paperclip uses, created when absent. */
  database: string;
  /** Paperclip's login role, created when absent; its password is (re)set from the Secret every run. */
  owner: string;
  ownerPassword: SecretKeyRef;
  labels?: Readonly<Record<string, string>>;
  /** Annotations on the Job's pod template: a change replaces the Job, so it runs again (rotations). */
  podAnnotations?: Readonly<Record<string, string>>;
}

/**
 * A Job that waits for PostgreSQL, then creates Paperclip's role and database and enables pg_trgm and
 * fuzzystrmatch (Paperclip's migrations need them; the role may not be allowed to create them). It is
 * idempotent, so replacing the Job (any change of its spec) simply runs it again. Pulumi waits for the
 * Job to complete, so whatever depends on this component starts after the database is ready.
 * Paperclip gets a role of its own, not the administrator: it passes its whole environment
 * (DATABASE_URL included) to every agent it spawns.
 */
export class PostgresDatabaseInit extends pulumi.ComponentResource {
  readonly job: k8s.batch.v1.Job;

  constructor(name: string, args: PostgresDatabaseInitArgs, opts?: pulumi.ComponentResourceOptions) {
    super("harness:kubernetes:PostgresDatabaseInit", name, {}, opts);
    const labels = { app: args.jobName, ...args.labels };
    const scriptConfigMap = new k8s.core.v1.ConfigMap(
      `${name}-script`,
      {
        // Named like its Job and labelled with it (Sealos's rule for a component's ConfigMap).
        metadata: { name: args.jobName, namespace: args.namespace, labels },
        data: { [SCRIPT_FILES.databaseInit]: DATABASE_INIT_SCRIPT },
      },
      childOptions(this, opts),
    );

    const setting = (variable: string, source: SettingSource) =>
      "value" in source ? plainEnv({ [variable]: source.value })[0]! : secretEnv(variable, source);

    this.job = new k8s.batch.v1.Job(
      `${name}-job`,
      {
        metadata: { name: args.jobName, namespace: args.namespace, labels },
        spec: {
          // The script waits up to 5 minutes for PostgreSQL itself; retries are for a database that
          // restarts while it is being provisioned. Four attempts in 15 minutes, then the Job fails
          // and so does `pulumi up`, with the script's reason in the pod log.
          backoffLimit: 3,
          activeDeadlineSeconds: 900,
          // Kept a day to read its log, then removed with its pods. The script is idempotent: a
          // `pulumi refresh` that finds it gone re-creates it and it runs once more, harmlessly.
          ttlSecondsAfterFinished: DATABASE_INIT_JOB_TTL_SECONDS,
          template: {
            metadata: {
              labels,
              // A new script is a new Job: it runs again.
              annotations: {
                "paperclip-harness/script-sha256": createHash("sha256").update(DATABASE_INIT_SCRIPT).digest("hex"),
                ...args.podAnnotations,
              },
            },
            spec: {
              restartPolicy: "OnFailure",
              automountServiceAccountToken: false,
              enableServiceLinks: false,
              securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
              containers: [
                {
                  name: "database-init",
                  image: args.image,
                  imagePullPolicy: "IfNotPresent",
                  command: ["/bin/sh", `/scripts/${SCRIPT_FILES.databaseInit}`],
                  env: [
                    setting("PGHOST", args.admin.host),
                    setting("PGPORT", args.admin.port),
                    setting("PGUSER", args.admin.user),
                    setting("PGPASSWORD", args.admin.password),
                    ...plainEnv({ PAPERCLIP_DATABASE: args.database, PAPERCLIP_DATABASE_USER: args.owner }),
                    secretEnv("PAPERCLIP_DATABASE_PASSWORD", args.ownerPassword),
                  ],
                  resources: resourceRequirements({ cpuRequest: "10m", cpuLimit: "200m", memoryRequest: "32Mi", memoryLimit: "128Mi" }),
                  // 70 is the Alpine postgres image's own user; psql needs no particular uid.
                  securityContext: restrictedContainerSecurityContext(70),
                  volumeMounts: [{ name: "script", mountPath: "/scripts", readOnly: true }],
                },
              ],
              volumes: [{ name: "script", configMap: { name: args.jobName } }],
            },
          },
        },
      },
      childOptions(this, opts, [scriptConfigMap], { customTimeouts: { create: "15m" } }),
    );
    this.registerOutputs({});
  }
}
