/**
 * Refuses Quadlet keys the host's Podman does not know, the way podlet's Downgrade does: a unit that
 * the generator would reject at boot is an error at render time instead.
 */
import { minimumPodmanVersion, type QuadletSectionName } from "./quadletKeys";
import { UnitRenderError } from "./UnitRenderError";

export function compareVersions(a: string, b: string): number {
  const [aMajor = 0, aMinor = 0] = a.split(".").map(Number);
  const [bMajor = 0, bMinor = 0] = b.split(".").map(Number);
  return aMajor - bMajor || aMinor - bMinor;
}

export function assertKeysSupported(
  file: string,
  section: QuadletSectionName,
  values: object,
  podmanVersion: string,
): void {
  for (const [key, value] of Object.entries(values)) {
    if (value === undefined) continue;
    const minimum = minimumPodmanVersion(section, key);
    if (minimum === undefined) {
      throw new UnitRenderError(file, key, `not a known [${section}] key`);
    }
    if (compareVersions(podmanVersion, minimum) < 0) {
      throw new UnitRenderError(file, key, `needs Podman ${minimum} or newer; the host runs ${podmanVersion}`);
    }
  }
}
