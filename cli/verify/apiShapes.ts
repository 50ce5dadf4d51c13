/** Checking an API's answer against the JSON Schema of the fields verify relies on (cloudflareApi.ts, flyApi.ts). */
import Ajv, { type ValidateFunction } from "ajv";

const ajv = new Ajv({ allErrors: true, strict: false });
const compiled = new Map<object, ValidateFunction>();

/** Problems of `body` against `schema` (empty when it fits), as `path message` lines. */
export function shapeProblems(schema: object, body: unknown): string[] {
  let validate = compiled.get(schema);
  if (validate === undefined) {
    validate = ajv.compile(schema);
    compiled.set(schema, validate);
  }
  if (validate(body)) return [];
  return (validate.errors ?? []).map((error) => `${error.instancePath || "/"} ${error.message ?? "does not fit"}`);
}
