/**
 * What changes between two plans, resource by resource, the way `pulumi preview` would classify it
 * against a stack deployed from the first: create, delete, update, or replace (a replacement
 * trigger changed). Property paths say what changed; values stay as the plans have them (redacted).
 */
import type { PlanDocument, PlannedResource } from "./planDocument";

export type ChangeKind = "create" | "delete" | "update" | "replace";

export interface ResourceChange {
  kind: ChangeKind;
  urn: string;
  type: string;
  name: string;
  /** Changed input paths (`stdin`, `triggers[0]`, `config.ingresses[2].hostname`). */
  paths: string[];
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
      changes.push(change("create", resource, []));
      continue;
    }
    const paths = changedPaths(previous.inputs, resource.inputs, "");
    if (paths.length === 0) continue;
    const replaceKeys = REPLACE_ON_CHANGE[resource.type] ?? [];
    const replaces = paths.some((p) => replaceKeys.some((k) => p === k || p.startsWith(`${k}.`) || p.startsWith(`${k}[`)));
    changes.push(change(replaces ? "replace" : "update", resource, paths));
  }
  for (const [urn, resource] of old) if (!now.has(urn)) changes.push(change("delete", resource, []));
  return changes.sort((a, b) => a.urn.localeCompare(b.urn));
}

function change(kind: ChangeKind, resource: PlannedResource, paths: string[]): ResourceChange {
  return { kind, urn: resource.urn, type: resource.type, name: resource.name, paths };
}

export function changedPaths(a: unknown, b: unknown, path: string): string[] {
  if (Object.is(a, b)) return [];
  if (Array.isArray(a) && Array.isArray(b)) {
    const paths: string[] = [];
    for (let i = 0; i < Math.max(a.length, b.length); i++) paths.push(...changedPaths(a[i], b[i], `${path}[${i}]`));
    return paths;
  }
  const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);
  if (isObject(a) && isObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    return keys.flatMap((k) => changedPaths(a[k], b[k], path ? `${path}.${k}` : k));
  }
  return [path || "(root)"];
}
