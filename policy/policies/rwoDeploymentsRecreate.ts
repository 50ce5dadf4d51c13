import type { StackValidationPolicy } from "@pulumi/policy";
import { isUnknown, stackResources } from "../lib/plain";
import { readStack } from "../lib/workloads";

const SINGLE_NODE_MODES = new Set(["ReadWriteOnce", "ReadWriteOncePod"]);

/**
 * The homelab seed: Paperclip's /paperclip volume is ReadWriteOnce; a RollingUpdate starts the new
 * pod before stopping the old one, the new pod cannot attach the volume (Multi-Attach), and the
 * rollout deadlocks. A single writer of an RWO volume is replaced with `Recreate` (or runs as a
 * StatefulSet, which replaces pods one at a time by design).
 */
export const rwoDeploymentsRecreate: StackValidationPolicy = {
  name: "rwo-deployments-recreate",
  description:
    "A Deployment that mounts a ReadWriteOnce volume runs one replica and uses the Recreate strategy (or is a StatefulSet), so a rollout never waits on a volume the old pod still holds.",
  enforcementLevel: "mandatory",
  severity: "medium",
  tags: ["hardening"],
  remediationSteps: "Set spec.strategy.type: Recreate and spec.replicas: 1 on the Deployment, or make it a StatefulSet.",
  validateStack: (args, reportViolation) => {
    const model = readStack(stackResources(args.resources));
    if (!model.workloads.some((w) => w.kubernetes?.kind === "Deployment")) args.notApplicable("no Kubernetes Deployment in this stack");
    const seen = new Set<string>();
    for (const workload of model.workloads) {
      const k8s = workload.kubernetes;
      if (!k8s || k8s.kind !== "Deployment" || seen.has(workload.urn)) continue;
      seen.add(workload.urn);
      const rwo = k8s.claims.filter((c) => c.accessModes === undefined || c.accessModes.some((m) => SINGLE_NODE_MODES.has(m)));
      if (rwo.length === 0) continue;
      const claims = rwo
        .map((c) => `${c.claimName}${c.accessModes ? "" : " (not declared in the stack; ReadWriteOnce is most storage classes' default)"}`)
        .join(", ");
      if (!isUnknown(k8s.strategy) && k8s.strategy !== "Recreate") {
        reportViolation(
          `Deployment ${k8s.objectName}: mounts the ReadWriteOnce claim ${claims} with strategy ${k8s.strategy}; a rolling update deadlocks on Multi-Attach. Use Recreate.`,
          workload.urn,
        );
      }
      if (typeof k8s.replicas === "number" && k8s.replicas > 1) {
        reportViolation(
          `Deployment ${k8s.objectName}: ${k8s.replicas} replicas share the ReadWriteOnce claim ${claims}; only one pod can attach it.`,
          workload.urn,
        );
      }
    }
  },
};
