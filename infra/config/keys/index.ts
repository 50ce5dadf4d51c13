/**
 * Every configuration key of every target, in one registry. Each area owns its file; this module
 * only merges them, so the registry stays the single source for validation, Pulumi.yaml and docs.
 */
import { backupKeys } from "./backup";
import { cloudflareKeys } from "./cloudflare";
import { commonKeys } from "./common";
import { edgeInputKeys } from "./edgeInputs";
import { fedoraKeys } from "./fedora";
import { harnessKeys } from "./harness";
import { homelabKeys } from "./homelab";
import { kubernetesKeys } from "./kubernetes";
import { sealosKeys } from "./sealos";
import { flyKeys } from "./fly";
import { gatewayKeyLimitKeys } from "./gatewayKeys";

/**
 * Merges the areas' keys; a name defined by two areas is a bug (spreading would silently keep one),
 * so it fails at load. A key several targets share has one definition listing all of them.
 */
function mergeKeyAreas<A extends object[]>(...areas: A): UnionToIntersection<A[number]> {
  const merged: Record<string, unknown> = {};
  for (const area of areas) {
    for (const [name, spec] of Object.entries(area)) {
      if (name in merged)
        throw new Error(`config key ${name} is defined by two areas of infra/config/keys; define it once with all its targets`);
      merged[name] = spec;
    }
  }
  return merged as UnionToIntersection<A[number]>;
}
type UnionToIntersection<U> = (U extends unknown ? (k: U) => void : never) extends (k: infer I) => void ? I : never;

export const CONFIG_KEYS = mergeKeyAreas(
  commonKeys,
  fedoraKeys,
  harnessKeys,
  cloudflareKeys,
  edgeInputKeys,
  kubernetesKeys,
  sealosKeys,
  homelabKeys,
  flyKeys,
  backupKeys,
  gatewayKeyLimitKeys,
);

export type ConfigKeyName = keyof typeof CONFIG_KEYS;
