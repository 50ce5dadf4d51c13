/**
 * Validation of a stack's configuration: pure, so it can be tested without Pulumi and so that every
 * problem is found before any resource is declared.
 */
import { z } from "zod";
import { ConfigError, type ConfigProblem, displayValue } from "./ConfigError";
import { looksLikePlaceholder } from "./formats";
import { CONFIG_KEYS, type ConfigKeyName } from "./keys";
import type { ConfigKeySpec, Target } from "./keySpec";
import { closestMatch } from "./suggest";

export const PROJECT = "paperclip-harness";

export type ConfigValues = { target: Target } & {
  -readonly [K in Exclude<ConfigKeyName, "target">]?: z.output<(typeof CONFIG_KEYS)[K]["schema"]>;
};

/** The stack settings file a stack's configuration comes from (Pulumi.yaml sets `stackConfigDir: stacks`). */
export function stackFileOf(stack: string): string {
  return `stacks/Pulumi.${stack}.yaml`;
}

export interface RawStackConfig {
  stack: string;
  /** Every configuration value, keyed `namespace:key`, as Pulumi hands it to the program (strings). */
  values: Readonly<Record<string, string>>;
  /** Keys whose values are secret (set with --secret or `secure:` in the stack file). */
  secretKeys: ReadonlySet<string>;
  /** Targets whose implementation exists; selecting another one is reported as not implemented. */
  implementedTargets: readonly Target[];
}

const KEY_SPECS = CONFIG_KEYS as unknown as Record<string, ConfigKeySpec>;
const SECRET_LIKE_NAME = /(KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIALS?)$/i;

/** Validates everything and returns the typed values, or throws one ConfigError listing every problem. */
export function parseStackConfig(raw: RawStackConfig): ConfigValues {
  const stackFile = stackFileOf(raw.stack);
  const problems: ConfigProblem[] = [];
  const ownValues = new Map<string, string>();

  for (const [fullKey, value] of Object.entries(raw.values)) {
    const separator = fullKey.indexOf(":");
    const namespace = separator < 0 ? "" : fullKey.slice(0, separator);
    const name = fullKey.slice(separator + 1);
    if (namespace === PROJECT) {
      ownValues.set(name, value);
    } else if (namespace !== PROJECT && closestMatch(namespace, [PROJECT]) !== undefined) {
      problems.push({
        key: fullKey,
        expected: `unknown namespace "${namespace}" (did you mean "${PROJECT}:${name}"?)`,
      });
    }
    // Other namespaces (cloudflare:, kubernetes:, …) belong to providers and are theirs to check.
  }

  const target = resolveTarget(ownValues.get("target"), raw.implementedTargets, problems);
  const values: Record<string, unknown> = {};

  for (const [name, rawValue] of ownValues) {
    if (name === "target") continue;
    const spec = KEY_SPECS[name];
    const fullKey = `${PROJECT}:${name}`;
    if (!spec) {
      const suggestion = closestMatch(name, Object.keys(KEY_SPECS));
      problems.push({
        key: fullKey,
        expected: suggestion
          ? `unknown key (did you mean "${PROJECT}:${suggestion}"?)`
          : "unknown key; see the configuration reference in README.md",
      });
      continue;
    }
    if (target && !spec.targets.includes(target)) {
      // Pulumi applies Pulumi.yaml defaults to every stack, so a default value here is not the user's doing.
      const isProjectDefault = spec.default !== undefined && rawValue === asConfigString(spec.default);
      if (!isProjectDefault) {
        problems.push({
          key: fullKey,
          expected: `applies to the ${spec.targets.join(", ")} target${spec.targets.length > 1 ? "s" : ""}, not to ${target}; remove it from this stack`,
        });
      }
      continue;
    }
    const parsed = parseValue(fullKey, spec, rawValue, raw.secretKeys.has(fullKey), problems);
    if (parsed.ok) values[name] = parsed.value;
  }

  if (target) {
    for (const [name, spec] of Object.entries(KEY_SPECS)) {
      if (name === "target" || !spec.targets.includes(target) || ownValues.has(name)) continue;
      if (spec.required || spec.requiredOn?.includes(target)) {
        const set = spec.secret ? "pulumi config set --secret" : "pulumi config set";
        problems.push({
          key: `${PROJECT}:${name}`,
          expected: `missing: ${spec.description} Set it with \`${set} ${name} <value>\`.`,
        });
      } else {
        // Defaults live in the schemas; parse `undefined` to apply them.
        const result = spec.schema.safeParse(undefined);
        if (result.success && result.data !== undefined) values[name] = result.data;
      }
    }
  }

  if (problems.length > 0 || !target) throw new ConfigError(stackFile, problems);
  return { ...values, target };
}

/** How the Pulumi CLI hands a value to the program: strings as they are, anything else as JSON. */
function asConfigString(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

function resolveTarget(rawTarget: string | undefined, implemented: readonly Target[], problems: ConfigProblem[]): Target | undefined {
  const key = `${PROJECT}:target`;
  const spec = CONFIG_KEYS.target;
  if (rawTarget === undefined) {
    problems.push({ key, expected: `missing: ${spec.description} Set it with \`pulumi config set target <name>\`.` });
    return undefined;
  }
  const result = spec.schema.safeParse(rawTarget);
  if (!result.success) {
    const suggestion = closestMatch(rawTarget, spec.schema.options);
    problems.push({
      key,
      found: displayValue(rawTarget),
      expected: `unknown target; expected one of ${spec.schema.options.join(", ")}${suggestion ? ` (did you mean "${suggestion}"?)` : ""}`,
    });
    return undefined;
  }
  if (!implemented.includes(result.data)) {
    problems.push({
      key,
      found: displayValue(rawTarget),
      expected: `the ${result.data} target is not implemented yet (implemented: ${implemented.join(", ")})`,
    });
    return undefined;
  }
  return result.data;
}

type Parsed = { ok: true; value: unknown } | { ok: false };

function parseValue(fullKey: string, spec: ConfigKeySpec, rawValue: string, isSecret: boolean, problems: ConfigProblem[]): Parsed {
  if (spec.secret && !isSecret) {
    problems.push({
      key: fullKey,
      found: "(plain text)",
      expected: `is a credential: set it encrypted with \`pulumi config set --secret ${fullKey.slice(PROJECT.length + 1)} <value>\``,
    });
    return { ok: false };
  }
  const show = (value: unknown) => (spec.secret ? "(secret)" : displayValue(value));

  const decoded = decode(spec, rawValue);
  if (!decoded.ok) {
    problems.push({ key: fullKey, found: show(rawValue), expected: decoded.expected });
    return { ok: false };
  }

  if (spec.secret) {
    const placeholders = findPlaceholders(decoded.value);
    for (const path of placeholders) {
      problems.push({
        key: fullKey + path,
        found: "(secret)",
        expected: "is a placeholder (such as CHANGEME), not a real credential; set the real value with --secret",
      });
    }
    if (placeholders.length > 0) return { ok: false };
  }

  // Checked on the decoded value so these are reported even when other parts of the value are invalid.
  const environmentProblems = placeholderEnvironmentProblems(fullKey, decoded.value);
  problems.push(...environmentProblems);
  const result = spec.schema.safeParse(decoded.value, { reportInput: true });
  if (!result.success) {
    for (const issue of result.error.issues) problems.push(...problemsFromIssue(fullKey, spec.schema, issue, show));
    return { ok: false };
  }
  return environmentProblems.length > 0 ? { ok: false } : { ok: true, value: result.data };
}

function decode(spec: ConfigKeySpec, rawValue: string): { ok: true; value: unknown } | { ok: false; expected: string } {
  switch (spec.kind) {
    case "string":
      return { ok: true, value: rawValue };
    case "integer":
      // A non-numeric string goes on to the schema, whose message says what the number is for.
      return { ok: true, value: /^[+-]?\d+$/.test(rawValue.trim()) ? Number(rawValue) : rawValue };
    case "boolean":
      return { ok: true, value: rawValue === "true" ? true : rawValue === "false" ? false : rawValue };
    case "array":
    case "object":
      try {
        return { ok: true, value: JSON.parse(rawValue) };
      } catch {
        return { ok: false, expected: spec.kind === "array" ? "expected a YAML list" : "expected a YAML mapping" };
      }
  }
}

function problemsFromIssue(fullKey: string, schema: z.ZodType, issue: z.core.$ZodIssue, show: (v: unknown) => string): ConfigProblem[] {
  const path = issue.path.map((segment) => `.${String(segment)}`).join("");
  if (issue.code === "unrecognized_keys") {
    const known = objectKeysAt(schema, issue.path);
    return issue.keys.map((unknown) => {
      const suggestion = known ? closestMatch(unknown, known) : undefined;
      const hint = suggestion ? ` (did you mean "${suggestion}"?)` : known ? `; expected one of ${known.join(", ")}` : "";
      return { key: `${fullKey}${path}.${unknown}`, expected: `unknown setting${hint}` };
    });
  }
  const input = "input" in issue ? issue.input : undefined;
  return [{ key: fullKey + path, ...(input === undefined ? {} : { found: show(input) }), expected: issue.message }];
}

/** The keys an object schema allows at a path, found by walking the schema (zod's issue does not list them). */
function objectKeysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] | undefined {
  const unwrap = (s: z.core.$ZodType | undefined): z.core.$ZodType | undefined => {
    let current = s;
    for (;;) {
      const def = current?._zod.def as { type: string; innerType?: z.core.$ZodType; in?: z.core.$ZodType } | undefined;
      if (!def) return current;
      if (def.innerType) current = def.innerType;
      else if (def.type === "pipe" && def.in) current = def.in;
      else return current;
    }
  };
  let current = unwrap(schema);
  for (const segment of path) {
    const def = current?._zod.def as { type: string; valueType?: z.core.$ZodType; shape?: Record<string, z.core.$ZodType> };
    if (def?.type === "record") current = unwrap(def.valueType);
    else if (def?.type === "object") current = unwrap(def.shape?.[String(segment)]);
    else return undefined;
  }
  const def = current?._zod.def as { type: string; shape?: Record<string, unknown> } | undefined;
  return def?.type === "object" && def.shape ? Object.keys(def.shape) : undefined;
}

/** Paths (".a.b") of string leaves that look like placeholders. */
function findPlaceholders(value: unknown, path = ""): string[] {
  if (typeof value === "string") return looksLikePlaceholder(value) ? [path] : [];
  if (value && typeof value === "object") {
    return Object.entries(value).flatMap(([k, v]) => findPlaceholders(v, `${path}.${k}`));
  }
  return [];
}

/** Plain environment overrides that hold a credential placeholder belong in secrets instead. */
function placeholderEnvironmentProblems(fullKey: string, value: unknown): ConfigProblem[] {
  if (!fullKey.endsWith(":services") || !value || typeof value !== "object") return [];
  const problems: ConfigProblem[] = [];
  for (const [service, override] of Object.entries(value as Record<string, unknown>)) {
    const env = override && typeof override === "object" ? (override as { env?: unknown }).env : undefined;
    if (!env || typeof env !== "object") continue;
    for (const [name, envValue] of Object.entries(env)) {
      if (SECRET_LIKE_NAME.test(name) && typeof envValue === "string" && looksLikePlaceholder(envValue)) {
        problems.push({
          key: `${fullKey}.${service}.env.${name}`,
          found: displayValue(envValue),
          expected:
            "is a credential placeholder in plain environment; declare it under secrets ({fromConfig: <extraSecrets name>} or {generate: hex32}) instead",
        });
      }
    }
  }
  return problems;
}
