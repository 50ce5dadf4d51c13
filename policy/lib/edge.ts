/**
 * The fedora host's edge, read off the rendered units: the edge proxy (Caddy, behind Access), the
 * containers its mounted configuration routes to (`reverse_proxy <container>:<port>`), and who shares
 * a network with whom. Quadlet workloads only: the other targets have no Caddy.
 */
import type { RoleMatcher } from "./config";
import { hasRole } from "./roles";
import type { StackModel, Workload } from "./workloads";

/** Networks that are no shared bridge: the host's namespace, another container's, none. */
const NOT_SHARED = /^(host|none|private|slirp4netns|pasta)$|^(container|ns):/;

export interface Edge {
  containers: Workload[];
  proxies: Workload[];
  /** Containers a proxy's configuration routes to. */
  routed: Workload[];
}

export function readEdge(model: StackModel, proxies: RoleMatcher): Edge {
  const containers = model.workloads.filter((w) => w.target === "quadlet" && !w.hostService);
  const proxyWorkloads = containers.filter((w) => hasRole(w, proxies));
  const upstreams = new Set(
    proxyWorkloads.flatMap((p) =>
      p.mounts.flatMap((m) =>
        [...(m.text ?? "").matchAll(/\breverse_proxy\s+(?:https?:\/\/)?([a-z0-9][a-z0-9.-]*):\d+/gi)].map((x) => x[1]!),
      ),
    ),
  );
  const routed = containers.filter((w) => !proxyWorkloads.includes(w) && upstreams.has(w.name));
  return { containers, proxies: proxyWorkloads, routed };
}

/** The shared networks a container joins. */
export function sharedNetworks(workload: Workload): string[] {
  return workload.networks.filter((n) => !NOT_SHARED.test(n));
}

/** The other containers on one network. */
export function membersOf(edge: Edge, network: string, except: Workload): Workload[] {
  return edge.containers.filter((w) => w !== except && sharedNetworks(w).includes(network));
}

/** Ports published on the host, as `host:container` for messages. */
export function hostPorts(workload: Workload): string[] {
  return workload.ports.flatMap((p) => (p.hostPort === undefined ? [] : [`${p.hostIp ? `${p.hostIp}:` : ""}${p.hostPort}`]));
}
