/**
 * Which stack setting put a piece of text into a rendered file. Renderers refuse values late (a
 * control character in a unit, a space in an image name); the operator should hear which key they
 * set, not which renderer noticed. Secret keys are never searched, so no secret is ever displayed.
 */
import { CONFIG_KEYS, type ConfigKeyName } from "./keys";
import { PROJECT, type ConfigValues } from "./parse";

export interface SettingLeaf {
  /** Full key with its path: `paperclip-harness:services.twenty.env.FOO`. */
  key: string;
  value: string;
}

/** Every scalar a non-secret setting holds, with its key path. */
export function settingLeaves(config: ConfigValues): SettingLeaf[] {
  const leaves: SettingLeaf[] = [];
  const walk = (value: unknown, path: string): void => {
    if (value === null || value === undefined) return;
    if (Array.isArray(value)) value.forEach((item, i) => walk(item, `${path}[${i}]`));
    else if (typeof value === "object") for (const [k, v] of Object.entries(value)) walk(v, `${path}.${k}`);
    else if (typeof value === "string" || typeof value === "number" || typeof value === "boolean")
      leaves.push({ key: path, value: String(value) });
  };
  for (const name of Object.keys(CONFIG_KEYS) as ConfigKeyName[]) {
    if (CONFIG_KEYS[name].secret) continue;
    walk(config[name], `${PROJECT}:${name}`);
  }
  return leaves;
}

/**
 * The setting whose value the refused text carries. With `offends` (the characters the renderer
 * refused), the longest leaf the text contains that holds such a character; without, a leaf equal to
 * the text. Undefined when no setting explains it: the value came from a catalogue entry.
 */
export function settingBehind(config: ConfigValues, text: string, offends?: RegExp): SettingLeaf | undefined {
  const leaves = settingLeaves(config);
  if (!offends) return leaves.find((leaf) => leaf.value === text);
  return leaves
    .filter((leaf) => leaf.value.length > 0 && text.includes(leaf.value) && offends.test(leaf.value))
    .sort((a, b) => b.value.length - a.value.length)[0];
}
