/**
 * Every configuration key of every target, in one registry. Each area owns its file; this module
 * only merges them, so the registry stays the single source for validation, Pulumi.yaml and docs.
 */
import { cloudflareKeys } from "./cloudflare";
import { commonKeys } from "./common";
import { fedoraKeys } from "./fedora";

export const CONFIG_KEYS = {
  ...commonKeys,
  ...fedoraKeys,
  ...cloudflareKeys,
};

export type ConfigKeyName = keyof typeof CONFIG_KEYS;
