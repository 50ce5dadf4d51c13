/** A `pulumi preview`-like tree: one line per resource, grouped under its parent, then counts. */
import type { PlannedResource } from "./planDocument";

export function renderPreviewTree(project: string, stack: string, resources: readonly PlannedResource[]): string {
  const children = new Map<string | undefined, PlannedResource[]>();
  for (const resource of resources) {
    const siblings = children.get(resource.parent) ?? [];
    siblings.push(resource);
    children.set(resource.parent, siblings);
  }
  const byUrn = new Set(resources.map((r) => r.urn));
  const roots = resources.filter((r) => r.parent === undefined || !byUrn.has(r.parent));
  const rows: Array<[string, string]> = [];
  const walk = (resource: PlannedResource, prefix: string, isLast: boolean, isRoot: boolean) => {
    const branch = isRoot ? "" : isLast ? "└─ " : "├─ ";
    rows.push([`${prefix}${branch}${resource.type}`, resource.name]);
    const kids = (children.get(resource.urn) ?? []).slice().sort(compareResources);
    const childPrefix = isRoot ? prefix : prefix + (isLast ? "   " : "│  ");
    kids.forEach((child, i) => walk(child, childPrefix, i === kids.length - 1, false));
  };
  roots.sort(compareResources).forEach((root) => walk(root, "", true, true));

  const width = Math.max(4, ...rows.map(([type]) => type.length));
  const lines = [
    `Previewing offline (no cloud, no credentials): ${project}/${stack}`,
    "",
    `     ${"Type".padEnd(width)}  Name`,
    ...rows.map(([type, name]) => ` +   ${type.padEnd(width)}  ${name}`),
    "",
    "Resources:",
    `    + ${resources.length} to create (offline plans start from an empty stack)`,
  ];
  const custom = resources.filter((r) => r.custom).length;
  lines.push(`      (${custom} leaf resources, ${resources.length - custom} components)`);
  return lines.join("\n");
}

/** Components first, then by type and name: stable and readable. */
function compareResources(a: PlannedResource, b: PlannedResource): number {
  return Number(a.custom) - Number(b.custom) || a.type.localeCompare(b.type) || a.name.localeCompare(b.name);
}
