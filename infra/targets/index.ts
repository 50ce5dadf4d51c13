import type { Target } from "../config/keySpec";
import { fedoraTarget } from "./fedora";
import { homelabTarget } from "./homelab";
import { sealosTarget } from "./sealos";
import { flyTarget } from "./fly";
import type { TargetImplementation } from "./target";

/** Targets that exist; selecting any other is a configuration error ("not implemented yet"). */
export const TARGET_IMPLEMENTATIONS: Partial<Record<Target, TargetImplementation>> = {
  fedora: fedoraTarget,
  sealos: sealosTarget,
  homelab: homelabTarget,
  fly: flyTarget,
};

export function implementedTargets(): Target[] {
  return Object.keys(TARGET_IMPLEMENTATIONS) as Target[];
}
