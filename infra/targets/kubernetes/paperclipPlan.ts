/**
 * What the two Kubernetes targets (`sealos`, `homelab`) decide the same way: the Paperclip
 * workload's image and sizes, the secrets the stack generates and their rotations. Pure; every
 * mistake is a ConfigProblem naming the key, the value and what was expected.
 */
import type { ContainerResources } from "../../../components/kubernetes/podSpec";
import { cpuMillicores, memoryBytes } from "../../../components/kubernetes/quantity";
import { type ConfigProblem, displayValue } from "../../config/ConfigError";
import { PROJECT, type ConfigValues } from "../../config/parse";
import { closestMatch } from "../../config/suggest";

/** A 32-byte secret the stack generates (Secret32) and delivers in a Kubernetes Secret. */
export interface GeneratedSecretSpec {
  name: string;
  description: string;
  /** Protect from deletion and replacement: losing it loses data. */
  protect?: boolean;
  /** Why a rotation token cannot rotate it (it is applied once, outside Pulumi's reach). */
  notRotatable?: string;
}

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

function rotationProblems(rotations: Readonly<Record<string, string>>, specs: readonly GeneratedSecretSpec[]): ConfigProblem[] {
  const byName = new Map(specs.map((spec) => [spec.name, spec]));
  return Object.keys(rotations).flatMap((name): ConfigProblem[] => {
    const spec = byName.get(name);
    const rotationKey = key(`rotations.${name}`);
    if (!spec) {
      const suggestion = closestMatch(name, byName.keys());
      return [{ key: rotationKey, expected: `no generated secret of that name${suggestion ? ` (did you mean "${suggestion}"?)` : ""}` }];
    }
    const found = displayValue(rotations[name]);
    if (spec.protect) return [{ key: rotationKey, found, expected: `${name} is protected (${spec.description}) and cannot be rotated by a token` }];
    if (spec.notRotatable) return [{ key: rotationKey, found, expected: `${name} cannot be rotated by a token: ${spec.notRotatable}` }];
    return [];
  });
}

/**
 * A pod-template annotation recording the rotation tokens of the secrets a pod reads: Kubernetes
 * does not restart pods when a Secret changes, so a rotation changes the template instead.
 */
export function rotationAnnotations(plan: KubernetesPaperclipPlan, secretNames: readonly string[]): Record<string, string> {
  const tokens = Object.fromEntries(secretNames.filter((name) => plan.rotations[name] !== undefined).map((name) => [name, plan.rotations[name]!]));
  return Object.keys(tokens).length > 0 ? { "paperclip-harness/secret-rotations": JSON.stringify(tokens) } : {};
}
