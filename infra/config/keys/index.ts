/**
 * Every configuration key of every target, in one registry. Each area owns its file; this module
 * only merges them, so the registry stays the single source for validation, Pulumi.yaml and docs.
 */
import { commonKeys } from "./common";
import { edgeInputKeys } from "./edgeInputs";
import { fedoraKeys } from "./fedora";
import { harnessKeys } from "./harness";

export const CONFIG_KEYS = {
  ...commonKeys,
  ...fedoraKeys,
  ...harnessKeys,
  ...edgeInputKeys,
};

export type ConfigKeyName = keyof typeof CONFIG_KEYS;
