/**
 * Reading a recorded Kubernetes stack the way a reviewer would: objects by kind and name, the pod
 * specs inside workloads and Jobs, a container's environment. Secrets are redacted to "[secret]".
 */
import { join } from "node:path";
import type { RecordedResource } from "../../cli/engine/RecordingMonitor";
import { type Recording, recordStack } from "../../cli/engine/recordStack";
import { redactSecrets } from "../../cli/engine/redact";

export const ROOT = join(__dirname, "..", "..");
export const P = "paperclip-harness:";

export type Manifest = any;

export interface KubernetesObject {
  record: RecordedResource;
  /** The inputs, secrets redacted. */
  manifest: Manifest;
}

export async function recordKubernetesStack(stack: string, configOverrides?: Record<string, string>): Promise<Recording> {
  return recordStack({ root: ROOT, stack, ...(configOverrides ? { configOverrides } : {}) });
}

export function kubernetesObjects(recording: Recording): KubernetesObject[] {
  return recording.resources
    .filter((r) => r.custom && r.type.startsWith("kubernetes:"))
    .map((record) => ({ record, manifest: redactSecrets(record.inputs) as Manifest }));
}

/** The one object of a kind with a metadata.name (or, for a Helm release, a name). */
export function objectNamed(recording: Recording, kind: string, name: string): KubernetesObject {
  const found = kubernetesObjects(recording).filter(
    (o) => (o.manifest.kind ?? o.record.type.split(":").pop()) === kind && (o.manifest.metadata?.name ?? o.manifest.name) === name,
  );
  if (found.length !== 1) throw new Error(`expected one ${kind} ${name}, found ${found.length}`);
  return found[0]!;
}

export function objectsOfKind(recording: Recording, kind: string): KubernetesObject[] {
  return kubernetesObjects(recording).filter((o) => o.manifest.kind === kind);
}

/** Every pod template of the stack (workloads and Jobs), with the object that carries it. */
export function podTemplates(recording: Recording): { owner: KubernetesObject; spec: Manifest }[] {
  return kubernetesObjects(recording)
    .filter((o) => ["Deployment", "StatefulSet", "Job"].includes(o.manifest.kind))
    .map((owner) => ({ owner, spec: owner.manifest.spec.template.spec }));
}

export function allContainers(spec: Manifest): Manifest[] {
  return [...(spec.initContainers ?? []), ...spec.containers];
}

export function container(spec: Manifest, name: string): Manifest {
  const found = allContainers(spec).find((c: Manifest) => c.name === name);
  if (!found) throw new Error(`no container ${name}`);
  return found;
}

/** A container's environment as name → entry. */
export function envOf(c: Manifest): Map<string, Manifest> {
  return new Map((c.env ?? []).map((entry: Manifest) => [entry.name, entry]));
}
