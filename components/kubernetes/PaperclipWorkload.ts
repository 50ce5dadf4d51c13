import { createHash } from "node:crypto";
import { CLAUDE_CODE_MANAGED_SETTINGS_PATH, renderClaudeCodeManagedSettings } from "../paperclip/claudeCodeManagedSettings";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import {
  PAPERCLIP_AGENT_JWT_SECRET_ENV,
  PAPERCLIP_HOME,
  PAPERCLIP_PORT,
  PAPERCLIP_SERVER_COMMAND,
  type PaperclipDeployment,
  paperclipConfigDocumentWithoutSecrets,
  paperclipEnvironment,
} from "../paperclip/paperclipSettings";
import { type AppLaunchpadConfigFile, appLaunchpadConfigFile, appLaunchpadName, wholeGibibytes } from "./appLaunchpad";
import { childOptions } from "./childOptions";
import { RenderRefusal } from "../../infra/config/RenderRefusal";
import {
  type ContainerResources,
  type DatabaseConnection,
  databaseUrlEnv,
  healthUrl,
  PAPERCLIP_UID,
  paperclipProbes,
  plainEnv,
  resourceRequirements,
  restrictedContainerSecurityContext,
  type SecretKeyRef,
  secretEnv,
} from "./podSpec";
import { CONFIGURE_INSTANCE_SCRIPT, BOOTSTRAP_ADMIN_SCRIPT, PAPERCLIP_CONFIG_MOUNT, SCRIPT_FILES } from "./scripts";

type EnvVar = k8s.types.input.core.v1.EnvVar;

export interface PaperclipWorkloadArgs {
  /** Namespace of every object. */
  namespace: string;
  /** Name of the workload, its Service, its container and the prefix of its ConfigMap. Default: `paperclip`. */
  appName?: string;
  /** Fully-qualified, pinned Paperclip image. */
  image: pulumi.Input<string>;
  /**
   * `StatefulSet` (default): the volume comes from a volumeClaimTemplate and an update replaces the
   * one pod in place. `Deployment`: strategy `Recreate` and a claim of its own, so the old pod
   * releases the ReadWriteOnce volume before the new one mounts it (RollingUpdate deadlocks on
   * Multi-Attach: the homelab seed's lesson). Both run exactly one replica: Paperclip's scheduler
   * (heartbeats, routines) runs in-process without leader election.
   */
  kind?: "StatefulSet" | "Deployment";
  /** What Paperclip is told about itself (the shared model): URLs, exposure, gateway, storage. */
  deployment: PaperclipDeployment;
  /** Secret environment, variable name → Secret key; listed in this order after the plain variables. */
  secretEnv?: Readonly<Record<string, SecretKeyRef>>;
  /** Further entries in Kubernetes form (may expand variables defined before them). */
  extraEnv?: readonly EnvVar[];
  /**
   * Paperclip's database. Only the init container holds its URL (assembled from the password
   * Secret) and writes it into config.json on the volume: DATABASE_URL in the server's environment
   * would reach every agent.
   */
  database: DatabaseConnection;
  /** The agent JWT secret (the auth secret); the init container writes it to the instance's .env too. */
  agentJwtSecret: SecretKeyRef;
  /** Requests and limits of the Paperclip container (agent CLIs run inside it). */
  resources: ContainerResources;
  /** Size of the ReadWriteOnce volume at /paperclip. */
  volumeSize: string;
  /** StorageClass of that volume. Default: the cluster's default class. */
  storageClassName?: string;
  /**
   * Name the data volume and config files the way Sealos App Launchpad does (appLaunchpad.ts:
   * `vn-paperclip` with its path and size annotations, the resize annotation), so its console can
   * show and resize them. Needs a volume size in whole Gi. The ConfigMap is named after the app and
   * keyed by App Launchpad's rule on every stack.
   */
  appLaunchpadNaming?: boolean;
  /** Service type. Default: `ClusterIP`. */
  serviceType?: "ClusterIP" | "LoadBalancer";
  /** Fixed address of a LoadBalancer Service (honoured by MetalLB, Cilium LB-IPAM, kube-vip). */
  loadBalancerIP?: string;
  /** Extra labels on every object (selectors use `app: <appName>` only). */
  labels?: Readonly<Record<string, string>>;
  /** Extra annotations on the workload object. */
  annotations?: Readonly<Record<string, string>>;
  /** Extra annotations on the pod template; a change restarts the pod (secret rotations). */
  podAnnotations?: Readonly<Record<string, string>>;
  nodeSelector?: Readonly<Record<string, string>>;
  tolerations?: readonly k8s.types.input.core.v1.Toleration[];
  /** More containers in the pod (the homelab's shell sidecar); the data volume is `dataVolumeName`. */
  sidecars?: readonly k8s.types.input.core.v1.Container[];
  sidecarVolumes?: readonly k8s.types.input.core.v1.Volume[];
}

const RENDERER = "components/kubernetes/PaperclipWorkload.ts";
const sha256 = (text: string): string => createHash("sha256").update(text).digest("hex");

/**
 * Paperclip on Kubernetes, the same for every Kubernetes stack: one replica (StatefulSet, or a
 * Deployment with `Recreate`), a ReadWriteOnce volume at /paperclip made writable for uid 1000 by
 * `fsGroup: 1000`, an init container that writes config.json (with the database URL) and the agent JWT secret,
 * the shared model's environment (gateway URLs; no provider key), probes with the Host header the
 * hostname guard accepts, and a Service. Security posture (contract): non-root uid 1000, no privilege
 * escalation, all capabilities dropped, RuntimeDefault seccomp, no service-account token (agents get
 * no cluster credentials), no service links (no `PAPERCLIP_PORT=tcp://…` injected into Paperclip's
 * own variable namespace, nor anything else into agents' environment).
 */
export class PaperclipWorkload extends pulumi.ComponentResource {
  /** The StatefulSet or Deployment. */
  readonly workload: k8s.apps.v1.StatefulSet | k8s.apps.v1.Deployment;
  readonly service: k8s.core.v1.Service;
  /** Name of the Service, in the namespace. */
  readonly serviceName: string;
  /** ConfigMap with config.json (no secret in it) and the workload's scripts, named after the app. */
  readonly configMapName: string;
  /** Its files as volumes and mounts under /etc/paperclip (the first-admin Job mounts them too). */
  readonly configFiles: readonly AppLaunchpadConfigFile[];
  /** Name of the /paperclip volume in the pod (`data`, or `vn-paperclip` with App Launchpad naming). */
  readonly dataVolumeName: string;
  /** The in-cluster health URL (send `Host: localhost`). */
  readonly healthUrl: string;

  constructor(name: string, args: PaperclipWorkloadArgs, opts?: pulumi.ComponentResourceOptions) {
    super("harness:kubernetes:PaperclipWorkload", name, {}, opts);
    const appName = args.appName ?? "paperclip";
    const kind = args.kind ?? "StatefulSet";
    const labels = { app: appName, "app.kubernetes.io/name": "paperclip", "app.kubernetes.io/instance": appName, ...args.labels };
    const selector = { app: appName };

    const configDocument = `${JSON.stringify(paperclipConfigDocumentWithoutSecrets(args.deployment), null, 2)}\n`;
    // By mount path. Claude Code's managed settings: the gateway for every way Paperclip starts it
    // (components/paperclip/claudeCodeManagedSettings.ts).
    const files: Record<string, string> = {
      [`${PAPERCLIP_CONFIG_MOUNT}/config.json`]: configDocument,
      [`${PAPERCLIP_CONFIG_MOUNT}/${SCRIPT_FILES.configureInstance}`]: CONFIGURE_INSTANCE_SCRIPT,
      [`${PAPERCLIP_CONFIG_MOUNT}/${SCRIPT_FILES.bootstrapAdmin}`]: BOOTSTRAP_ADMIN_SCRIPT,
      [CLAUDE_CODE_MANAGED_SETTINGS_PATH]: renderClaudeCodeManagedSettings(args.deployment.gatewayBaseUrl),
    };
    // One ConfigMap named after the app, each file keyed and mounted as Sealos App Launchpad lays
    // config files out (appLaunchpad.ts), so its console shows them and keeps them when it saves the app.
    this.configMapName = appName;
    const laidOut = Object.entries(files).map(([mountPath, content]) => ({
      file: appLaunchpadConfigFile(this.configMapName, mountPath),
      content,
    }));
    this.configFiles = laidOut.map(({ file }) => file);
    const configData = Object.fromEntries(laidOut.map(({ file, content }) => [file.key, content]));
    const configMap = new k8s.core.v1.ConfigMap(
      `${name}-config`,
      { metadata: { name: this.configMapName, namespace: args.namespace, labels }, data: configData },
      childOptions(this, opts),
    );

    const env = [
      ...plainEnv(paperclipEnvironment(args.deployment)),
      ...Object.entries(args.secretEnv ?? {}).map(([variable, ref]) => secretEnv(variable, ref)),
      ...(args.extraEnv ?? []),
    ];
    assertUniqueNames(env, `the environment of ${name}`);

    const volumeGi = wholeGibibytes(args.volumeSize);
    if (args.appLaunchpadNaming && volumeGi === undefined)
      throw new RenderRefusal(`the volume of ${name}`, RENDERER, "a whole number of Gi: App Launchpad sizes volumes in Gi", {
        value: args.volumeSize,
      });
    this.dataVolumeName = args.appLaunchpadNaming ? appLaunchpadName(PAPERCLIP_HOME) : "data";
    const dataMount = { name: this.dataVolumeName, mountPath: PAPERCLIP_HOME };
    const configMounts = this.configFiles.map((file) => file.mount);
    const claudeCodeSettingsMount = this.configFiles.find((file) => file.mountPath === CLAUDE_CODE_MANAGED_SETTINGS_PATH)!.mount;
    const securityContext = restrictedContainerSecurityContext();
    const configPath = args.deployment.configPath;

    const configure: k8s.types.input.core.v1.Container = {
      name: "configure",
      image: args.image,
      imagePullPolicy: "IfNotPresent",
      command: ["/bin/sh", `${PAPERCLIP_CONFIG_MOUNT}/${SCRIPT_FILES.configureInstance}`],
      env: [
        { name: "PAPERCLIP_CONFIG", value: configPath },
        { name: "PAPERCLIP_CONFIG_TEMPLATE", value: `${PAPERCLIP_CONFIG_MOUNT}/config.json` },
        secretEnv(PAPERCLIP_AGENT_JWT_SECRET_ENV, args.agentJwtSecret),
        // Only here: it writes config.json's connection string (scripts.ts), which the server and
        // `paperclipai doctor` read; the server's own environment has none for agents to inherit.
        ...databaseUrlEnv(args.database),
      ],
      // node writes the database URL into config.json: 64Mi is too tight for it to start.
      resources: resourceRequirements({ cpuRequest: "10m", cpuLimit: "200m", memoryRequest: "32Mi", memoryLimit: "128Mi" }),
      securityContext,
      volumeMounts: [dataMount, ...configMounts],
    };

    const paperclip: k8s.types.input.core.v1.Container = {
      name: appName,
      image: args.image,
      imagePullPolicy: "IfNotPresent",
      // Upstream's entrypoint drops privileges with gosu and fails when started as non-root (up to v2026.416.0):
      // start the server the way its CMD does, as uid 1000 from the start.
      command: ["/usr/local/bin/node"],
      args: [...PAPERCLIP_SERVER_COMMAND],
      workingDir: "/app",
      ports: [{ name: "http", containerPort: PAPERCLIP_PORT, protocol: "TCP" }],
      env,
      resources: resourceRequirements(args.resources),
      securityContext,
      // The config files are mounted here too, only so that Sealos's console (which reads the first
      // container's mounts) lists them; Paperclip reads its config.json from the volume.
      volumeMounts: [dataMount, ...configMounts],
      ...paperclipProbes(),
    };

    const podSpec: k8s.types.input.core.v1.PodSpec = {
      automountServiceAccountToken: false,
      enableServiceLinks: false,
      securityContext: {
        runAsNonRoot: true,
        fsGroup: PAPERCLIP_UID,
        fsGroupChangePolicy: "OnRootMismatch",
        seccompProfile: { type: "RuntimeDefault" },
      },
      // Agents may hold work in flight; give the server time to stop cleanly.
      terminationGracePeriodSeconds: 60,
      initContainers: [configure],
      // A sidecar shares the pod and runs CLIs too: Claude Code's managed settings there as well.
      containers: [paperclip, ...(args.sidecars ?? []).map((sidecar) => withMount(sidecar, claudeCodeSettingsMount))],
      volumes: [
        ...this.configFiles.map((file) => file.volume),
        ...(kind === "Deployment" ? [{ name: this.dataVolumeName, persistentVolumeClaim: { claimName: `${appName}-data` } }] : []),
        ...(args.sidecarVolumes ?? []),
      ],
      ...(args.nodeSelector ? { nodeSelector: { ...args.nodeSelector } } : {}),
      ...(args.tolerations ? { tolerations: [...args.tolerations] } : {}),
    };
    const template = {
      metadata: {
        labels,
        annotations: { "paperclip-harness/config-sha256": sha256(JSON.stringify(configData)), ...args.podAnnotations },
      },
      spec: podSpec,
    };
    const annotations = { ...args.annotations, ...(args.appLaunchpadNaming ? { "deploy.cloud.sealos.io/resize": `${volumeGi}Gi` } : {}) };
    const metadata = { name: appName, namespace: args.namespace, labels, ...(Object.keys(annotations).length > 0 ? { annotations } : {}) };
    const claimSpec: k8s.types.input.core.v1.PersistentVolumeClaimSpec = {
      accessModes: ["ReadWriteOnce"],
      resources: { requests: { storage: args.volumeSize } },
      ...(args.storageClassName ? { storageClassName: args.storageClassName } : {}),
    };

    this.serviceName = appName;
    if (kind === "StatefulSet") {
      this.workload = new k8s.apps.v1.StatefulSet(
        `${name}-statefulset`,
        {
          metadata,
          spec: {
            replicas: 1,
            serviceName: this.serviceName,
            selector: { matchLabels: selector },
            updateStrategy: { type: "RollingUpdate" },
            revisionHistoryLimit: 1,
            // The data outlives the declaration: deleting the StatefulSet keeps the claim.
            persistentVolumeClaimRetentionPolicy: { whenDeleted: "Retain", whenScaled: "Retain" },
            template,
            volumeClaimTemplates: [
              {
                metadata: {
                  name: this.dataVolumeName,
                  labels,
                  ...(args.appLaunchpadNaming ? { annotations: { path: PAPERCLIP_HOME, value: String(volumeGi) } } : {}),
                },
                spec: claimSpec,
              },
            ],
          },
        },
        childOptions(this, opts, [configMap]),
      );
    } else {
      const claim = new k8s.core.v1.PersistentVolumeClaim(
        `${name}-data`,
        { metadata: { name: `${appName}-data`, namespace: args.namespace, labels }, spec: claimSpec },
        // The data outlives the declaration: `pulumi destroy` leaves the claim (and its volume) behind.
        childOptions(this, opts, [], { retainOnDelete: true }),
      );
      this.workload = new k8s.apps.v1.Deployment(
        `${name}-deployment`,
        {
          metadata,
          spec: {
            replicas: 1,
            selector: { matchLabels: selector },
            strategy: { type: "Recreate" },
            revisionHistoryLimit: 1,
            template,
          },
        },
        childOptions(this, opts, [configMap, claim]),
      );
    }

    this.service = new k8s.core.v1.Service(
      `${name}-service`,
      {
        metadata: { name: this.serviceName, namespace: args.namespace, labels },
        spec: {
          type: args.serviceType ?? "ClusterIP",
          selector,
          ports: [{ name: "http", port: PAPERCLIP_PORT, targetPort: "http", protocol: "TCP" }],
          ...(args.loadBalancerIP ? { loadBalancerIP: args.loadBalancerIP } : {}),
        },
      },
      childOptions(this, opts),
    );

    this.healthUrl = healthUrl(this.serviceName, args.namespace);
    this.registerOutputs({ serviceName: this.serviceName, configMapName: this.configMapName, healthUrl: this.healthUrl });
  }
}

function assertUniqueNames(env: readonly EnvVar[], what: string): void {
  const seen = new Set<string>();
  for (const entry of env) {
    const variable = entry.name as string;
    if (seen.has(variable)) throw new RenderRefusal(what, RENDERER, "each variable once", { value: variable });
    seen.add(variable);
  }
}

/** The container with one more volume mount. */
function withMount(
  container: k8s.types.input.core.v1.Container,
  mount: k8s.types.input.core.v1.VolumeMount,
): k8s.types.input.core.v1.Container {
  return { ...container, volumeMounts: pulumi.output(container.volumeMounts ?? []).apply((mounts) => [...(mounts ?? []), mount]) };
}
