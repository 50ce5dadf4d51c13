/**
 * The subset of JSON Schema the pack's config schemas use, enough to check a policy configuration
 * the way the Pulumi CLI does before sending it to the pack (and to prove the defaults valid): type,
 * properties, required, additionalProperties, items, minItems, minLength, pattern, minimum, maximum.
 * Returns the problems, empty when valid.
 */
import type { PolicyConfigJSONSchema, PolicyConfigJSONSchemaDefinition } from "@pulumi/policy/schema";

export function validateJsonSchema(value: unknown, schema: PolicyConfigJSONSchemaDefinition, path = "$"): string[] {
  if (typeof schema === "boolean") return schema ? [] : [`${path}: not allowed`];
  const s: PolicyConfigJSONSchema = schema;
  const problems: string[] = [];
  const types = s.type === undefined ? [] : Array.isArray(s.type) ? s.type : [s.type];
  const typeOf = (v: unknown) => (Array.isArray(v) ? "array" : v === null ? "null" : Number.isInteger(v) ? "integer" : typeof v);
  if (types.length > 0 && !types.some((t) => t === typeOf(value) || (t === "number" && typeOf(value) === "integer"))) {
    return [`${path}: expected ${types.join(" or ")}, got ${typeOf(value)}`];
  }
  if (typeof value === "string") {
    if (s.minLength !== undefined && value.length < s.minLength) problems.push(`${path}: shorter than ${s.minLength}`);
    if (s.pattern !== undefined && !new RegExp(s.pattern).test(value)) problems.push(`${path}: does not match ${s.pattern}`);
  }
  if (typeof value === "number") {
    if (s.minimum !== undefined && value < s.minimum) problems.push(`${path}: below ${s.minimum}`);
    if (s.maximum !== undefined && value > s.maximum) problems.push(`${path}: above ${s.maximum}`);
  }
  if (Array.isArray(value)) {
    if (s.minItems !== undefined && value.length < s.minItems) problems.push(`${path}: fewer than ${s.minItems} items`);
    if (s.items !== undefined && !Array.isArray(s.items))
      value.forEach((item, i) => problems.push(...validateJsonSchema(item, s.items as PolicyConfigJSONSchemaDefinition, `${path}[${i}]`)));
  }
  if (value !== null && typeof value === "object" && !Array.isArray(value)) {
    const record = value as Record<string, unknown>;
    for (const key of s.required ?? []) if (!(key in record)) problems.push(`${path}: missing ${key}`);
    for (const [key, v] of Object.entries(record)) {
      const property = s.properties?.[key];
      if (property !== undefined) problems.push(...validateJsonSchema(v, property, `${path}.${key}`));
      else if (s.additionalProperties === false) problems.push(`${path}: unknown property ${key}`);
      else if (s.additionalProperties !== undefined && typeof s.additionalProperties !== "boolean")
        problems.push(...validateJsonSchema(v, s.additionalProperties, `${path}.${key}`));
    }
  }
  return problems;
}
