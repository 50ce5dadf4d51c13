/**
 * The target-neutral view every Principle 3 and hardening rule judges: a *workload* is one
 * container (or host service, or Fly app) with the environment, secrets, networks, ports, mounts,
 * probes and limits its leaf resources give it. Each target has one reader that builds workloads
 * from its leaf shapes:
 * - fedora (Quadlet): `command:remote:Command`s that write unit files (`# harness:file <path>`, the
 *   text on stdin) and create Podman secrets (`podman secret create … -`, the value on stdin);
 * - Kubernetes: pod templates of Deployments, StatefulSets, DaemonSets, Jobs, CronJobs and Pods,
 *   with the Secrets, ExternalSecrets, ConfigMaps, PVCs and Services they refer to;
 * - Fly: `command:local:Command`s running flyctl, whose inputs carry fly.toml and the staged secrets.
 */
import type { StackResource, Unknown } from "./plain";
import { readQuadlet } from "./quadlet";
import { readKubernetes } from "./kubernetes";
import { readFly } from "./fly";

export type Target = "quadlet" | "kubernetes" | "fly";

/** Where an environment variable's value comes from. */
export type EnvSource =
  | { kind: "plain"; value: string | Unknown }
  | { kind: "secret"; secret: SecretRef }
  | { kind: "config-map"; configMap: string; key?: string; optional: boolean }
  /** An env file whose content is not visible: never written by the stack, or (pending) a secret file not known until deployment. */
  | { kind: "env-file"; path: string; pending?: boolean }
  | { kind: "runtime" };

export interface EnvVar {
  name: string;
  source: EnvSource;
  /** Where it is set, for messages ("Environment= in paperclip.container"). */
  where: string;
}

/** A reference to a value held by a secret mechanism. */
export interface SecretRef {
  mechanism: "podman" | "kubernetes" | "fly" | "file";
  /** Podman secret name, Kubernetes Secret name, the Fly secret's (variable) name, or a secret file's path. */
  name: string;
  /** Key inside a Kubernetes Secret; undefined for a whole-Secret envFrom or a Podman/Fly secret. */
  key?: string;
  /** Kubernetes `optional: true`. */
  optional?: boolean;
  namespace?: string;
  /** The name is an output not known yet (first preview): which secret it is gets judged when it is known. */
  pending?: boolean;
}

/** A value delivered through a secret mechanism, with where it came from. */
export interface SecretPayload {
  mechanism: SecretRef["mechanism"];
  name: string;
  key?: string;
  namespace?: string;
  /** The value (the analyzer sees secrets unwrapped), or UNKNOWN during preview, or undefined when never visible. */
  value: string | Unknown | undefined;
  urn: string;
  /** URNs of the resources whose outputs make up the value (empty for an operator's config value). */
  provenance: string[];
  /** For a Secret an ExternalSecret produces: the key in the external store. */
  remoteKey?: string;
  /** Human-readable origin ("Podman secret paperclip-openai-api-key"). */
  label: string;
}

export interface PublishedPort {
  hostIp?: string;
  hostPort?: number;
  containerPort: number;
  protocol: string;
  where: string;
}

export interface Mount {
  source: string;
  destination: string;
  /** The file's text when the stack writes it (harness config files). */
  text?: string;
}

export type Probe =
  | { kind: "http"; port?: number | string; path?: string; host?: string; headers: Record<string, string>; where: string }
  | { kind: "command"; argv: string[]; where: string }
  | { kind: "tcp" | "grpc" | "other"; where: string };

export interface KubernetesDetails {
  kind: string;
  objectName?: string;
  namespace?: string;
  replicas?: number | Unknown;
  strategy?: string | Unknown;
  /** PVC claim names mounted by the pod, with the access modes when the stack declares the claim. */
  claims: { claimName: string; accessModes?: string[] }[];
  hostNetwork: boolean;
  initContainer: boolean;
}

export interface Workload {
  target: Target;
  /** Container name (Quadlet ContainerName, Kubernetes container name, Fly app name). */
  name: string;
  /** The object it belongs to (unit name, Deployment name, Fly app), if different. */
  owner?: string;
  /** The leaf resource that defines it: violations are reported against this URN. */
  urn: string;
  /** What to call it in messages ("paperclip.container", "Deployment paperclip/paperclip"). */
  label: string;
  image?: string | Unknown;
  env: EnvVar[];
  /** Whole-secret / whole-config-map imports whose keys the stack does not show. */
  opaqueEnvSources: { description: string; ref?: SecretRef }[];
  /** A program on the host (a plain systemd service), not a container. */
  hostService?: boolean;
  /** Networks it joins (Quadlet); `host` for the host's network namespace. */
  networks: string[];
  /** Quadlet: each shared network it joins with its fixed address there (`Network=<name>.network:ip=…`), if any. */
  networkAddresses?: { network: string; ip?: string }[];
  hostNetwork: boolean;
  ports: PublishedPort[];
  mounts: Mount[];
  /** Secrets mounted as files. */
  secretMounts: { ref: SecretRef; destination: string }[];
  /** Command line words (command, args, Exec=, PodmanArgs=). */
  commandLine: string[];
  probes: Probe[];
  /** Memory limit in bytes: undefined when none is set, UNKNOWN when not known yet. */
  memoryLimit?: number | Unknown;
  /** What an unset memory limit means on this target (Fly machines and Kubernetes namespaces impose small defaults). */
  memoryLimitRequired: boolean;
  kubernetes?: KubernetesDetails;
}

/** Plain text a stack puts somewhere readable (unit files, config files, ConfigMaps, fly.toml, command lines). */
export interface PlainText {
  urn: string;
  label: string;
  text: string;
}

export interface StackModel {
  resources: StackResource[];
  byUrn: Map<string, StackResource>;
  workloads: Workload[];
  secrets: SecretPayload[];
  plainTexts: PlainText[];
  /** Image references that are not a workload's own image (Helm values, Dockerfile FROM lines, .build units). */
  otherImages: { image: string; urn: string; where: string }[];
  /** Kubernetes Services: name, namespace, and the workloads they select. */
  services: { name: string; namespace?: string; selects: Workload[] }[];
  /** Quadlet networks: unit file name → network name. */
  networkNames: Map<string, string>;
}

export function readStack(resources: StackResource[]): StackModel {
  const model: StackModel = {
    resources,
    byUrn: new Map(resources.map((r) => [r.urn, r])),
    workloads: [],
    secrets: [],
    plainTexts: [],
    otherImages: [],
    services: [],
    networkNames: new Map(),
  };
  // Every command's script is plain text: it sits in the state, the plan and the host's process list.
  for (const resource of resources) {
    if (!resource.type.startsWith("command:")) continue;
    for (const key of ["create", "update", "delete"]) {
      const script = resource.props[key];
      if (typeof script === "string")
        model.plainTexts.push({ urn: resource.urn, label: `the ${key} command of ${resource.name}`, text: script });
    }
  }
  readQuadlet(model);
  readKubernetes(model);
  readFly(model);
  return model;
}

/** The payload a secret reference resolves to in this stack, if the stack delivers it. */
export function resolveSecret(model: StackModel, ref: SecretRef): SecretPayload | undefined {
  return model.secrets.find(
    (s) =>
      s.mechanism === ref.mechanism &&
      s.name === ref.name &&
      (ref.key === undefined || s.key === ref.key) &&
      (ref.namespace === undefined || s.namespace === undefined || s.namespace === ref.namespace),
  );
}

export function envValue(variable: EnvVar | undefined): string | Unknown | undefined {
  return variable?.source.kind === "plain" ? variable.source.value : undefined;
}

/** What a variable holds once read: its plain value, or the payload of the secret it reads (undefined when unknown). */
export function resolvedEnvValue(model: StackModel, variable: EnvVar): string | Unknown | undefined {
  if (variable.source.kind === "secret") return resolveSecret(model, variable.source.secret)?.value;
  return envValue(variable);
}

export function describeSource(source: EnvSource): string {
  switch (source.kind) {
    case "plain":
      return "a plain value";
    case "secret":
      return source.secret.mechanism === "kubernetes"
        ? `Secret ${source.secret.name}${source.secret.key ? ` key ${source.secret.key}` : ""}`
        : source.secret.mechanism === "podman"
          ? `Podman secret ${source.secret.name}`
          : source.secret.mechanism === "file"
            ? `secret file ${source.secret.name}`
            : `Fly secret ${source.secret.name}`;
    case "config-map":
      return `ConfigMap ${source.configMap}${source.key ? ` key ${source.key}` : ""}`;
    case "env-file":
      return `env file ${source.path}`;
    case "runtime":
      return "a value the runtime fills in";
  }
}
