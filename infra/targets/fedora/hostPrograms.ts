/**
 * The programs this build installs on the Fedora host, by name: each is bundled (deterministically)
 * from its source in apps/ when the stack is planned, and delivered as a file like any other.
 */
import { buildEmailDrainBundle } from "../../../apps/email-drain/bundle";
import type { HostPrograms } from "../../catalog/types";

export const HOST_PROGRAMS: HostPrograms = { emailDrain: buildEmailDrainBundle };

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
