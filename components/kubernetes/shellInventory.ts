/**
 * The shell sidecar's tool inventory (the homelab seed's "layer 2"): the tools the operator expects,
 * grouped by the manager that installs them, plus opt-in removals. The sidecar's boot hook reads it
 * from /etc/paperclip-shell/inventory.yaml and converges. Rendered by a YAML serializer, never by
 * string interpolation.
 */
import { stringify } from "yaml";

export const SHELL_MANAGERS = ["mise", "npm-global", "pipx", "cargo"] as const;
export type ShellManager = (typeof SHELL_MANAGERS)[number];

export type ShellInventory = Partial<Record<ShellManager, readonly string[]>> & {
  removed?: Partial<Record<ShellManager, readonly string[]>>;
};

/** Managers in a fixed order, empty groups left out, so the same inventory renders the same text. */
export function renderShellInventory(inventory: ShellInventory): string {
  const groups = (source: Partial<Record<ShellManager, readonly string[]>>) =>
    Object.fromEntries(SHELL_MANAGERS.filter((m) => (source[m]?.length ?? 0) > 0).map((m) => [m, [...source[m]!]]));
  const document = { ...groups(inventory), ...(inventory.removed ? { removed: groups(inventory.removed) } : {}) };
  if (document.removed && Object.keys(document.removed).length === 0) delete document.removed;
  return `# Tools the paperclip-shell sidecar installs on boot (managed by Pulumi: edit the stack's shellSidecar.inventory).\n${stringify(document, { lineWidth: 0 })}`;
}
