/**
 * What the two Kubernetes targets (`sealos`, `homelab`) decide the same way: the Paperclip
 * workload's image and sizes, the secrets the stack generates and their rotations. Pure; every
 * mistake is a ConfigProblem naming the key, the value and what was expected.
 */
import type { GeneratedSecretSpec } from "../../catalog/types";
import { rotationProblems } from "../generatedSecrets";
import type { ContainerResources } from "../../../components/kubernetes/podSpec";
import { cpuMillicores, memoryBytes } from "../../../components/kubernetes/quantity";
import { type ConfigProblem, displayValue } from "../../config/ConfigError";
import { PROJECT, type ConfigValues } from "../../config/parse";

/** A 32-byte secret the stack generates (Secret32) and delivers in a Kubernetes Secret. */
export type { GeneratedSecretSpec };

export interface KubernetesPaperclipPlan {
  namespace: string;
  /** Name of the workload, its Service and everything named after the app. */
  appName: string;
  image: string;
  resources: ContainerResources;
  volumeSize: string;
  postgresVolumeSize: string;
  storageClassName?: string;
  postgresClientImage: string;
  gatewayBaseUrl: string;
  disableSignUp: boolean;
  generatedSecrets: readonly GeneratedSecretSpec[];
  /** Rotation tokens of generated secrets, by secret name. */
  rotations: Readonly<Record<string, string>>;
}

const key = (name: string) => `${PROJECT}:${name}`;

export function planKubernetesPaperclip(
  config: ConfigValues,
  generatedSecrets: readonly GeneratedSecretSpec[],
  problems: ConfigProblem[],
): KubernetesPaperclipPlan {
  const resources: ContainerResources = {
    cpuRequest: config.paperclipCpuRequest!,
    cpuLimit: config.paperclipCpuLimit!,
    memoryRequest: config.paperclipMemoryRequest!,
    memoryLimit: config.paperclipMemoryLimit!,
  };
  if (cpuMillicores(resources.cpuRequest)! > cpuMillicores(resources.cpuLimit)!) {
    problems.push({
      key: key("paperclipCpuRequest"),
      found: displayValue(resources.cpuRequest),
      expected: `expected at most paperclipCpuLimit (${resources.cpuLimit}): Kubernetes refuses a request above its limit`,
    });
  }
  if (memoryBytes(resources.memoryRequest)! > memoryBytes(resources.memoryLimit)!) {
    problems.push({
      key: key("paperclipMemoryRequest"),
      found: displayValue(resources.memoryRequest),
      expected: `expected at most paperclipMemoryLimit (${resources.memoryLimit}): Kubernetes refuses a request above its limit`,
    });
  }
  if (Object.keys(config.extraSecrets ?? {}).length > 0) {
    problems.push({
      key: key("extraSecrets"),
      expected: `is read by service overrides, which the ${config.target} target does not have; remove it from this stack`,
    });
  }
  problems.push(...rotationProblems(config.rotations ?? {}, generatedSecrets));

  return {
    namespace: config.namespace!,
    appName: "paperclip",
    image: config.paperclipImage!,
    resources,
    volumeSize: config.paperclipVolumeSize!,
    postgresVolumeSize: config.postgresVolumeSize!,
    ...(config.storageClassName ? { storageClassName: config.storageClassName } : {}),
    postgresClientImage: config.postgresClientImage!,
    gatewayBaseUrl: config.gatewayBaseUrl!,
    disableSignUp: config.disableSignUp ?? false,
    generatedSecrets,
    rotations: config.rotations ?? {},
  };
}

/**
 * A pod-template annotation recording the rotation tokens of the secrets a pod reads: Kubernetes
 * does not restart pods when a Secret changes, so a rotation changes the template instead.
 */
export function rotationAnnotations(plan: KubernetesPaperclipPlan, secretNames: readonly string[]): Record<string, string> {
  const tokens = Object.fromEntries(
    secretNames.filter((name) => plan.rotations[name] !== undefined).map((name) => [name, plan.rotations[name]!]),
  );
  return Object.keys(tokens).length > 0 ? { "paperclip-harness/secret-rotations": JSON.stringify(tokens) } : {};
}
