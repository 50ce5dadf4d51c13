/**
 * The shipped `fedora` stack's configuration as the program validates it (stand-ins for encrypted
 * values, as the offline engine makes them), with overrides: for tests of the pure plan.
 */
import { readProjectFile, readStackSettings } from "../../cli/engine/stackSettings";
import { parseStackConfig, type ConfigValues } from "../../infra/config/parse";
import { ROOT } from "./fedoraStack";

export function fedoraConfig(overrides: Record<string, string> = {}, removed: readonly string[] = []): ConfigValues {
  const settings = readStackSettings(ROOT, readProjectFile(ROOT), "fedora");
  const values: Record<string, string> = { ...settings.config, ...overrides };
  for (const key of removed) delete values[key];
  return parseStackConfig({ stack: "fedora", values, secretKeys: new Set(settings.secretKeys), implementedTargets: ["fedora"] });
}
