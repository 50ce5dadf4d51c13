/**
 * The fedora host's Podman networks, derived from the edges the catalogue declares (docs/fedora.md
 * §Networks): one Internal network per edge, its two ends its only members; one uplink network per
 * service that needs a route out or publishes a host port, the service its only member. So two
 * containers share a network only where one declares it reaches the other.
 *
 * Per edge rather than per server: a server's clients on one shared network could reach each other
 * (OpenWebUI and Paperclip both reach LiteLLM; they must not reach one another), and per edge costs
 * nothing but a bridge.
 */
import type { ResolvedCatalog } from "../../catalog/resolveCatalog";
import { type ConfigProblem, displayValue } from "../../config/ConfigError";
import { isIPv4Cidr } from "../../config/formats";

/** A block of addresses networks are carved from: the config key that sets it and its value. */
export interface AddressPool {
  key: string;
  subnet: string;
}

export interface DerivedNetwork {
  name: string;
  kind: "edge" | "uplink";
  /** The edge's client and server, or the uplink's one service. */
  members: readonly string[];
  subnet: string;
  /** No route out of the host: every edge network. */
  internal: boolean;
}

export interface NetworkPlan {
  networks: readonly DerivedNetwork[];
  /** The network names each container joins, uplink first (its default route). */
  memberships: ReadonlyMap<string, readonly string[]>;
  /**
   * Each container's fixed address on each network it joins: the first member takes the subnet's
   * second host, the second member the third (the first is the bridge's gateway). Fixed rather than
   * left to Podman's allocator, so a service can be told its own addresses (Caddy serves its routes
   * only to connections from them, docs/fedora.md §Networks) and two containers never race for one.
   */
  addresses: ReadonlyMap<string, ReadonlyMap<string, string>>;
  /** Declared edges, `client → server`, of the enabled services. */
  edges: readonly { client: string; server: string }[];
  problems: readonly ConfigProblem[];
}

/** Every network gets a /29: 5 addresses for containers, more than the two an edge needs. */
export const NETWORK_PREFIX = 29;
const BLOCK = 2 ** (32 - NETWORK_PREFIX);

function ipOf(address: string): number {
  return address.split(".").reduce((acc, octet) => acc * 256 + Number(octet), 0);
}

function addressOf(ip: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(ip / 2 ** shift) % 256).join(".");
}

/** FNV-1a: a network keeps its subnet when others come and go, unless their slots collide. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (const char of text) h = Math.imul(h ^ char.charCodeAt(0), 0x01000193) >>> 0;
  return h;
}

/** The /28 blocks of the pools, in pool order. */
function slotsOf(pools: readonly AddressPool[]): number[] {
  return pools.flatMap((pool) => {
    if (!isIPv4Cidr(pool.subnet)) return [];
    const [address, bits] = pool.subnet.split("/") as [string, string];
    const count = Number(bits) > NETWORK_PREFIX ? 0 : 2 ** (NETWORK_PREFIX - Number(bits));
    return Array.from({ length: count }, (_, i) => ipOf(address) + i * BLOCK);
  });
}

export function deriveNetworkPlan(catalog: ResolvedCatalog, options: { networkName: string; pools: readonly AddressPool[] }): NetworkPlan {
  const containers = catalog.services.filter((s) => s.kind !== "host");
  const enabled = new Set(containers.map((s) => s.name));
  const edges = containers.flatMap((client) =>
    [...new Set(client.reaches ?? [])]
      .filter((server) => enabled.has(server) && server !== client.name)
      .map((server) => ({ client: client.name, server })),
  );
  const wanted: Omit<DerivedNetwork, "subnet">[] = [
    ...containers.flatMap((service) =>
      service.internet !== undefined || (service.ports ?? []).some((p) => p.host !== undefined)
        ? [{ name: `${options.networkName}-${service.name}-uplink`, kind: "uplink" as const, members: [service.name], internal: false }]
        : [],
    ),
    ...edges.map(({ client, server }) => ({
      name: `${options.networkName}-${client}-to-${server}`,
      kind: "edge" as const,
      members: [client, server],
      internal: true,
    })),
  ];

  const slots = slotsOf(options.pools);
  const taken = new Set<number>();
  const problems: ConfigProblem[] = [];
  const subnets = new Map<string, string>();
  // In the order of each name's own slot: a newcomer moves another network only when it lands in
  // that network's run of taken slots ahead of it.
  const home = (name: string) => (slots.length === 0 ? 0 : hash(name) % slots.length);
  const order = [...wanted].sort((a, b) => home(a.name) - home(b.name) || a.name.localeCompare(b.name));
  for (const network of order) {
    if (taken.size >= slots.length) break;
    let slot = home(network.name);
    while (taken.has(slot)) slot = (slot + 1) % slots.length;
    taken.add(slot);
    subnets.set(network.name, `${addressOf(slots[slot]!)}/${NETWORK_PREFIX}`);
  }
  if (wanted.length > slots.length) {
    problems.push({
      key: options.pools[0]!.key,
      found: displayValue(options.pools[0]!.subnet),
      expected: `address blocks with room for ${wanted.length} networks of /${NETWORK_PREFIX}; ${options.pools.map((p) => `${p.key} (${p.subnet})`).join(", ")} hold ${slots.length}: widen one of them`,
    });
  }

  const networks = wanted.map((n): DerivedNetwork => ({ ...n, subnet: subnets.get(n.name) ?? "" }));
  const memberships = new Map<string, string[]>(containers.map((s) => [s.name, []]));
  for (const network of networks) {
    for (const member of network.members) {
      const list = memberships.get(member)!;
      if (network.kind === "uplink") list.unshift(network.name);
      else list.push(network.name);
    }
  }
  const addresses = new Map<string, Map<string, string>>(containers.map((s) => [s.name, new Map()]));
  for (const network of networks) {
    if (network.subnet === "") continue;
    const base = ipOf(network.subnet.split("/")[0]!);
    network.members.forEach((member, i) => addresses.get(member)!.set(network.name, addressOf(base + 2 + i)));
  }
  return { networks, memberships, addresses, edges, problems };
}
