/**
 * What each target enforces of the egress boundary (docs/egress.md), printed by `check` after its
 * table, so a target that cannot enforce it says so instead of staying silent.
 */
export const EGRESS_NOTICES: Readonly<Record<string, string>> = {
  fedora:
    "egress: enforced. Paperclip is on the Internal agents network (no route out); the internet only through the egress proxy, which refuses the model providers and logs every request (docs/egress.md).",
  homelab:
    "egress: enforced by a NetworkPolicy (DNS, the gateway, the database and the egress proxy only), where the cluster's network plugin enforces NetworkPolicies; the proxy refuses the model providers (docs/egress.md).",
  sealos:
    "egress: NOT enforced. Sealos's tenant network is the platform's: Paperclip reaches the internet directly; only configuration keeps agents on the gateway (no provider key, base URLs at the gateway; docs/egress.md).",
  fly: "egress: NOT enforced. A Fly Machine has a route out and Fly offers no egress filter an app could configure: only configuration keeps agents on the gateway (docs/egress.md).",
};

/** The notice for a stack's target (its `target` output), if there is one. */
export function egressNotice(outputs: Readonly<Record<string, unknown>>): string | undefined {
  return typeof outputs.target === "string" ? EGRESS_NOTICES[outputs.target] : undefined;
}
