/**
 * What changes between two plans, resource by resource, the way `pulumi preview` would classify it
 * against a stack deployed from the first: create, delete, update, or replace (a replacement
 * trigger changed). Property changes say what changed, with both values as the plans have them
 * (redacted or fingerprinted: never a secret).
 */
import type { PlanDocument, PlannedResource } from "./planDocument";

export type ChangeKind = "create" | "delete" | "update" | "replace";

/** One changed leaf of a resource's inputs. `undefined` means absent on that side. */
export interface PropertyChange {
  /** `stdin`, `triggers[0]`, `config.ingresses[2].hostname`, `labels["app.kubernetes.io/name"]`. */
  path: string;
  before: unknown;
  after: unknown;
}

export interface ResourceChange {
  kind: ChangeKind;
  urn: string;
  type: string;
  name: string;
  /** Changed input paths (`stdin`, `triggers[0]`, `config.ingresses[2].hostname`). */
  paths: string[];
  /** The same changes with both values (empty for create and delete). */
  properties: PropertyChange[];
  /** For a replace: the changed paths that force it. */
  replaceTriggers: string[];
  /** The resource as the head plans it (as the base had it, for a delete). */
  resource: PlannedResource;
  /** The resource as the base had it (update, replace). */
  previous?: PlannedResource;
}

/** Inputs whose change replaces the resource instead of updating it, per type. */
const REPLACE_ON_CHANGE: Record<string, readonly string[]> = {
  "command:remote:Command": ["triggers"],
  "command:local:Command": ["triggers"],
  "random:index/randomBytes:RandomBytes": ["length", "keepers"],
  "random:index/randomPassword:RandomPassword": ["length", "keepers"],
};

export function diffPlans(before: PlanDocument, after: PlanDocument): ResourceChange[] {
  const old = new Map(before.resources.map((r) => [r.urn, r]));
  const now = new Map(after.resources.map((r) => [r.urn, r]));
  const changes: ResourceChange[] = [];
  for (const [urn, resource] of now) {
    const previous = old.get(urn);
    if (!previous) {
      changes.push({ ...identity("create", resource), paths: [], properties: [], replaceTriggers: [], resource });
      continue;
    }
    const properties = changedProperties(previous.inputs, resource.inputs, "");
    if (properties.length === 0) continue;
    const paths = properties.map((p) => p.path);
    const replaceKeys = REPLACE_ON_CHANGE[resource.type] ?? [];
    const replaceTriggers = paths.filter((p) => replaceKeys.some((k) => p === k || p.startsWith(`${k}.`) || p.startsWith(`${k}[`)));
    const kind = replaceTriggers.length > 0 ? "replace" : "update";
    changes.push({ ...identity(kind, resource), paths, properties, replaceTriggers, resource, previous });
  }
  for (const [urn, resource] of old) {
    if (!now.has(urn)) changes.push({ ...identity("delete", resource), paths: [], properties: [], replaceTriggers: [], resource });
  }
  return changes.sort((a, b) => a.urn.localeCompare(b.urn));
}

function identity(kind: ChangeKind, resource: PlannedResource) {
  return { kind, urn: resource.urn, type: resource.type, name: resource.name };
}

export function changedPaths(a: unknown, b: unknown, path: string): string[] {
  return changedProperties(a, b, path).map((p) => p.path);
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

/** The changed leaves of two values: arrays by index, objects by key, anything else as a whole. */
export function changedProperties(a: unknown, b: unknown, path: string): PropertyChange[] {
  if (Object.is(a, b)) return [];
  if (Array.isArray(a) && Array.isArray(b)) {
    const changes: PropertyChange[] = [];
    for (let i = 0; i < Math.max(a.length, b.length); i++) changes.push(...changedProperties(a[i], b[i], `${path}[${i}]`));
    return changes;
  }
  if (isObject(a) && isObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    return keys.flatMap((k) => changedProperties(a[k], b[k], joinPath(path, k)));
  }
  return [{ path: path || "(root)", before: a, after: b }];
}

function joinPath(path: string, key: string): string {
  if (/^[A-Za-z_$][\w$-]*$/.test(key)) return path ? `${path}.${key}` : key;
  return `${path}[${JSON.stringify(key)}]`;
}
