/**
 * A policy configuration checked against its JSON Schema the way the Pulumi CLI does before sending it
 * to the pack (and the defaults proved valid), by Ajv. Returns the problems as `path: what`, empty
 * when valid.
 */
import Ajv, { type ErrorObject, type ValidateFunction } from "ajv";
import type { PolicyConfigJSONSchemaDefinition } from "@pulumi/policy/schema";

// `strict: false`: the pack's schemas carry annotations (`default`, `description`) Ajv's strict mode
// would question; `verbose` keeps the failing value, to say what type was found.
const ajv = new Ajv({ allErrors: true, strict: false, verbose: true });
const compiled = new WeakMap<object, ValidateFunction>();

const typeOf = (v: unknown) => (Array.isArray(v) ? "array" : v === null ? "null" : Number.isInteger(v) ? "integer" : typeof v);

/** `/floatingTagAllowList/0` → `.floatingTagAllowList[0]`. */
function pathOf(root: string, pointer: string): string {
  return (
    root +
    pointer
      .split("/")
      .slice(1)
      .map((part) => part.replaceAll("~1", "/").replaceAll("~0", "~"))
      .map((part) => (/^\d+$/.test(part) ? `[${part}]` : `.${part}`))
      .join("")
  );
}

function problemOf(root: string, error: ErrorObject): string {
  const path = pathOf(root, error.instancePath);
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case "required":
      return `${path}: missing ${String(params.missingProperty)}`;
    case "additionalProperties":
      return `${path}: unknown property ${String(params.additionalProperty)}`;
    case "type":
      return `${path}: expected ${[params.type].flat().join(" or ")}, got ${typeOf(error.data)}`;
    default:
      return `${path}: ${error.message ?? error.keyword}`;
  }
}

export function validateJsonSchema(value: unknown, schema: PolicyConfigJSONSchemaDefinition, path = "$"): string[] {
  if (typeof schema === "boolean") return schema ? [] : [`${path}: not allowed`];
  let validate = compiled.get(schema);
  if (!validate) {
    validate = ajv.compile(schema);
    compiled.set(schema, validate);
  }
  return validate(value) ? [] : (validate.errors ?? []).map((error) => problemOf(path, error));
}
