/**
 * The `homelab` target: Paperclip on any Kubernetes cluster, after the "Frank" seed (system.md §8) —
 * its namespace, Bitnami PostgreSQL from the Helm chart installed first, the database-init Job, the
 * shared Paperclip workload as a Deployment with `Recreate` behind a LoadBalancer with a fixed LAN
 * address, the operator's credentials from ExternalSecrets, optional node pinning, the optional
 * SSH/mosh shell sidecar, and the first-admin Job. On a stock cluster (no External Secrets, no
 * load-balancer implementation) the gateway key comes from Pulumi config, the auth secret is
 * generated and the Service is ClusterIP. Agents hold a gateway key and the gateway's URLs, never a
 * provider key (Principle 3).
 */
import { backupStatus, BACKUPS_NOT_YET } from "./backupStatus";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { agentCiliumEgressPolicy, ciliumAllowList, type CiliumListProblem } from "../../components/kubernetes/agentCiliumEgressPolicy";
import { agentEgressNetworkPolicy, gatewayPeer } from "../../components/kubernetes/agentEgressPolicy";
import { BitnamiPostgres } from "../../components/kubernetes/BitnamiPostgres";
import { EgressProxy } from "../../components/kubernetes/EgressProxy";
import { SQUID_PORT } from "../../components/egress/squidImage";
import { EGRESS_PROXY_SERVICE, egressProxyConfig, egressProxyEnvironment } from "../catalog/egress-proxy";
import { BITNAMI_SECRET_KEYS } from "../../components/kubernetes/bitnamiPostgresChart";
import { externalSecret } from "../../components/kubernetes/customResources";
import { externalSecretsApiVersion, KUBERNETES, type PlatformVersions } from "../../components/kubernetes/platformVersions";
import { PaperclipBootstrapJob } from "../../components/kubernetes/PaperclipBootstrapJob";
import { PaperclipShell } from "../../components/kubernetes/PaperclipShell";
import { PaperclipWorkload } from "../../components/kubernetes/PaperclipWorkload";
import type { DatabaseConnection, SecretKeyRef } from "../../components/kubernetes/podSpec";
import { PostgresDatabaseInit } from "../../components/kubernetes/PostgresDatabaseInit";
import {
  PAPERCLIP_DEFAULT_CONFIG_PATH,
  PAPERCLIP_GENERATED_SECRETS,
  PAPERCLIP_PORT,
  PAPERCLIP_SECRET_ENV,
  PAPERCLIP_SECRET_ROLES,
  type PaperclipDeployment,
} from "../../components/paperclip/paperclipSettings";
import { ConfigError, type ConfigProblem, displayValue } from "../config/ConfigError";
import type { ShellSidecarConfig } from "../config/keys/homelab";
import { PROJECT, stackFileOf, type ConfigValues } from "../config/parse";
import { declarePlanSecrets, generatedHex, opaqueSecret } from "./kubernetes/generatedSecrets";
import {
  type GeneratedSecretSpec,
  type KubernetesPaperclipPlan,
  planKubernetesPaperclip,
  rotationAnnotations,
} from "./kubernetes/paperclipPlan";
import type { TargetImplementation } from "./target";

/** The auth secret, generated when no secret store provides it (a cluster without External Secrets). */
const GENERATED_AUTH_SECRET: GeneratedSecretSpec = {
  name: "paperclip-better-auth-secret",
  description:
    "PAPERCLIP_AGENT_JWT_SECRET (without externalSecretStore): signs sessions and agents' run tokens; rotating it logs everyone out",
};

export const HOMELAB_GENERATED_SECRETS: readonly GeneratedSecretSpec[] = [
  // The auth secret is GENERATED_AUTH_SECRET, generated only without a secret store.
  ...PAPERCLIP_GENERATED_SECRETS.filter((spec) => spec.role !== "authSecret").map(({ name, description, protect }) => ({
    name,
    description,
    ...(protect ? { protect } : {}),
  })),
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
  /** The fixed LAN address of a LoadBalancer Service; without one the Service is ClusterIP. */
  loadBalancerIP?: string;
  nodeSelector?: Record<string, string>;
  tolerations?: k8s.types.input.core.v1.Toleration[];
  /** The releases rendered for (a stack output; `check` validates against it). */
  platform: PlatformVersions;
  /**
   * The operator's credentials: from a ClusterSecretStore through ExternalSecrets (the seed), or,
   * on a cluster without External Secrets, the gateway key from Pulumi config and a generated
   * BETTER_AUTH_SECRET.
   */
  credentials:
    | {
        source: "externalSecrets";
        secretStore: string;
        /** The ExternalSecret API version the stated External Secrets release serves. */
        apiVersion: string;
        externalSecrets: {
          gatewayKey: ExternalSecretPlan;
          authSecret: ExternalSecretPlan;
          braveApiKey?: ExternalSecretPlan;
          resendApiKey?: ExternalSecretPlan;
        };
      }
    | { source: "pulumi"; gatewayKey: pulumi.Input<string> };
  shell?: ShellSidecarConfig;
  /**
   * The egress boundary (docs/egress.md): the egress proxy in the namespace, or (`egressMode: cilium`)
   * a CiliumNetworkPolicy that admits these names and no proxy.
   */
  egress: { mode: "proxy" } | { mode: "cilium"; allowHosts: string[] };
}

/** The operator's setting a `cilium`-mode list problem names, and what it expected. */
function ciliumListProblem(problem: CiliumListProblem): ConfigProblem {
  const allowList = `${PROJECT}:egressAllowHosts`;
  const expected =
    problem.reason === "model-provider"
      ? `a host outside the model providers' names: it admits names of ${problem.provider}, and with egressMode cilium nothing refuses a name the allow-list admits (agents reach models only through the gateway); list the hosts you need by name`
      : problem.reason === "on-both-lists"
        ? `a host not also in ${PROJECT}:egressDenyHosts; keep it on one list`
        : problem.byDefault
          ? `a host egressMode cilium can refuse: it lies inside ${problem.allowedBy}, one of the agents' default hosts, and a CiliumNetworkPolicy cannot refuse a name inside one it allows; deny all of ${problem.allowedBy} instead`
          : `a host egressMode cilium can refuse: it lies inside ${problem.allowedBy}, which ${allowList} allows, and a CiliumNetworkPolicy cannot refuse a name inside one it allows; allow the names you need one by one instead`;
  return { key: `${PROJECT}:${problem.list}.${problem.index}`, found: displayValue(problem.host), expected };
}

/** Everything the homelab stack will be, computed and checked before any resource is declared. */
export function planHomelab(config: ConfigValues): HomelabStackPlan {
  const problems: ConfigProblem[] = [];
  const secretStore = config.externalSecretStore;
  const generatedSecrets = secretStore === undefined ? [GENERATED_AUTH_SECRET, ...HOMELAB_GENERATED_SECRETS] : HOMELAB_GENERATED_SECRETS;
  const paperclip = planKubernetesPaperclip(config, generatedSecrets, problems);
  const loadBalancerIP = config.loadBalancerIP;
  const shell = config.shellSidecar;
  if (secretStore === undefined) {
    if (config.gatewayKey === undefined) {
      problems.push({
        key: `${PROJECT}:gatewayKey`,
        expected:
          "missing: without externalSecretStore the gateway key comes from Pulumi config. Set it with `pulumi config set --secret gatewayKey <value>`, or set externalSecretStore",
      });
    }
    for (const name of ["braveApiKeyRemoteRef", "resendApiKeyRemoteRef"] as const) {
      if (config[name] !== undefined) {
        problems.push({
          key: `${PROJECT}:${name}`,
          found: displayValue(config[name]),
          expected: "is a key of the external secret store: set externalSecretStore too, or remove it",
        });
      }
    }
  } else if (config.gatewayKey !== undefined) {
    problems.push({
      key: `${PROJECT}:gatewayKey`,
      expected: "comes from the secret store (gatewayKeyRemoteRef) when externalSecretStore is set: remove one of them",
    });
  }
  if (shell && shell.loadBalancerIP === loadBalancerIP) {
    problems.push({
      key: `${PROJECT}:shellSidecar.loadBalancerIP`,
      found: displayValue(shell.loadBalancerIP),
      expected: "an address other than loadBalancerIP: the shell has a LoadBalancer of its own (TCP 22, UDP 60000-60015)",
    });
  }
  const cilium = config.egressMode === "cilium" ? ciliumAllowList(config.egressAllowHosts ?? [], config.egressDenyHosts ?? []) : undefined;
  problems.push(...(cilium?.problems ?? []).map(ciliumListProblem));
  if (problems.length > 0) throw new ConfigError(stackFileOf(pulumi.getStack()), problems);

  const deployment: PaperclipDeployment = {
    // Without a LoadBalancer address: `kubectl port-forward svc/paperclip 3100`.
    publicUrl: config.publicUrl ?? `http://${loadBalancerIP ?? "localhost"}:${PAPERCLIP_PORT}`,
    // On the LAN: authenticated mode, private exposure; the hostname guard admits only these hosts.
    exposure: "private",
    extraAllowedHostnames: [...(loadBalancerIP ? [loadBalancerIP] : []), ...(config.allowedHostnames ?? [])],
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
    ...(loadBalancerIP ? { loadBalancerIP } : {}),
    ...(config.pinToNode ? { nodeSelector: { "kubernetes.io/hostname": config.pinToNode }, tolerations: [GPU_TOLERATION] } : {}),
    platform: {
      kubernetes: KUBERNETES.validatedAgainst,
      ...(secretStore === undefined ? {} : { externalSecrets: config.externalSecretsVersion! }),
    },
    credentials:
      secretStore === undefined
        ? { source: "pulumi", gatewayKey: config.gatewayKey! }
        : {
            source: "externalSecrets",
            secretStore,
            apiVersion: externalSecretsApiVersion(config.externalSecretsVersion!)!,
            externalSecrets: {
              gatewayKey: { name: "paperclip-llm-key", data: { "api-key": config.gatewayKeyRemoteRef! }, optional: false },
              authSecret: {
                name: "paperclip-auth",
                data: { [PAPERCLIP_SECRET_ENV.authSecret]: config.authSecretRemoteRef! },
                optional: false,
              },
              ...(brave ? { braveApiKey: brave } : {}),
              ...(resend ? { resendApiKey: resend } : {}),
            },
          },
    ...(shell ? { shell } : {}),
    egress: cilium ? { mode: "cilium", allowHosts: cilium.hosts } : { mode: "proxy" },
  };
}

export const homelabTarget: TargetImplementation = {
  target: "homelab",
  deploy(config) {
    const plan = planHomelab(config);
    const { paperclip, credentials } = plan;
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
          ...(credentials.source === "pulumi"
            ? { [PAPERCLIP_SECRET_ENV.authSecret]: generatedHex(generated, GENERATED_AUTH_SECRET.name) }
            : {}),
          [PAPERCLIP_SECRET_ENV.secretsMasterKey]: generatedHex(generated, "paperclip-secrets-master-key"),
        },
      },
      inNamespace,
    );
    const fromAppSecrets = (key: string): SecretKeyRef => ({ secretName: `${appName}-secrets`, key });

    const fromExternal = (secret: ExternalSecretPlan | undefined, key: string): Record<string, SecretKeyRef> =>
      secret === undefined ? {} : { [key]: { secretName: secret.name, key, ...(secret.optional ? { optional: true } : {}) } };
    let credentialObjects: pulumi.Resource[];
    let gatewayRef: SecretKeyRef;
    let authSecretRef: SecretKeyRef;
    /** The optional features' keys (Brave, Resend), only from the store. */
    let featureEnv: Record<string, SecretKeyRef> = {};
    if (credentials.source === "externalSecrets") {
      const { apiVersion, secretStore } = credentials;
      credentialObjects = Object.values(credentials.externalSecrets).map(
        (secret) =>
          new k8s.apiextensions.CustomResource(
            secret.name,
            externalSecret({
              apiVersion,
              name: secret.name,
              namespace: namespaceName,
              storeName: secretStore,
              targetSecret: secret.name,
              data: secret.data,
              labels,
            }),
            inNamespace,
          ),
      );
      const { gatewayKey, authSecret, braveApiKey, resendApiKey } = credentials.externalSecrets;
      gatewayRef = { secretName: gatewayKey.name, key: "api-key" };
      authSecretRef = { secretName: authSecret.name, key: PAPERCLIP_SECRET_ENV.authSecret };
      featureEnv = { ...fromExternal(braveApiKey, "BRAVE_API_KEY"), ...fromExternal(resendApiKey, "RESEND_API_KEY") };
    } else {
      credentialObjects = [
        opaqueSecret(
          `${appName}-gateway`,
          { name: `${appName}-gateway`, namespace: namespaceName, labels, data: { "api-key": credentials.gatewayKey } },
          inNamespace,
        ),
      ];
      gatewayRef = { secretName: `${appName}-gateway`, key: "api-key" };
      authSecretRef = fromAppSecrets(PAPERCLIP_SECRET_ENV.authSecret);
    }

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

    // The egress boundary (docs/egress.md). `proxy`: the pod reaches DNS, the gateway, the database and
    // the egress proxy, nothing else; the proxy refuses the model providers. `cilium`: no proxy and no
    // proxy variables (a proxy the pod could reach would pass every name but the providers' and make
    // the allow-list moot); Cilium admits the allowed names itself. The plain NetworkPolicy stays in
    // both modes: Cilium adds the allows of both together, and it keeps the pod to DNS, the gateway
    // and the database if the CiliumNetworkPolicy is ever removed.
    const cilium = plan.egress.mode === "cilium";
    const egressProxy = cilium
      ? undefined
      : new EgressProxy(
          EGRESS_PROXY_SERVICE,
          {
            namespace: namespaceName,
            name: EGRESS_PROXY_SERVICE,
            image: config.egressProxyImage!,
            config: egressProxyConfig({ egress: { allowHosts: config.egressAllowHosts ?? [], denyHosts: config.egressDenyHosts ?? [] } }),
          },
          inNamespace,
        );
    const gateway = gatewayPeer(plan.deployment.gatewayBaseUrl);
    const gatewayHost = new URL(plan.deployment.gatewayBaseUrl).hostname;
    const proxyEnv: Record<string, string> = cilium
      ? {}
      : egressProxyEnvironment([
          ...(gateway.kind === "proxied" ? [] : [gatewayHost]),
          postgres.host,
          `${appName}.${namespaceName}.svc.cluster.local`,
        ]);
    const databasePeer = {
      labels: { "app.kubernetes.io/name": "postgresql", "app.kubernetes.io/instance": `${appName}-db` },
      port: postgres.port,
    };
    new k8s.networking.v1.NetworkPolicy(
      `${appName}-egress`,
      agentEgressNetworkPolicy({
        name: `${appName}-egress`,
        namespace: namespaceName,
        agentLabels: labels,
        gateway,
        ...(cilium ? {} : { proxy: { labels: { app: EGRESS_PROXY_SERVICE }, port: SQUID_PORT } }),
        database: databasePeer,
      }),
      inNamespace,
    );
    if (plan.egress.mode === "cilium") {
      new k8s.apiextensions.CustomResource(
        `${appName}-egress-cilium`,
        agentCiliumEgressPolicy({
          name: `${appName}-egress-cilium`,
          namespace: namespaceName,
          agentLabels: labels,
          gateway,
          database: databasePeer,
          allowHosts: plan.egress.allowHosts,
        }),
        inNamespace,
      );
    }

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
            proxyEnv,
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
          [PAPERCLIP_SECRET_ENV.secretsMasterKey]: fromAppSecrets(PAPERCLIP_SECRET_ENV.secretsMasterKey),
          // Agents reach models only through the gateway, with its key as their only credential.
          ...Object.fromEntries(PAPERCLIP_SECRET_ROLES.gatewayKey.map((variable) => [variable, gatewayRef])),
          ...featureEnv,
        },
        database,
        extraEnv: Object.entries(proxyEnv).map(([name, value]) => ({ name, value })),
        // The auth secret reaches the server through the instance's .env only (the init container writes it).
        agentJwtSecret: authSecretRef,
        resources: paperclip.resources,
        volumeSize: paperclip.volumeSize,
        ...(paperclip.storageClassName ? { storageClassName: paperclip.storageClassName } : {}),
        ...(plan.loadBalancerIP ? { serviceType: "LoadBalancer" as const, loadBalancerIP: plan.loadBalancerIP } : {}),
        ...(plan.nodeSelector ? { nodeSelector: plan.nodeSelector } : {}),
        ...(plan.tolerations ? { tolerations: plan.tolerations } : {}),
        ...(shell ? { sidecars: [shell.container], sidecarVolumes: shell.volumes } : {}),
        podAnnotations: rotationAnnotations(
          paperclip,
          paperclip.generatedSecrets.map((spec) => spec.name),
        ),
      },
      {
        dependsOn: [
          namespace,
          databaseInit,
          appSecrets,
          ...(egressProxy ? [egressProxy] : []),
          ...credentialObjects,
          ...(shell?.prerequisites ?? []),
        ],
      },
    );

    const bootstrapJob = `${appName}-bootstrap-ceo`;
    const inviteRenewal = `${appName}-bootstrap-renewal`;
    new PaperclipBootstrapJob(
      bootstrapJob,
      {
        namespace: namespaceName,
        jobName: bootstrapJob,
        renewalName: inviteRenewal,
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
      // While no admin exists the invite is renewed weekly; the newest one is in the newest run's log.
      renewedAdminInvite: `kubectl --namespace ${namespaceName} logs --selector app=${inviteRenewal} --tail=-1`,
      ...(plan.shell ? { shellAddress: plan.shell.loadBalancerIP } : {}),
      platform: plan.platform,
      // `check` states what is enforced by it (cli/egressNotice.ts).
      egressMode: plan.egress.mode,
      backups: backupStatus(config, { notYet: BACKUPS_NOT_YET.homelab }),
    };
  },
};
