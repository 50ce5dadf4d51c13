import { z } from "zod";

export const TARGETS = ["fedora", "fly", "sealos", "homelab"] as const;
export type Target = (typeof TARGETS)[number];

/**
 * How a raw config string is decoded before validation, and the type declared in Pulumi.yaml.
 * Pulumi hands every value to the program as a string; structured values arrive as JSON text.
 */
export type ConfigKind = "string" | "integer" | "boolean" | "array" | "object";

export interface ConfigKeySpec<S extends z.ZodType = z.ZodType> {
  kind: ConfigKind;
  /** One or two sentences for Pulumi.yaml and the README's configuration reference. */
  description: string;
  /** The targets this key applies to; on any other target it is an error to set it. */
  targets: readonly Target[];
  /** Validates the decoded value. Carries the default, when there is one. */
  schema: S;
  /** Required on every target it applies to (no default). */
  required?: boolean;
  /** Required on these targets only; on its other targets the target's plan decides (no default). */
  requiredOn?: readonly Target[];
  /** The default, also declared in Pulumi.yaml so `pulumi config` shows it. */
  default?: z.infer<S>;
  /**
   * An operator credential: must be set with `pulumi config set --secret`, must not be a placeholder,
   * and is never printed.
   */
  secret?: boolean;
  /**
   * For a secret whose value has a format: how the offline engine wraps its stand-in text into a
   * well-formed value (the real value is encrypted in the stack file and never read offline).
   */
  offlineStandIn?: (standIn: string) => string;
  /** Element type for `kind: "array"` (Pulumi.yaml `items`). */
  items?: "string" | "integer" | "boolean";
  /** An example for the README, when the description alone is not enough. */
  example?: string;
}

/** Identity helper that keeps each spec's schema type for inference. */
export function key<S extends z.ZodType>(spec: ConfigKeySpec<S>): ConfigKeySpec<S> {
  return spec;
}
