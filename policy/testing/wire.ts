/**
 * Builders for analyzer fixtures: resources exactly as the engine hands them to a policy pack
 * (inputs in wire format, secrets wrapped, unknowns as the engine's sentinel, relations as URNs).
 */
import type { AnalyzerResource } from "../runAnalyzer";

const SECRET_SIG = "4dabf18193072939515e22adb298388d";
const SECRET = "1b47061264138c4ac30d75fd1eb44270";
/** The engine's "unknown string" sentinel: what a preview sends for a value not known yet. */
export const UNKNOWN_WIRE = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export function secret(value: unknown): Record<string, unknown> {
  return { [SECRET_SIG]: SECRET, value };
}

export function urnOf(type: string, name: string, parentType?: string): string {
  return `urn:pulumi:test::paperclip-harness::${parentType ? `${parentType}$` : ""}${type}::${name}`;
}

export interface ResourceOptions {
  parent?: string;
  dependencies?: string[];
  propertyDependencies?: Record<string, string[]>;
  parentType?: string;
}

export function resource(type: string, name: string, properties: Record<string, unknown>, options: ResourceOptions = {}): AnalyzerResource {
  const propertyDependencies = Object.fromEntries(Object.keys(properties).map((k) => [k, options.propertyDependencies?.[k] ?? []]));
  const dependencies = options.dependencies ?? [...new Set(Object.values(propertyDependencies).flat())];
  return {
    urn: urnOf(type, name, options.parentType),
    type,
    name,
    properties: stripUndefined(properties) as Record<string, unknown>,
    ...(options.parent ? { parent: options.parent } : {}),
    dependencies,
    propertyDependencies,
  };
}

function stripUndefined(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripUndefined);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => [k, stripUndefined(v)]),
    );
  }
  return value;
}

/** Finds a fixture resource by name (throws when absent, so a mutation never silently misses). */
export function named(resources: readonly AnalyzerResource[], name: string, type?: string): AnalyzerResource {
  const found = resources.find((r) => r.name === name && (type === undefined || r.type === type));
  if (!found) throw new Error(`fixture has no resource ${name}; it has ${resources.map((r) => r.name).join(", ")}`);
  return found;
}

export function without(resources: readonly AnalyzerResource[], ...names: string[]): AnalyzerResource[] {
  for (const name of names) named(resources, name);
  return resources.filter((r) => !names.includes(r.name));
}

/**
 * What a first `pulumi preview` sends: every input fed by another resource's output is unknown
 * (the worst case; providers often know more). Policies must judge what they can and never fail
 * on what they cannot.
 */
export function asFirstPreview(resources: readonly AnalyzerResource[]): AnalyzerResource[] {
  const custom = new Set(resources.map((r) => r.urn));
  return resources.map((r) => ({
    ...r,
    properties: Object.fromEntries(
      Object.entries(r.properties).map(([k, v]) => [
        k,
        (r.propertyDependencies?.[k] ?? []).some((urn) => custom.has(urn)) ? UNKNOWN_WIRE : v,
      ]),
    ),
  }));
}

export function clone<T>(value: T): T {
  return structuredClone(value);
}
