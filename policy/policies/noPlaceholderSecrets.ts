import type { StackValidationPolicy } from "@pulumi/policy";
import { isUnknown, stackResources, stringLeaves } from "../lib/plain";
import { isPlaceholder, isSecretLikeName } from "../lib/secrets";
import { readStack } from "../lib/workloads";

/**
 * A secret that is CHANGEME, `<your key>` or empty is worse than a missing one: the service starts,
 * and the weak value is live (the seeds' .env templates shipped such stand-ins). Every delivered
 * secret, and every secret-named plain value, must be a real one.
 */
export const noPlaceholderSecrets: StackValidationPolicy = {
  name: "no-placeholder-secrets",
  description:
    "No secret the stack delivers (Podman secret, Kubernetes Secret, Fly secret, secret-named value or Helm value) is empty or an obvious placeholder such as CHANGEME or <your key>.",
  enforcementLevel: "mandatory",
  severity: "high",
  tags: ["hardening"],
  remediationSteps:
    "Generate the secret (@pulumi/random, a service override's {generate: hex32}) or set the real value with `pulumi config set --secret`; never ship a stand-in.",
  validateStack: (args, reportViolation) => {
    const resources = stackResources(args.resources);
    const model = readStack(resources);
    const releases = resources.filter((r) => /^kubernetes:helm\.sh\/v\d+:(Release|Chart)$/.test(r.type));
    if (model.secrets.length === 0 && model.workloads.length === 0 && releases.length === 0)
      args.notApplicable("no secrets or workloads in this stack");
    for (const payload of model.secrets) {
      if (typeof payload.value === "string" && isPlaceholder(payload.value)) {
        reportViolation(`${payload.label} is ${payload.value.trim() === "" ? "empty" : "a placeholder"}, not a real secret.`, payload.urn);
      }
    }
    for (const workload of model.workloads) {
      for (const variable of workload.env) {
        if (variable.source.kind !== "plain" || isUnknown(variable.source.value) || !isSecretLikeName(variable.name)) continue;
        if (variable.source.value.trim() !== "" && isPlaceholder(variable.source.value)) {
          reportViolation(`${workload.label}: ${variable.name} (${variable.where}) is a placeholder, not a real secret.`, workload.urn);
        }
      }
    }
    for (const release of releases) {
      for (const leaf of stringLeaves(release.props.values, "values")) {
        // Charts name the Secret and the keys in it that hold passwords (Bitnami's existingSecret and
        // auth.secretKeys.*): such a value is a reference, not a secret.
        if (/(^|\.)(secretKeys\.|existingSecret)/.test(leaf.path)) continue;
        const key = leaf.path
          .split(".")
          .at(-1)!
          .replace(/\[\d+\]$/, "");
        if (isSecretLikeName(key.replace(/([a-z])([A-Z])/g, "$1_$2")) && leaf.value.trim() !== "" && isPlaceholder(leaf.value)) {
          reportViolation(`Helm release ${release.name}: ${leaf.path} is a placeholder, not a real secret.`, release.urn);
        }
      }
    }
  },
};
