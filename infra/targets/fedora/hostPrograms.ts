/**
 * The programs this build installs on the Fedora host, by name. A program joins when its source is
 * part of the build: the email drain's bundle (apps/email-drain) plugs in here, and until it does the
 * catalogue keeps the drain off (its gate says why).
 */
import type { HostPrograms } from "../../catalog/types";

export const HOST_PROGRAMS: HostPrograms = {};

/** Each program is built once per run, however often the catalogue asks for it. */
export function memoizedHostPrograms(programs: HostPrograms): HostPrograms {
  const memo: HostPrograms = {};
  for (const [name, build] of Object.entries(programs) as [keyof HostPrograms, (() => string) | undefined][]) {
    if (!build) continue;
    let text: string | undefined;
    memo[name] = () => (text ??= build());
  }
  return memo;
}
