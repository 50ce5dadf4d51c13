/**
 * Refuses Quadlet keys (and key values) the host's Podman does not know, the way podlet's Downgrade
 * does: a unit the generator would reject at boot is an error at render time instead.
 */
import { podmanMinorVersion, quadletEntryNeededVersion, quadletEntryProblem, type QuadletGroup } from "./quadletKeys";
import { UnitRenderError } from "./UnitRenderError";

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
