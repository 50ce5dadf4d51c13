/** Declaring the Kubernetes targets' generated secrets: Secret32 values in Kubernetes Secrets. */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { Secret32 } from "../../../components/secrets/Secret32";
import { declareGeneratedSecrets } from "../generatedSecrets";
import type { KubernetesPaperclipPlan } from "./paperclipPlan";

/** One Secret32 per generated secret of the plan (protected ones protected, rotation tokens as keepers). */
export function declarePlanSecrets(plan: KubernetesPaperclipPlan): ReadonlyMap<string, Secret32> {
  return declareGeneratedSecrets(plan.generatedSecrets, plan.rotations);
}

export function generatedHex(secrets: ReadonlyMap<string, Secret32>, name: string): pulumi.Output<string> {
  const secret = secrets.get(name);
  if (!secret) throw new Error(`no generated secret ${name}`);
  return secret.hex;
}

/** An Opaque Secret whose every value is a Pulumi secret (never in a plan, a manifest or a log). */
export function opaqueSecret(
  resourceName: string,
  args: { name: string; namespace: string; labels: Record<string, string>; data: Record<string, pulumi.Input<string>> },
  opts?: pulumi.CustomResourceOptions,
): k8s.core.v1.Secret {
  return new k8s.core.v1.Secret(
    resourceName,
    {
      metadata: { name: args.name, namespace: args.namespace, labels: args.labels },
      type: "Opaque",
      stringData: Object.fromEntries(Object.entries(args.data).map(([key, value]) => [key, pulumi.secret(value)])),
    },
    opts,
  );
}
