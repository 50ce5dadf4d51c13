/**
 * The `fly` stack's configuration as the program would receive it: stacks/Pulumi.fly.yaml with the
 * project defaults applied and `secure:` values as offline stand-ins, plus overrides, validated.
 */
import { join } from "node:path";
import { readProjectFile, readStackSettings } from "../../cli/engine/stackSettings";
import { parseStackConfig, type ConfigValues } from "../../infra/config/parse";

export const REPO_ROOT = join(__dirname, "..", "..");

export interface FlyConfigOverrides {
  /** `key` (no namespace) → raw string value, as Pulumi hands it over. */
  values?: Record<string, string>;
  /** Keys (no namespace) whose override values are secret. */
  secret?: string[];
  /** Keys (no namespace) to remove from the stack file. */
  remove?: string[];
}

export function flyStackSettings(overrides: FlyConfigOverrides = {}): { values: Record<string, string>; secretKeys: string[] } {
  const project = readProjectFile(REPO_ROOT);
  const settings = readStackSettings(REPO_ROOT, project, "fly");
  const values: Record<string, string> = { ...settings.config };
  for (const name of overrides.remove ?? []) delete values[`${project.name}:${name}`];
  for (const [name, value] of Object.entries(overrides.values ?? {})) values[`${project.name}:${name}`] = value;
  const secretKeys = [...settings.secretKeys, ...(overrides.secret ?? []).map((name) => `${project.name}:${name}`)];
  return { values, secretKeys };
}

export function flyStackConfig(overrides: FlyConfigOverrides = {}): ConfigValues {
  const { values, secretKeys } = flyStackSettings(overrides);
  return parseStackConfig({ stack: "fly", values, secretKeys: new Set(secretKeys), implementedTargets: ["fedora", "fly"] });
}
