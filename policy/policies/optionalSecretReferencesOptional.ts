import type { StackValidationPolicy } from "@pulumi/policy";
import { settingsOf, stringList, type DefaultedSchema } from "../lib/config";
import { stackResources } from "../lib/plain";
import { readStack, type SecretRef, type Workload } from "../lib/workloads";

interface Settings {
  optionalVariables: string[];
  optionalSecrets: string[];
}

const configSchema: DefaultedSchema = {
  properties: {
    optionalVariables: stringList("Variables of optional features: any Secret they come from must be referenced with optional: true.", [
      "BRAVE_API_KEY",
      "RESEND_API_KEY",
    ]),
    optionalSecrets: stringList("Secrets (by name) of optional features: every reference to them must be optional.", []),
  },
};

interface Reference {
  workload: Workload;
  ref: SecretRef;
  /** What refers to it ("env BRAVE_API_KEY", "envFrom", "a volume mounted at /x"). */
  what: string;
  variable?: string;
}

function references(workloads: readonly Workload[]): Reference[] {
  return workloads.flatMap((workload) => [
    ...workload.env.flatMap((e): Reference[] =>
      e.source.kind === "secret" && e.source.secret.mechanism === "kubernetes"
        ? [{ workload, ref: e.source.secret, what: `${e.name} (${e.where})`, variable: e.name }]
        : [],
    ),
    ...workload.opaqueEnvSources.flatMap((s): Reference[] =>
      s.ref?.mechanism === "kubernetes" ? [{ workload, ref: s.ref, what: s.description }] : [],
    ),
    ...workload.secretMounts.flatMap((m): Reference[] =>
      m.ref.mechanism === "kubernetes" ? [{ workload, ref: m.ref, what: `the volume mounted at ${m.destination}` }] : [],
    ),
  ]);
}

/**
 * The homelab seed: the optional feature keys (Brave search, Resend) come from ExternalSecrets that
 * may not exist; a reference without `optional: true` keeps the pod from starting, and every
 * rollout waits on a key nobody needs. Optional must be optional everywhere: one required reference
 * (an init container, a second container, an envFrom) is enough to block the rollout.
 */
export const optionalSecretReferencesOptional: StackValidationPolicy = {
  name: "optional-secret-references-optional",
  description:
    "A Secret an optional feature uses is referenced with optional: true everywhere: in every container, init container, env, envFrom and volume that refers to it.",
  enforcementLevel: "mandatory",
  severity: "medium",
  tags: ["hardening"],
  remediationSteps:
    "Add optional: true to every secretKeyRef, envFrom secretRef and secret volume that refers to the optional feature's Secret.",
  configSchema,
  validateStack: (args, reportViolation) => {
    const settings = settingsOf<Settings>(args, configSchema);
    const model = readStack(stackResources(args.resources));
    const refs = references(model.workloads).filter((r) => !r.ref.pending);
    if (refs.length === 0) args.notApplicable("no Kubernetes Secret references in this stack");
    const key = (r: SecretRef) => `${r.namespace ?? ""}/${r.name}`;
    const optionalSomewhere = new Set(refs.filter((r) => r.ref.optional).map((r) => key(r.ref)));
    const optionalFeature = new Set([
      ...settings.optionalSecrets.map((name) => refs.filter((r) => r.ref.name === name).map((r) => key(r.ref))).flat(),
      ...refs.filter((r) => r.variable !== undefined && settings.optionalVariables.includes(r.variable)).map((r) => key(r.ref)),
    ]);
    for (const reference of refs) {
      if (reference.ref.optional) continue;
      const k = key(reference.ref);
      const why = optionalSomewhere.has(k)
        ? "it is optional elsewhere"
        : optionalFeature.has(k)
          ? "it holds an optional feature's key"
          : undefined;
      if (why) {
        reportViolation(
          `${reference.workload.label}: ${reference.what} refers to Secret ${reference.ref.name} without optional: true, but ${why}; a missing Secret would block every rollout.`,
          reference.workload.urn,
        );
      }
    }
  },
};
