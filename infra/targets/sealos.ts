/**
 * The `sealos` target: Paperclip in a Sealos Cloud workspace (system.md §7) — a KubeBlocks
 * PostgreSQL 16.4.0 cluster, the database-init Job, the shared Paperclip workload as a StatefulSet,
 * an Ingress on the Sealos cloud domain, the desktop App entry, the first-admin Job and, optionally,
 * an ObjectStorageBucket for attachments. Unlike Sealos's public template, no provider key reaches
 * Paperclip: agents hold a gateway key and the gateway's URLs (Principle 3).
 */
import { backupStatus, BACKUPS_NOT_YET } from "./backupStatus";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { wholeGibibytes } from "../../components/kubernetes/appLaunchpad";
import { objectStorageBucket } from "../../components/kubernetes/customResources";
import { KubeBlocksPostgres } from "../../components/kubernetes/KubeBlocksPostgres";
import { KUBEBLOCKS, KUBERNETES, type PlatformVersions, SEALOS } from "../../components/kubernetes/platformVersions";
import { PaperclipBootstrapJob } from "../../components/kubernetes/PaperclipBootstrapJob";
import { PaperclipWorkload } from "../../components/kubernetes/PaperclipWorkload";
import type { DatabaseConnection, SecretKeyRef } from "../../components/kubernetes/podSpec";
import { PostgresDatabaseInit } from "../../components/kubernetes/PostgresDatabaseInit";
import { SealosAppEntry } from "../../components/kubernetes/SealosAppEntry";
import { sealosObjectStorageEnv } from "../../components/kubernetes/sealosObjectStorage";
import {
  PAPERCLIP_DEFAULT_CONFIG_PATH,
  PAPERCLIP_GENERATED_SECRETS,
  PAPERCLIP_SECRET_ENV,
  PAPERCLIP_SECRET_ROLES,
  type PaperclipDeployment,
} from "../../components/paperclip/paperclipSettings";
import { ConfigError, type ConfigProblem, displayValue } from "../config/ConfigError";
import { PROJECT, stackFileOf, type ConfigValues } from "../config/parse";
import { declarePlanSecrets, generatedHex, opaqueSecret } from "./kubernetes/generatedSecrets";
import {
  type GeneratedSecretSpec,
  type KubernetesPaperclipPlan,
  planKubernetesPaperclip,
  rotationAnnotations,
} from "./kubernetes/paperclipPlan";
import type { TargetImplementation } from "./target";

export const SEALOS_GENERATED_SECRETS: readonly GeneratedSecretSpec[] = [
  ...PAPERCLIP_GENERATED_SECRETS.map(({ name, description, protect }) => ({ name, description, ...(protect ? { protect } : {}) })),
  { name: "paperclip-db-password", description: "password of Paperclip's PostgreSQL role, reset by the database-init Job" },
];

/** What a Sealos Cloud region runs (docs/kubernetes.md, "Supported versions"): Sealos owns the releases. */
export const SEALOS_PLATFORM: PlatformVersions = {
  kubernetes: KUBERNETES.validatedAgainst,
  kubeBlocks: KUBEBLOCKS.sealosRuns,
  sealos: SEALOS.release,
};

export interface SealosStackPlan {
  paperclip: KubernetesPaperclipPlan;
  deployment: PaperclipDeployment;
  /** The workspace user: the namespace is `ns-<user>`. */
  workspaceUser: string;
  /** `<sealosHost>.<sealosDomain>`. */
  host: string;
  hostLabel: string;
  certSecretName: string;
  /** The KubeBlocks Cluster (`<app>-pg`). */
  postgresCluster: string;
  /** The bucket's name, when object storage is on. */
  bucketName?: string;
}

/** Everything the sealos stack will be, computed and checked before any resource is declared. */
export function planSealos(config: ConfigValues): SealosStackPlan {
  const problems: ConfigProblem[] = [];
  const paperclip = planKubernetesPaperclip(config, SEALOS_GENERATED_SECRETS, problems);
  const workspaceUser = /^ns-([a-z0-9]+)$/.exec(paperclip.namespace)?.[1];
  if (workspaceUser === undefined) {
    problems.push({
      key: `${PROJECT}:namespace`,
      found: displayValue(paperclip.namespace),
      expected: 'expected your Sealos workspace namespace: "ns-" and your user id, such as "ns-k3v9x2qa"',
    });
  }
  if (wholeGibibytes(paperclip.volumeSize) === undefined) {
    problems.push({
      key: `${PROJECT}:paperclipVolumeSize`,
      found: displayValue(paperclip.volumeSize),
      expected: 'expected whole Gi such as "10Gi": Sealos App Launchpad sizes volumes in Gi',
    });
  }
  if (problems.length > 0) throw new ConfigError(stackFileOf(pulumi.getStack()), problems);

  const host = `${config.sealosHost!}.${config.sealosDomain!}`;
  const deployment: PaperclipDeployment = {
    publicUrl: `https://${host}`,
    // Served to the internet by Sealos's ingress: authenticated mode, public exposure (explicit base URL).
    exposure: "public",
    gatewayBaseUrl: paperclip.gatewayBaseUrl,
    configPath: PAPERCLIP_DEFAULT_CONFIG_PATH,
    disableSignUp: paperclip.disableSignUp,
  };
  return {
    paperclip,
    deployment,
    workspaceUser: workspaceUser!,
    host,
    hostLabel: config.sealosHost!,
    certSecretName: config.sealosCertSecretName!,
    postgresCluster: `${paperclip.appName}-pg`,
    ...(config.sealosObjectStorage ? { bucketName: paperclip.appName } : {}),
  };
}

export const sealosTarget: TargetImplementation = {
  target: "sealos",
  deploy(config) {
    const plan = planSealos(config);
    const { paperclip } = plan;
    const { namespace, appName } = paperclip;
    // Sealos's console groups objects by this label and shows the workload's image from the annotation.
    const sealosLabels = { "cloud.sealos.io/app-deploy-manager": appName };
    const secretLabels = { app: appName, ...sealosLabels };

    const generated = declarePlanSecrets(paperclip);
    const appSecrets = opaqueSecret(`${appName}-secrets`, {
      name: `${appName}-secrets`,
      namespace,
      labels: secretLabels,
      data: {
        [PAPERCLIP_SECRET_ENV.authSecret]: generatedHex(generated, "paperclip-better-auth-secret"),
        [PAPERCLIP_SECRET_ENV.secretsMasterKey]: generatedHex(generated, "paperclip-secrets-master-key"),
      },
    });
    const databaseCredentials = opaqueSecret(`${appName}-db-credentials`, {
      name: `${appName}-db-credentials`,
      namespace,
      labels: secretLabels,
      data: { password: generatedHex(generated, "paperclip-db-password") },
    });
    const gateway = opaqueSecret(`${appName}-gateway`, {
      name: `${appName}-gateway`,
      namespace,
      labels: secretLabels,
      data: { "api-key": config.gatewayKey! },
    });
    const fromAppSecrets = (key: string): SecretKeyRef => ({ secretName: `${appName}-secrets`, key });
    const gatewayKey: SecretKeyRef = { secretName: `${appName}-gateway`, key: "api-key" };

    const bucket =
      plan.bucketName === undefined
        ? undefined
        : new k8s.apiextensions.CustomResource(
            `${appName}-bucket`,
            objectStorageBucket({ name: plan.bucketName, namespace, labels: sealosLabels }),
          );

    const postgres = new KubeBlocksPostgres(`${appName}-pg`, {
      namespace,
      clusterName: plan.postgresCluster,
      storageSize: paperclip.postgresVolumeSize,
      ...(paperclip.storageClassName ? { storageClassName: paperclip.storageClassName } : {}),
    });
    const admin = (key: string): SecretKeyRef => ({ secretName: postgres.credentialsSecret, key });
    const database: DatabaseConnection = {
      host: postgres.host,
      port: postgres.port,
      database: "paperclip",
      user: "paperclip",
      password: { secretName: `${appName}-db-credentials`, key: "password" },
    };
    const databaseInit = new PostgresDatabaseInit(
      `${appName}-pg-init`,
      {
        namespace,
        jobName: `${appName}-pg-init`,
        image: paperclip.postgresClientImage,
        admin: { host: admin("host"), port: admin("port"), user: admin("username"), password: admin("password") },
        database: database.database,
        owner: database.user,
        ownerPassword: database.password,
        podAnnotations: rotationAnnotations(paperclip, ["paperclip-db-password"]),
      },
      { dependsOn: [postgres, databaseCredentials] },
    );

    const workload = new PaperclipWorkload(
      appName,
      {
        namespace,
        appName,
        image: paperclip.image,
        kind: "StatefulSet",
        deployment: plan.deployment,
        secretEnv: {
          [PAPERCLIP_SECRET_ENV.secretsMasterKey]: fromAppSecrets(PAPERCLIP_SECRET_ENV.secretsMasterKey),
          // Agents reach models only through the gateway, with its key as their only credential.
          ...Object.fromEntries(PAPERCLIP_SECRET_ROLES.gatewayKey.map((variable) => [variable, gatewayKey])),
        },
        extraEnv: plan.bucketName === undefined ? [] : sealosObjectStorageEnv(plan.workspaceUser, plan.bucketName),
        database,
        // The auth secret reaches the server through the instance's .env only (the init container writes it).
        agentJwtSecret: fromAppSecrets(PAPERCLIP_SECRET_ENV.authSecret),
        resources: paperclip.resources,
        volumeSize: paperclip.volumeSize,
        ...(paperclip.storageClassName ? { storageClassName: paperclip.storageClassName } : {}),
        appLaunchpadNaming: true,
        labels: sealosLabels,
        annotations: {
          originImageName: paperclip.image,
          "deploy.cloud.sealos.io/minReplicas": "1",
          "deploy.cloud.sealos.io/maxReplicas": "1",
        },
        podAnnotations: rotationAnnotations(
          paperclip,
          SEALOS_GENERATED_SECRETS.map((spec) => spec.name),
        ),
      },
      { dependsOn: [databaseInit, appSecrets, gateway, ...(bucket ? [bucket] : [])] },
    );

    const entry = new SealosAppEntry(`${appName}-entry`, {
      namespace,
      appName,
      host: plan.host,
      hostLabel: plan.hostLabel,
      certSecretName: plan.certSecretName,
      displayName: "Paperclip",
    });

    const bootstrapJob = `${appName}-bootstrap-ceo`;
    const inviteRenewal = `${appName}-bootstrap-renewal`;
    new PaperclipBootstrapJob(
      bootstrapJob,
      {
        namespace,
        jobName: bootstrapJob,
        renewalName: inviteRenewal,
        image: paperclip.image,
        configFiles: workload.configFiles,
        healthUrl: workload.healthUrl,
        publicUrl: plan.deployment.publicUrl,
        database,
        labels: sealosLabels,
      },
      { dependsOn: [workload] },
    );

    return {
      target: "sealos",
      namespace,
      publicUrl: entry.url,
      firstAdminInvite: `kubectl --namespace ${namespace} logs job/${bootstrapJob}`,
      // While no admin exists the invite is renewed weekly; the newest one is in the newest run's log.
      renewedAdminInvite: `kubectl --namespace ${namespace} logs --selector app=${inviteRenewal} --tail=-1`,
      platform: SEALOS_PLATFORM,
      backups: backupStatus(config, { notYet: BACKUPS_NOT_YET.sealos }),
    };
  },
};
