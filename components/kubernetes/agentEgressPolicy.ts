/**
 * The NetworkPolicy that puts an agent runtime's pod behind the egress boundary (docs/egress.md):
 * egress only to the cluster's DNS, the model gateway, the egress proxy and the database. Pure: the
 * spec in, so a test can read it; the homelab target declares it.
 */
import type * as k8s from "@pulumi/kubernetes";

/**
 * Where the gateway is, as a NetworkPolicy can name it; `proxied` when only the proxy can reach it
 * (or, in the `cilium` egress mode, Cilium by its name).
 */
export type GatewayPeer =
  | { kind: "service"; namespace: string; port: number }
  | { kind: "address"; address: string; port: number }
  | { kind: "proxied"; host: string; port: number };

/** The gateway's base URL as a peer: a cluster Service's name, an IPv4 address, or anything else (by name). */
export function gatewayPeer(baseUrl: string): GatewayPeer {
  const url = new URL(baseUrl);
  const port = url.port === "" ? (url.protocol === "https:" ? 443 : 80) : Number(url.port);
  const service = /^[a-z0-9-]+\.([a-z0-9-]+)\.svc(\.cluster\.local)?$/.exec(url.hostname);
  if (service) return { kind: "service", namespace: service[1]!, port };
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(url.hostname)) return { kind: "address", address: url.hostname, port };
  return { kind: "proxied", host: url.hostname, port };
}

export interface AgentEgressPolicyInput {
  name: string;
  namespace: string;
  /** Labels of the agent runtime's pods. */
  agentLabels: Readonly<Record<string, string>>;
  gateway: GatewayPeer;
  /** Labels and port of the egress proxy's pods, in the same namespace; absent in the `cilium` egress mode. */
  proxy?: { labels: Readonly<Record<string, string>>; port: number };
  /** Labels and port of the database's pods, in the same namespace. */
  database: { labels: Readonly<Record<string, string>>; port: number };
}

export function agentEgressNetworkPolicy(input: AgentEgressPolicyInput): k8s.types.input.networking.v1.NetworkPolicy {
  const tcp = (port: number) => [{ protocol: "TCP", port }];
  const gateway: k8s.types.input.networking.v1.NetworkPolicyEgressRule[] =
    input.gateway.kind === "service"
      ? [
          {
            to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": input.gateway.namespace } } }],
            ports: tcp(input.gateway.port),
          },
        ]
      : input.gateway.kind === "address"
        ? [{ to: [{ ipBlock: { cidr: `${input.gateway.address}/32` } }], ports: tcp(input.gateway.port) }]
        : [];
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: { name: input.name, namespace: input.namespace, labels: { ...input.agentLabels } },
    spec: {
      podSelector: { matchLabels: { ...input.agentLabels } },
      // Egress only: what reaches Paperclip (its Service, the shell's) is not this policy's business.
      policyTypes: ["Egress"],
      egress: [
        {
          to: [
            {
              namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } },
              podSelector: { matchLabels: { "k8s-app": "kube-dns" } },
            },
          ],
          ports: [
            { protocol: "UDP", port: 53 },
            { protocol: "TCP", port: 53 },
          ],
        },
        ...gateway,
        ...(input.proxy ? [{ to: [{ podSelector: { matchLabels: { ...input.proxy.labels } } }], ports: tcp(input.proxy.port) }] : []),
        { to: [{ podSelector: { matchLabels: { ...input.database.labels } } }], ports: tcp(input.database.port) },
      ],
    },
  };
}
