/**
 * Refuses Quadlet keys (and key values) the host's Podman does not know, the way podlet's Downgrade
 * does: a unit the generator would reject at boot is an error at render time instead.
 */
import {
  isQuadletKeySupported,
  podmanMinorVersion,
  quadletEntryNeededVersion,
  quadletEntryProblem,
  type QuadletGroup,
} from "./quadletKeys";
import type { ContainerSection } from "./unitModel";
import { UnitRenderError } from "./UnitRenderError";

/**
 * [Container] keys that an older generator lacks but `podman run` has always understood: on such a
 * host the option travels in PodmanArgs= instead (podlet's downgrade does the same).
 */
const CONTAINER_KEY_FALLBACKS: { readonly [K in keyof ContainerSection]?: (value: NonNullable<ContainerSection[K]>) => string[] } = {
  Memory: (value) => [`--memory=${value}`],
};

/** The section with every key the target lacks moved to PodmanArgs= where it can be, then gated. */
export function downgradeContainerKeys(file: string, section: ContainerSection, podmanVersion: string): ContainerSection {
  const version = podmanMinorVersion(podmanVersion);
  let downgraded: ContainerSection = section;
  if (version !== undefined) {
    for (const key of Object.keys(CONTAINER_KEY_FALLBACKS) as (keyof typeof CONTAINER_KEY_FALLBACKS)[]) {
      const value = section[key];
      if (value === undefined || isQuadletKeySupported("Container", key, version)) continue;
      const fallback = CONTAINER_KEY_FALLBACKS[key] as (value: unknown) => string[];
      const rest: ContainerSection = { ...downgraded };
      delete rest[key];
      downgraded = { ...rest, PodmanArgs: [...(rest.PodmanArgs ?? []), ...fallback(value)] };
    }
  }
  assertKeysSupported(file, "Container", downgraded, podmanVersion);
  return downgraded;
}

export function assertKeysSupported(file: string, group: QuadletGroup, values: object, podmanVersion: string): void {
  const version = podmanMinorVersion(podmanVersion);
  if (version === undefined) throw new UnitRenderError(file, `[${group}]`, `unsupported Podman version ${podmanVersion}`);
  for (const [key, value] of Object.entries(values)) {
    if (value === undefined) continue;
    // Value gates apply to plain string values (Image=x.build, Notify=healthy, Network=x.container).
    const samples = typeof value === "string" ? [value] : Array.isArray(value) ? value.filter((v) => typeof v === "string") : [];
    for (const sample of samples.length > 0 ? samples : [""]) {
      const problem = quadletEntryProblem(group, key, sample, version);
      if (problem) {
        const neededPodman = quadletEntryNeededVersion(group, key, sample);
        throw new UnitRenderError(file, key, problem, neededPodman ? { neededPodman } : { value: key });
      }
    }
  }
}
