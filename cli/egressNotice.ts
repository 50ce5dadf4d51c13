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

/** homelab with `egressMode: cilium` (its `egressMode` output): no proxy, Cilium admits the allowed names. */
export const HOMELAB_CILIUM_NOTICE =
  "egress: enforced by a CiliumNetworkPolicy, where the cluster runs Cilium with its DNS proxy: DNS, the gateway, the database and, by name (toFQDNs, ports 80 and 443), the agents' default hosts and egressAllowHosts only; no proxy, and no model provider among the names (docs/egress.md).";

/** The notice for a stack's target (its `target` output, and homelab's `egressMode`), if there is one. */
export function egressNotice(outputs: Readonly<Record<string, unknown>>): string | undefined {
  if (outputs.target === "homelab" && outputs.egressMode === "cilium") return HOMELAB_CILIUM_NOTICE;
  return typeof outputs.target === "string" ? EGRESS_NOTICES[outputs.target] : undefined;
}
