/**
 * The stack configuration: read from Pulumi's runtime, validated in full before any resource is
 * declared. The schema is the key registry in ./config/keys; the validation is ./config/parse.
 */
import * as pulumi from "@pulumi/pulumi";
import { parseStackConfig, PROJECT, type ConfigValues } from "./config/parse";
import type { Target } from "./config/keySpec";

export { ConfigError } from "./config/ConfigError";
export { PROJECT, stackFileOf, parseStackConfig, type ConfigValues } from "./config/parse";
export type { Target } from "./config/keySpec";

/**
 * Pulumi's config module can tell whether a key is secret, but only through an internal export
 * (`isConfigSecret`, used by `pulumi.Config` itself). We need it to refuse credentials set in plain text.
 */
interface RuntimeConfigInternals {
  isConfigSecret(key: string): boolean;
}

export function loadStackConfig(implementedTargets: readonly Target[]): ConfigValues {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const internals = require("@pulumi/pulumi/runtime/config") as RuntimeConfigInternals;
  const values = pulumi.runtime.allConfig();
  const secretKeys = new Set(Object.keys(values).filter((k) => internals.isConfigSecret(k)));
  return parseStackConfig({ stack: pulumi.getStack(), values, secretKeys, implementedTargets });
}

export function projectKey(name: string): string {
  return `${PROJECT}:${name}`;
}
