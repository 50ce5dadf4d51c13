/**
 * Policies receive resource properties wrapped in @pulumi/policy's unknown-checking proxy: reading a
 * value that is not known yet (during `pulumi preview`, an output of a resource not created yet)
 * throws. A policy that lets that escape is reported as "can't run during preview" and judges
 * nothing, so every reader here first copies the properties into plain data, with `UNKNOWN` where
 * the engine does not know the value yet. Each policy then decides what an unknown means for it.
 */
import { UnknownValueError, type PolicyResource } from "@pulumi/policy";

/** Stands for a value the engine does not know yet (preview before the resource exists). */
export const UNKNOWN: unique symbol = Symbol("unknown during preview");
export type Unknown = typeof UNKNOWN;

export type Plain = string | number | boolean | null | Unknown | Plain[] | { [key: string]: Plain };

export function isUnknown(value: unknown): value is Unknown {
  return value === UNKNOWN;
}

/** A deep copy of a (proxied) property value, with UNKNOWN where the value is not known. */
export function plain(value: unknown): Plain {
  if (value === null || value === undefined) return null;
  if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") return value;
  if (Array.isArray(value)) {
    const items: Plain[] = [];
    for (let i = 0; i < value.length; i++) items.push(read(() => value[i]));
    return items;
  }
  if (typeof value === "object") {
    // Assets and archives are class instances; policies here only need their text, if any.
    const out: { [key: string]: Plain } = {};
    for (const key of Object.keys(value)) {
      const field = read(() => (value as Record<string, unknown>)[key]);
      if (field !== null) out[key] = field;
    }
    return out;
  }
  return null;
}

function read(get: () => unknown): Plain {
  try {
    return plain(get());
  } catch (error) {
    if (error instanceof UnknownValueError) return UNKNOWN;
    throw error;
  }
}

/** A resource as every reader sees it: plain properties and URNs for its relations. */
export interface StackResource {
  urn: string;
  type: string;
  name: string;
  props: { [key: string]: Plain };
  parent?: string;
  dependencies: string[];
  /** Property name → URNs of the resources whose outputs flowed into that property. */
  propertyDependencies: Record<string, string[]>;
}

export function stackResources(resources: readonly PolicyResource[]): StackResource[] {
  return resources.map((r) => {
    const props = plain(r.props);
    return {
      urn: r.urn,
      type: r.type,
      name: r.name,
      props: props !== null && typeof props === "object" && !Array.isArray(props) && !isUnknown(props) ? props : {},
      ...(r.parent ? { parent: r.parent.urn } : {}),
      dependencies: r.dependencies.map((d) => d.urn),
      propertyDependencies: Object.fromEntries(Object.entries(r.propertyDependencies).map(([key, deps]) => [key, deps.map((d) => d.urn)])),
    };
  });
}

// Small typed readers over Plain, so policies never index into `any`.

export function str(value: Plain | undefined): string | undefined {
  return typeof value === "string" ? value : undefined;
}

/** A string, UNKNOWN, or undefined when absent or not a string. */
export function strOrUnknown(value: Plain | undefined): string | Unknown | undefined {
  return typeof value === "string" || isUnknown(value) ? value : undefined;
}

export function num(value: Plain | undefined): number | undefined {
  if (typeof value === "number") return value;
  if (typeof value === "string" && /^-?\d+(\.\d+)?$/.test(value)) return Number(value);
  return undefined;
}

export function bool(value: Plain | undefined): boolean | undefined {
  return typeof value === "boolean" ? value : undefined;
}

export function obj(value: Plain | undefined): { [key: string]: Plain } | undefined {
  return value !== null && typeof value === "object" && !Array.isArray(value) && !isUnknown(value) ? value : undefined;
}

export function arr(value: Plain | undefined): Plain[] {
  return Array.isArray(value) ? value : [];
}

/** Follows a path of object keys. */
export function at(value: Plain | undefined, ...path: string[]): Plain | undefined {
  let current: Plain | undefined = value;
  for (const key of path) {
    const o = obj(current);
    if (!o) return isUnknown(current) ? UNKNOWN : undefined;
    current = o[key];
  }
  return current;
}

/** Every string leaf of a value, with its path (for scans of plain text surfaces). */
export function stringLeaves(value: Plain | undefined, path = ""): { path: string; value: string }[] {
  if (typeof value === "string") return [{ path, value }];
  if (Array.isArray(value)) return value.flatMap((v, i) => stringLeaves(v, `${path}[${i}]`));
  const o = obj(value);
  if (o) return Object.entries(o).flatMap(([k, v]) => stringLeaves(v, path ? `${path}.${k}` : k));
  return [];
}
