/**
 * Reads Pulumi.yaml and stacks/Pulumi.<stack>.yaml the way the Pulumi CLI hands them to a program:
 * every value a string (structured values as JSON), project defaults applied, and `secure:` values
 * marked secret. Encrypted values cannot be decrypted offline: each becomes a stand-in string.
 */
import { readFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { isMap, isScalar, parseDocument, type Node } from "yaml";
import { ConfigError, displayValue } from "../../infra/config/ConfigError";
import { CONFIG_KEYS } from "../../infra/config/keys";
import type { ConfigKeySpec } from "../../infra/config/keySpec";

export interface ProjectFile {
  name: string;
  stackConfigDir: string;
  /** Declared project config: `key` (no namespace) → default, when one is declared. */
  defaults: Record<string, unknown>;
}

export interface StackSettings {
  /** `namespace:key` → value, as the runtime's PULUMI_CONFIG holds it. */
  config: Record<string, string>;
  secretKeys: string[];
  file: string;
}

export function readProjectFile(root: string): ProjectFile {
  const document = parseDocument(readFileSync(join(root, "Pulumi.yaml"), "utf8")).toJSON() as {
    name: string;
    stackConfigDir?: string;
    config?: Record<string, unknown>;
  };
  const defaults: Record<string, unknown> = {};
  for (const [key, declaration] of Object.entries(document.config ?? {})) {
    if (declaration && typeof declaration === "object" && "default" in declaration) {
      defaults[key] = declaration.default;
    }
  }
  return { name: document.name, stackConfigDir: document.stackConfigDir ?? ".", defaults };
}

/**
 * The stand-in an encrypted value gets offline: recognisable, and never a plausible real credential.
 * A key whose value has a format (a list of hashes) wraps it into a well-formed value of that format.
 */
export function offlineSecretStandIn(key: string): string {
  const text = `offline-secret(${key})`;
  const spec = (CONFIG_KEYS as unknown as Record<string, ConfigKeySpec | undefined>)[key.slice(key.indexOf(":") + 1)];
  return spec?.offlineStandIn ? spec.offlineStandIn(text) : text;
}

export function readStackSettings(root: string, project: ProjectFile, stack: string): StackSettings {
  const file = join(project.stackConfigDir, `Pulumi.${stack}.yaml`);
  const path = join(root, file);
  if (!existsSync(path)) throw new Error(`no stack settings file ${file}`);
  const document = parseDocument(readFileSync(path, "utf8"));
  // The Pulumi CLI refuses these files before the program runs; offline they are the same user
  // mistake, so they are reported the same way as every other configuration problem.
  if (document.errors.length > 0) {
    throw new ConfigError(
      file,
      document.errors.map((e) => ({ key: "(YAML)", expected: `valid YAML: ${e.message}` })),
    );
  }
  if (!isMap(document.contents) && document.contents !== null) {
    throw new ConfigError(file, [{ key: "(document)", expected: "a mapping with a config: key" }]);
  }
  const found = document.get("config", true) as Node | undefined;
  // `config:` with nothing under it is an empty mapping, as the CLI reads it.
  const configNode = isScalar(found) && found.value === null ? undefined : found;
  const config: Record<string, string> = {};
  const secretKeys = new Set<string>();

  if (configNode !== undefined && !isMap(configNode)) {
    throw new ConfigError(file, [{ key: "config", found: displayValue(configNode.toJSON()), expected: "a mapping of keys to values" }]);
  }
  for (const pair of configNode?.items ?? []) {
    if (!isScalar(pair.key) || typeof pair.key.value !== "string") {
      throw new ConfigError(file, [
        {
          key: "config",
          found: displayValue(isScalar(pair.key) ? pair.key.value : (pair.key as Node | null)?.toJSON()),
          expected: "every key a string",
        },
      ]);
    }
    const rawKey = pair.key.value;
    const key = rawKey.includes(":") ? rawKey : `${project.name}:${rawKey}`;
    const { value, secret } = configValue(key, pair.value as Node | null);
    config[key] = value;
    if (secret) secretKeys.add(key);
  }
  for (const [name, value] of Object.entries(project.defaults)) {
    const key = `${project.name}:${name}`;
    if (!(key in config)) config[key] = typeof value === "string" ? value : JSON.stringify(value);
  }
  return { config, secretKeys: [...secretKeys].sort(), file };
}

function configValue(key: string, node: Node | null): { value: string; secret: boolean } {
  if (node === null || node === undefined) return { value: "", secret: false };
  // Scalars keep their source text, as the CLI does ("5.10" stays "5.10").
  if (isScalar(node)) return { value: node.source ?? scalarText(node.value), secret: false };
  let secret = false;
  const standIns = (value: unknown, path: string): unknown => {
    if (value && typeof value === "object" && !Array.isArray(value)) {
      const entries = Object.entries(value as Record<string, unknown>);
      if (entries.length === 1 && entries[0]![0] === "secure") {
        secret = true;
        return offlineSecretStandIn(path);
      }
      return Object.fromEntries(entries.map(([k, v]) => [k, standIns(v, `${path}.${k}`)]));
    }
    if (Array.isArray(value)) return value.map((v, i) => standIns(v, `${path}[${i}]`));
    return value;
  };
  const json = standIns(node.toJSON(), key);
  return typeof json === "string" ? { value: json, secret } : { value: JSON.stringify(json), secret };
}

function scalarText(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "string" || typeof value === "number" || typeof value === "boolean" || typeof value === "bigint")
    return String(value);
  return JSON.stringify(value);
}
