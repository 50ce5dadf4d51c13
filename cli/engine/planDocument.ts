/**
 * The plan: every resource the program registers (type, name, parent, dependencies, inputs with
 * secrets redacted) in a stable order, so two plans can be diffed and nothing secret can be read.
 */
import * as pulumi from "@pulumi/pulumi";
import { isSecretEnvelope, redactSecrets, type SecretFingerprint } from "./redact";
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
      // The engine's wire format, as `pulumi preview` shows it: a secret nested in a map stays a leaf.
      inputs: sortKeys(redactSecrets(wireValue(r.wireInputs), options.fingerprint)),
      ...(r.additionalSecretOutputs.length > 0 ? { additionalSecretOutputs: r.additionalSecretOutputs } : {}),
      ...(r.deleteBeforeReplace !== undefined ? { deleteBeforeReplace: r.deleteBeforeReplace } : {}),
    }))
    .sort((a, b) => a.urn.localeCompare(b.urn));
  return {
    project: recording.project,
    stack: recording.stack,
    resources,
    outputs: sortKeys(redactSecrets(recording.outputs, options.fingerprint)),
  };
}

/** Wire-format sentinels made readable: unknowns (computed at deploy time) and resource references. */
function wireValue(value: unknown): unknown {
  if (value === pulumi.runtime.unknownValue) return "[unknown]";
  if (Array.isArray(value)) return value.map(wireValue);
  if (value !== null && typeof value === "object") {
    const record = value as Record<string, unknown>;
    if (record[pulumi.runtime.specialSigKey] === pulumi.runtime.specialResourceSig) return `[resource ${String(record.urn)}]`;
    if (isSecretEnvelope(record)) return { ...record, value: wireValue(record.value) };
    return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, wireValue(v)]));
  }
  return value;
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
