/**
 * The CiliumNetworkPolicy of the homelab's `cilium` egress mode (docs/egress.md): instead of the egress
 * proxy, Cilium itself lets the agent runtime's pods reach only the cluster's DNS, the model gateway,
 * the database and a list of names (`toFQDNs`, ports 80 and 443 as the proxy allows): the agents'
 * default hosts and the operator's egressAllowHosts. Cilium learns the addresses of an allowed name
 * from the DNS answers its DNS proxy sees, which is why the DNS rule carries an L7 `dns` rule. Pure:
 * the lists in, the spec out, so a test can read it; the homelab target declares it.
 */
import type { GatewayPeer } from "./agentEgressPolicy";
import { AGENT_DEFAULT_HOSTS, modelProviderReachedBy, patternCovers, type HostPattern } from "../egress/modelProviderHosts";

/** The API version and kind of the object, as cilium/cilium's CRD serves them. */
export const CILIUM_NETWORK_POLICY = { apiVersion: "cilium.io/v2", kind: "CiliumNetworkPolicy" } as const;

/** The ports the allowed names are reached on: the egress proxy's Safe_ports (renderSquidConfig.ts). */
export const CILIUM_FQDN_PORTS = [80, 443] as const;

export interface AgentCiliumEgressPolicyInput {
  name: string;
  namespace: string;
  /** Labels of the agent runtime's pods. */
  agentLabels: Readonly<Record<string, string>>;
  gateway: GatewayPeer;
  /** Labels and port of the database's pods, in the same namespace. */
  database: { labels: Readonly<Record<string, string>>; port: number };
  /** The names agents may reach (`name` or `.domain`), as ciliumAllowList computes them. */
  allowHosts: readonly HostPattern[];
}

export interface FqdnSelector {
  matchName?: string;
  matchPattern?: string;
}

/**
 * A host pattern as Cilium's FQDN selectors: `name` is one matchName; `.domain` is the domain itself
 * (matchName) and every name under it (`**.`, one label or more; `*.` would be one label only).
 */
export function fqdnSelectors(pattern: HostPattern): FqdnSelector[] {
  if (!pattern.startsWith(".")) return [{ matchName: pattern }];
  const domain = pattern.slice(1);
  return [{ matchName: domain }, { matchPattern: `**.${domain}` }];
}

/** Cilium's label for a pod's namespace, as toEndpoints selects it. */
const NAMESPACE_LABEL = "k8s:io.kubernetes.pod.namespace";

export function agentCiliumEgressPolicy(input: AgentCiliumEgressPolicyInput) {
  const tcp = (...ports: number[]) => [{ ports: ports.map((port) => ({ port: String(port), protocol: "TCP" })) }];
  const { gateway } = input;
  const gatewayRule =
    gateway.kind === "service"
      ? { toEndpoints: [{ matchLabels: { [NAMESPACE_LABEL]: gateway.namespace } }], toPorts: tcp(gateway.port) }
      : gateway.kind === "address"
        ? { toCIDR: [`${gateway.address}/32`], toPorts: tcp(gateway.port) }
        : { toFQDNs: fqdnSelectors(gateway.host.toLowerCase()), toPorts: tcp(gateway.port) };
  const fqdns = widest(input.allowHosts).flatMap(fqdnSelectors);
  return {
    ...CILIUM_NETWORK_POLICY,
    metadata: { name: input.name, namespace: input.namespace, labels: { ...input.agentLabels } },
    spec: {
      endpointSelector: { matchLabels: { ...input.agentLabels } },
      egress: [
        // Every lookup is answered (the cluster's own names among them); what a name may then be
        // connected to is the toFQDNs rule's business.
        {
          toEndpoints: [{ matchLabels: { [NAMESPACE_LABEL]: "kube-system", "k8s:k8s-app": "kube-dns" } }],
          toPorts: [{ ports: [{ port: "53", protocol: "ANY" }], rules: { dns: [{ matchPattern: "*" }] } }],
        },
        gatewayRule,
        { toEndpoints: [{ matchLabels: { ...input.database.labels } }], toPorts: tcp(input.database.port) },
        ...(fqdns.length > 0 ? [{ toFQDNs: fqdns, toPorts: tcp(...CILIUM_FQDN_PORTS) }] : []),
      ],
    },
  };
}

/** The patterns lower-cased, each once, without those a wider one admits, sorted. */
function widest(patterns: readonly HostPattern[]): HostPattern[] {
  const lower = [...new Set(patterns.map((p) => p.toLowerCase()))];
  return lower.filter((p) => !lower.some((other) => other !== p && patternCovers(other, p))).sort();
}

/** Why an entry of the operator's lists cannot stand in the `cilium` mode. */
export type CiliumListProblem =
  | { list: "egressAllowHosts"; index: number; host: string; reason: "model-provider"; provider: string }
  | { list: "egressAllowHosts"; index: number; host: string; reason: "on-both-lists" }
  | { list: "egressDenyHosts"; index: number; host: string; reason: "inside-allowed"; allowedBy: HostPattern; byDefault: boolean };

/**
 * What the `cilium` mode's toFQDNs admit, and what in the operator's lists it cannot honour. Cilium
 * only allows names (a deny rule cannot name one), so:
 * - an allow entry that admits a model provider's host (modelProviderReachedBy) is refused: unlike
 *   the proxy's allow-list, which reopens what the shipped list refuses, nothing here would refuse it;
 * - an entry on both lists is refused, as on fedora: which one wins would be a guess;
 * - a deny entry that covers one of the agents' default hosts removes it; one strictly inside an
 *   allowed domain (`raw.githubusercontent.com` under the default `.githubusercontent.com`) cannot be
 *   refused and is reported; any other deny entry is already refused, as every name not allowed is.
 * An allow entry inside a denied domain passes, as it does through the proxy (its allow-list first).
 */
export function ciliumAllowList(
  allowHosts: readonly HostPattern[],
  denyHosts: readonly HostPattern[],
): { hosts: HostPattern[]; problems: CiliumListProblem[] } {
  const allow = allowHosts.map((h) => h.toLowerCase());
  const deny = denyHosts.map((h) => h.toLowerCase());
  const problems: CiliumListProblem[] = [];
  allow.forEach((host, index) => {
    const provider = modelProviderReachedBy(host);
    if (provider !== undefined)
      problems.push({ list: "egressAllowHosts", index, host: allowHosts[index]!, reason: "model-provider", provider });
    else if (deny.includes(host)) problems.push({ list: "egressAllowHosts", index, host: allowHosts[index]!, reason: "on-both-lists" });
  });
  const defaults = AGENT_DEFAULT_HOSTS.filter((d) => !deny.some((denied) => patternCovers(denied, d)));
  const allowed = [
    ...defaults.map((pattern) => ({ pattern, byDefault: true })),
    ...allow.map((pattern) => ({ pattern, byDefault: false })),
  ];
  deny.forEach((host, index) => {
    const around = allowed.find(({ pattern }) => pattern !== host && patternCovers(pattern, host));
    if (around !== undefined)
      problems.push({
        list: "egressDenyHosts",
        index,
        host: denyHosts[index]!,
        reason: "inside-allowed",
        allowedBy: around.pattern,
        byDefault: around.byDefault,
      });
  });
  return { hosts: widest([...defaults, ...allow]), problems };
}
