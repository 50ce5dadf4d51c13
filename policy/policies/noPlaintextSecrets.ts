import type { StackValidationPolicy } from "@pulumi/policy";
import { reasonProperty, settingsOf, type DefaultedSchema } from "../lib/config";
import { isUnknown, stackResources } from "../lib/plain";
import { isReference, isSecretLikeName, secretAtoms, urlPassword } from "../lib/secrets";
import { readStack } from "../lib/workloads";

interface Settings {
  notSecretVariables: { name: string; reason: string }[];
}

const configSchema: DefaultedSchema = {
  properties: {
    notSecretVariables: {
      type: "array",
      description: "Variables whose names look like secrets but hold none (e.g. a token's lifetime), each with the reason.",
      items: {
        type: "object",
        properties: { name: { type: "string", minLength: 1 }, reason: reasonProperty },
        required: ["name", "reason"],
        additionalProperties: false,
      },
      default: [],
    },
  },
};

/**
 * The seeds kept secrets in hand-made, git-ignored .env files. Here every secret is generated or
 * configured as a Pulumi secret and delivered by a secret mechanism (Podman secret, Kubernetes
 * Secret, Fly secret), never written into a unit file, a manifest, a config file or a command line,
 * where it would sit in plain text on disk, in `ps`, and in the plan.
 */
export const noPlaintextSecrets: StackValidationPolicy = {
  name: "no-plaintext-secrets",
  description:
    "No secret value is written in plain text: not as a plain environment value named like a secret, not as a URL's password, and no value a secret mechanism delivers appears in a unit file, config file, manifest or command line.",
  enforcementLevel: "mandatory",
  severity: "critical",
  tags: ["hardening"],
  remediationSteps:
    "Deliver the value through the target's secret mechanism: on fedora a service override's `secrets` ({generate: hex32} or {fromConfig: <extraSecrets name>}) becomes a Podman secret; on Kubernetes a Secret referenced with secretKeyRef; on Fly a staged secret. Compose URLs with credentials inside the secret, not in plain env.",
  configSchema,
  validateStack: (args, reportViolation) => {
    const { notSecretVariables } = settingsOf<Settings>(args, configSchema);
    const model = readStack(stackResources(args.resources));
    const exempt = new Set(notSecretVariables.map((v) => v.name));
    if (model.workloads.length === 0 && model.plainTexts.length === 0) args.notApplicable("no workloads or plain text in this stack");

    for (const workload of model.workloads) {
      for (const variable of workload.env) {
        if (variable.source.kind !== "plain" || isUnknown(variable.source.value)) continue;
        const value = variable.source.value;
        if (value.trim() === "" || isReference(value) || exempt.has(variable.name)) continue;
        if (isSecretLikeName(variable.name)) {
          reportViolation(`${workload.label}: ${variable.name} (${variable.where}) is a secret set as a plain value.`, workload.urn);
        } else if (urlPassword(value) !== undefined) {
          reportViolation(`${workload.label}: ${variable.name} (${variable.where}) is a URL with a password in plain text.`, workload.urn);
        }
      }
    }

    const atoms = new Map<string, string>();
    for (const payload of model.secrets) {
      if (typeof payload.value !== "string") continue;
      for (const atom of secretAtoms(payload.value)) if (!atoms.has(atom)) atoms.set(atom, payload.label);
    }
    const reported = new Set<string>();
    for (const text of model.plainTexts) {
      for (const [atom, label] of atoms) {
        const key = `${text.urn}\u0000${text.label}\u0000${label}`;
        if (reported.has(key) || !text.text.includes(atom)) continue;
        reported.add(key);
        reportViolation(`${text.label} contains the value of ${label} in plain text.`, text.urn);
      }
    }
  },
};
