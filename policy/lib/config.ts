/**
 * Policy configuration: every policy declares its settings as a JSON schema (`configSchema`) with a
 * `default` for each, so `pulumi preview --policy-pack policy` works without a config file and
 * `--policy-pack-config` can override any setting or the enforcement level. The defaults are read
 * from that one schema, also when the engine sends no configuration at all.
 */
import type { PolicyConfigSchema, StackValidationArgs } from "@pulumi/policy";
import type { PolicyConfigJSONSchema } from "@pulumi/policy/schema";

/** A schema whose every property has a default: what a policy's settings look like. */
export type DefaultedSchema = PolicyConfigSchema & { properties: Record<string, PolicyConfigJSONSchema & { default: unknown }> };

export function schemaDefaults(schema: PolicyConfigSchema | undefined): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(schema?.properties ?? {})
      .filter(([, property]) => property.default !== undefined)
      .map(([name, property]) => [name, structuredClone(property.default)]),
  );
}

/** The policy's settings: the engine's configuration over the schema's defaults. */
export function settingsOf<T>(args: Pick<StackValidationArgs, "getConfig">, schema: PolicyConfigSchema): T {
  return { ...schemaDefaults(schema), ...args.getConfig<Record<string, unknown>>() } as T;
}

// Schema fragments the policies share.

export const stringList = (description: string, defaults: readonly string[]): PolicyConfigJSONSchema & { default: string[] } => ({
  type: "array",
  items: { type: "string", minLength: 1 },
  description,
  default: [...defaults],
});

/** How a policy recognises the workloads of one role (agent runtime, gateway, mail server…). */
export interface RoleMatcher {
  /** Container, unit or workload names that have the role. */
  names: string[];
  /** Substrings of the image repository (`ghcr.io/paperclipai/paperclip` → "paperclip") that give the role. */
  images: string[];
}

export const roleSchema = (description: string, defaults: RoleMatcher): PolicyConfigJSONSchema & { default: RoleMatcher } => ({
  type: "object",
  description,
  properties: {
    names: { type: "array", items: { type: "string", minLength: 1 } },
    images: { type: "array", items: { type: "string", minLength: 1 } },
  },
  required: ["names", "images"],
  additionalProperties: false,
  default: { names: [...defaults.names], images: [...defaults.images] },
});

/** An exception with the reason it is allowed, as every allow-list in this pack requires. */
export const reasonProperty: PolicyConfigJSONSchema = { type: "string", minLength: 10 };

/** Hostnames exempted from a rule, each with the reason it is allowed; none by default. */
export const hostnameExceptions = (description: string): PolicyConfigJSONSchema & { default: [] } => ({
  type: "array",
  description,
  items: {
    type: "object",
    properties: { hostname: { type: "string", minLength: 1 }, reason: reasonProperty },
    required: ["hostname", "reason"],
    additionalProperties: false,
  },
  default: [],
});

/** Workloads exempted from a rule, by container/workload name ("*": every one), each with the reason; none by default. */
export const workloadExceptions = (description: string): PolicyConfigJSONSchema & { default: [] } => ({
  type: "array",
  description,
  items: {
    type: "object",
    properties: { name: { type: "string", minLength: 1 }, reason: reasonProperty },
    required: ["name", "reason"],
    additionalProperties: false,
  },
  default: [],
});
