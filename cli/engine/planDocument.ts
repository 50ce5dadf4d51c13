/**
 * The plan: every resource the program registers (type, name, parent, dependencies, inputs with
 * secrets redacted) in a stable order, so two plans can be diffed and nothing secret can be read.
 */
import { redactSecrets, type SecretFingerprint } from "./redact";
import type { Recording } from "./recordStack";

export interface PlannedResource {
  urn: string;
  type: string;
  name: string;
  parent?: string;
  custom: boolean;
  protect: boolean;
  dependencies: string[];
  inputs: unknown;
  additionalSecretOutputs?: string[];
  deleteBeforeReplace?: boolean;
}

export interface PlanDocument {
  project: string;
  stack: string;
  resources: PlannedResource[];
  outputs: unknown;
}

export interface PlanDocumentOptions {
  /** Fingerprint secrets (for diffs) instead of redacting them to a bare marker. */
  fingerprint?: SecretFingerprint;
}

export function planDocument(recording: Recording, options: PlanDocumentOptions = {}): PlanDocument {
  const resources = recording.resources
    .map((r): PlannedResource => ({
      urn: r.urn,
      type: r.type,
      name: r.name,
      ...(r.parent ? { parent: r.parent } : {}),
      custom: r.custom,
      protect: r.protect,
      dependencies: [...new Set(r.dependencies)].sort(),
      inputs: sortKeys(redactSecrets(r.inputs, options.fingerprint)),
      ...(r.additionalSecretOutputs.length > 0 ? { additionalSecretOutputs: r.additionalSecretOutputs } : {}),
      ...(r.deleteBeforeReplace !== undefined ? { deleteBeforeReplace: r.deleteBeforeReplace } : {}),
    }))
    .sort((a, b) => a.urn.localeCompare(b.urn));
  return { project: recording.project, stack: recording.stack, resources, outputs: sortKeys(redactSecrets(recording.outputs, options.fingerprint)) };
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}
