/**
 * The `homelab` target: Paperclip on any Kubernetes cluster, after the "Frank" seed (system.md §8) —
 * its namespace, Bitnami PostgreSQL from the Helm chart installed first, the database-init Job, the
 * shared Paperclip workload as a Deployment with `Recreate` behind a LoadBalancer with a fixed LAN
 * address, the operator's credentials from ExternalSecrets, optional node pinning, the optional
 * SSH/mosh shell sidecar, and the first-admin Job. Agents hold a gateway key and the gateway's URLs,
 * never a provider key (Principle 3).
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { BitnamiPostgres } from "../../components/kubernetes/BitnamiPostgres";
import { BITNAMI_SECRET_KEYS } from "../../components/kubernetes/bitnamiPostgresChart";
import { externalSecret } from "../../components/kubernetes/customResources";
import { externalSecretsApiVersion, KUBERNETES, type PlatformVersions } from "../../components/kubernetes/platformVersions";
import { PaperclipBootstrapJob } from "../../components/kubernetes/PaperclipBootstrapJob";
import { PaperclipShell } from "../../components/kubernetes/PaperclipShell";
import { PaperclipWorkload } from "../../components/kubernetes/PaperclipWorkload";
import type { DatabaseConnection, SecretKeyRef } from "../../components/kubernetes/podSpec";
import { PostgresDatabaseInit } from "../../components/kubernetes/PostgresDatabaseInit";
import {
  GATEWAY_KEY_ENV,
  PAPERCLIP_AGENT_JWT_SECRET_ENV,
  PAPERCLIP_DEFAULT_CONFIG_PATH,
  PAPERCLIP_PORT,
  PAPERCLIP_SECRET_ENV,
  type PaperclipDeployment,
} from "../../components/paperclip/paperclipSettings";
import { ConfigError, type ConfigProblem, displayValue } from "../config/ConfigError";
import type { ShellSidecarConfig } from "../config/keys/homelab";
import { PROJECT, stackFileOf, type ConfigValues } from "../config/parse";
import { declarePlanSecrets, generatedHex, opaqueSecret } from "./kubernetes/generatedSecrets";
import { type GeneratedSecretSpec, type KubernetesPaperclipPlan, planKubernetesPaperclip, rotationAnnotations } from "./kubernetes/paperclipPlan";
import type { TargetImplementation } from "./target";

export const HOMELAB_GENERATED_SECRETS: readonly GeneratedSecretSpec[] = [
  {
    name: "paperclip-secrets-master-key",
    description: "PAPERCLIP_SECRETS_MASTER_KEY: encrypts the secrets stored in Paperclip's database",
    protect: true,
  },
  { name: "paperclip-agent-jwt-secret", description: "PAPERCLIP_AGENT_JWT_SECRET: signs agents' run tokens" },
  { name: "paperclip-db-password", description: "password of Paperclip's PostgreSQL role, reset by the database-init Job" },
  {
    name: "paperclip-db-admin-password",
    description: "password of PostgreSQL's postgres administrator",
    notRotatable: "the Bitnami chart applies it only when it initialises the data directory",
  },
];

/** The seed's taint on gpu-1, tolerated defensively: the GPU operator can re-assert it while it re-validates drivers. */
export const GPU_TOLERATION: k8s.types.input.core.v1.Toleration = { key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" };

/** An ExternalSecret and the Secret it keeps in sync. */
export interface ExternalSecretPlan {
  /** Name of the ExternalSecret and of its target Secret (the seed's names). */
  name: string;
  /** Secret key → key in the store. */
  data: Record<string, string>;
  /** Whether the pod may start without it (features that are not always provisioned). */
  optional: boolean;
}

export interface HomelabStackPlan {
  paperclip: KubernetesPaperclipPlan;
  deployment: PaperclipDeployment;
  loadBalancerIP: string;
  nodeSelector?: Record<string, string>;
  tolerations?: k8s.types.input.core.v1.Toleration[];
  secretStore: string;
  /** The releases rendered for (a stack output; `check` validates against it). */
  platform: PlatformVersions;
  /** The ExternalSecret API version the stated External Secrets release serves. */
  externalSecretApiVersion: string;
  externalSecrets: {
    gatewayKey: ExternalSecretPlan;
    authSecret: ExternalSecretPlan;
    braveApiKey?: ExternalSecretPlan;
    resendApiKey?: ExternalSecretPlan;
  };
  shell?: ShellSidecarConfig;
}

/** Everything the homelab stack will be, computed and checked before any resource is declared. */
export function planHomelab(config: ConfigValues): HomelabStackPlan {
  const problems: ConfigProblem[] = [];
  const paperclip = planKubernetesPaperclip(config, HOMELAB_GENERATED_SECRETS, problems);
  const loadBalancerIP = config.loadBalancerIP!;
  const shell = config.shellSidecar;
  if (shell && shell.loadBalancerIP === loadBalancerIP) {
    problems.push({
      key: `${PROJECT}:shellSidecar.loadBalancerIP`,
      found: displayValue(shell.loadBalancerIP),
      expected: "an address other than loadBalancerIP: the shell has a LoadBalancer of its own (TCP 22, UDP 60000-60015)",
    });
  }
  if (problems.length > 0) throw new ConfigError(stackFileOf(pulumi.getStack()), problems);

  const deployment: PaperclipDeployment = {
    publicUrl: config.publicUrl ?? `http://${loadBalancerIP}:${PAPERCLIP_PORT}`,
    // On the LAN: authenticated mode, private exposure; the hostname guard admits only these hosts.
    exposure: "private",
    extraAllowedHostnames: [loadBalancerIP, ...(config.allowedHostnames ?? [])],
    gatewayBaseUrl: paperclip.gatewayBaseUrl,
    configPath: PAPERCLIP_DEFAULT_CONFIG_PATH,
    disableSignUp: paperclip.disableSignUp,
  };
  const optionalFeature = (name: string, variable: string, remoteKey: string | undefined): ExternalSecretPlan | undefined =>
    remoteKey === undefined ? undefined : { name, data: { [variable]: remoteKey }, optional: true };
  const brave = optionalFeature("paperclip-brave", "BRAVE_API_KEY", config.braveApiKeyRemoteRef);
  const resend = optionalFeature("paperclip-resend", "RESEND_API_KEY", config.resendApiKeyRemoteRef);
  return {
    paperclip,
    deployment,
    loadBalancerIP,
    ...(config.pinToNode
      ? { nodeSelector: { "kubernetes.io/hostname": config.pinToNode }, tolerations: [GPU_TOLERATION] }
      : {}),
    secretStore: config.externalSecretStore!,
    platform: { kubernetes: KUBERNETES.validatedAgainst, externalSecrets: config.externalSecretsVersion! },
    externalSecretApiVersion: externalSecretsApiVersion(config.externalSecretsVersion!)!,
    externalSecrets: {
      gatewayKey: { name: "paperclip-llm-key", data: { "api-key": config.gatewayKeyRemoteRef! }, optional: false },
      authSecret: { name: "paperclip-auth", data: { [PAPERCLIP_SECRET_ENV.authSecret]: config.authSecretRemoteRef! }, optional: false },
      ...(brave ? { braveApiKey: brave } : {}),
      ...(resend ? { resendApiKey: resend } : {}),
    },
    ...(shell ? { shell } : {}),
  };
}

export const homelabTarget: TargetImplementation = {
  target: "homelab",
  deploy(config) {
    const plan = planHomelab(config);
    const { paperclip } = plan;
    const { namespace: namespaceName, appName } = paperclip;
    const labels = { app: appName };

    const namespace = new k8s.core.v1.Namespace(`${appName}-namespace`, {
      metadata: {
        name: namespaceName,
        labels: {
          // Everything here runs non-root without capabilities; warn on anything that would not.
          "pod-security.kubernetes.io/enforce": "baseline",
          "pod-security.kubernetes.io/warn": "restricted",
          "pod-security.kubernetes.io/audit": "restricted",
        },
      },
    });
    const inNamespace = { dependsOn: [namespace] };

    const generated = declarePlanSecrets(paperclip);
    const appSecrets = opaqueSecret(
      `${appName}-secrets`,
      {
        name: `${appName}-secrets`,
        namespace: namespaceName,
        labels,
        data: {
          [PAPERCLIP_SECRET_ENV.secretsMasterKey]: generatedHex(generated, "paperclip-secrets-master-key"),
          [PAPERCLIP_AGENT_JWT_SECRET_ENV]: generatedHex(generated, "paperclip-agent-jwt-secret"),
        },
      },
      inNamespace,
    );
    const fromAppSecrets = (key: string): SecretKeyRef => ({ secretName: `${appName}-secrets`, key });

    const externalSecrets = Object.values(plan.externalSecrets).map(
      (secret) =>
        new k8s.apiextensions.CustomResource(
          secret.name,
          externalSecret({ apiVersion: plan.externalSecretApiVersion, name: secret.name, namespace: namespaceName, storeName: plan.secretStore, targetSecret: secret.name, data: secret.data, labels }),
          inNamespace,
        ),
    );
    const fromExternal = (secret: ExternalSecretPlan | undefined, key: string): Record<string, SecretKeyRef> =>
      secret === undefined ? {} : { [key]: { secretName: secret.name, key, ...(secret.optional ? { optional: true } : {}) } };
    const { gatewayKey, authSecret, braveApiKey, resendApiKey } = plan.externalSecrets;
    const gatewayRef: SecretKeyRef = { secretName: gatewayKey.name, key: "api-key" };

    const postgres = new BitnamiPostgres(
      `${appName}-db`,
      {
        namespace: namespaceName,
        releaseName: `${appName}-db`,
        adminPassword: generatedHex(generated, "paperclip-db-admin-password"),
        userPassword: generatedHex(generated, "paperclip-db-password"),
        username: "paperclip",
        database: "paperclip",
        storageSize: paperclip.postgresVolumeSize,
        ...(paperclip.storageClassName ? { storageClassName: paperclip.storageClassName } : {}),
      },
      inNamespace,
    );
    const database: DatabaseConnection = {
      host: postgres.host,
      port: postgres.port,
      database: "paperclip",
      user: "paperclip",
      password: { secretName: postgres.credentialsSecret, key: BITNAMI_SECRET_KEYS.user },
    };
    const databaseInit = new PostgresDatabaseInit(
      `${appName}-db-init`,
      {
        namespace: namespaceName,
        jobName: `${appName}-db-init`,
        image: paperclip.postgresClientImage,
        admin: {
          host: { value: postgres.host },
          port: { value: String(postgres.port) },
          user: { value: "postgres" },
          password: { secretName: postgres.credentialsSecret, key: BITNAMI_SECRET_KEYS.admin },
        },
        database: database.database,
        owner: database.user,
        ownerPassword: database.password,
        podAnnotations: rotationAnnotations(paperclip, ["paperclip-db-password"]),
      },
      // The chart before anything that uses the database (the seed's sync waves 0 and 1).
      { dependsOn: [postgres] },
    );

    const shell = plan.shell
      ? new PaperclipShell(
          `${appName}-shell`,
          {
            namespace: namespaceName,
            appName,
            image: plan.shell.image,
            loadBalancerIP: plan.shell.loadBalancerIP,
            sshPort: plan.shell.sshPort,
            homeSize: plan.shell.homeSize,
            ...(paperclip.storageClassName ? { storageClassName: paperclip.storageClassName } : {}),
            authorizedKeys: plan.shell.authorizedKeys,
            inventory: plan.shell.inventory,
            dataVolumeName: "data",
            gateway: { baseUrl: plan.deployment.gatewayBaseUrl, key: gatewayRef },
          },
          inNamespace,
        )
      : undefined;

    const workload = new PaperclipWorkload(
      appName,
      {
        namespace: namespaceName,
        appName,
        image: paperclip.image,
        kind: "Deployment",
        deployment: plan.deployment,
        secretEnv: {
          ...fromExternal(authSecret, PAPERCLIP_SECRET_ENV.authSecret),
          [PAPERCLIP_SECRET_ENV.secretsMasterKey]: fromAppSecrets(PAPERCLIP_SECRET_ENV.secretsMasterKey),
          // Agents reach models only through the gateway, with its key as their only credential.
          ...Object.fromEntries(GATEWAY_KEY_ENV.map((variable) => [variable, gatewayRef])),
          ...fromExternal(braveApiKey, "BRAVE_API_KEY"),
          ...fromExternal(resendApiKey, "RESEND_API_KEY"),
        },
        database,
        agentJwtSecret: fromAppSecrets(PAPERCLIP_AGENT_JWT_SECRET_ENV),
        resources: paperclip.resources,
        volumeSize: paperclip.volumeSize,
        ...(paperclip.storageClassName ? { storageClassName: paperclip.storageClassName } : {}),
        serviceType: "LoadBalancer",
        loadBalancerIP: plan.loadBalancerIP,
        ...(plan.nodeSelector ? { nodeSelector: plan.nodeSelector } : {}),
        ...(plan.tolerations ? { tolerations: plan.tolerations } : {}),
        ...(shell ? { sidecars: [shell.container], sidecarVolumes: shell.volumes } : {}),
        podAnnotations: rotationAnnotations(paperclip, HOMELAB_GENERATED_SECRETS.map((spec) => spec.name)),
      },
      { dependsOn: [namespace, databaseInit, appSecrets, ...externalSecrets, ...(shell?.prerequisites ?? [])] },
    );

    const bootstrapJob = `${appName}-bootstrap-ceo`;
    new PaperclipBootstrapJob(
      bootstrapJob,
      {
        namespace: namespaceName,
        jobName: bootstrapJob,
        image: paperclip.image,
        configFiles: workload.configFiles,
        healthUrl: workload.healthUrl,
        publicUrl: plan.deployment.publicUrl,
        database,
      },
      { dependsOn: [workload] },
    );

    return {
      target: "homelab",
      namespace: namespaceName,
      publicUrl: plan.deployment.publicUrl,
      firstAdminInvite: `kubectl --namespace ${namespaceName} logs job/${bootstrapJob}`,
      ...(plan.shell ? { shellAddress: plan.shell.loadBalancerIP } : {}),
      platform: plan.platform,
    };
  },
};
