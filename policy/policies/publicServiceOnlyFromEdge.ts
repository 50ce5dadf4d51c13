import type { StackValidationPolicy } from "@pulumi/policy";
import { settingsOf, type DefaultedSchema, type RoleMatcher } from "../lib/config";
import { hostPorts, membersOf, readEdge, sharedNetworks } from "../lib/edge";
import { stackResources } from "../lib/plain";
import { hasRole } from "../lib/roles";
import { agentRuntimesProperty, edgeProxiesProperty } from "../lib/schemas";
import { readStack } from "../lib/workloads";

interface Settings {
  edgeProxies: RoleMatcher;
  agentRuntimes: RoleMatcher;
}

const configSchema: DefaultedSchema = {
  properties: { edgeProxies: edgeProxiesProperty, agentRuntimes: agentRuntimesProperty },
};

/**
 * Access gates a public hostname at Cloudflare; inside the host, a routed service must not be
 * reachable any other way (docs/fedora.md §Networks). It meets the edge proxy on a network of their
 * own, publishes no host port (a local account would reach it around Caddy), and shares no network
 * with an agent runtime or another public service.
 */
export const publicServiceOnlyFromEdge: StackValidationPolicy = {
  name: "public-service-only-from-edge",
  description:
    "A container the edge proxy routes a public hostname to is reachable only from the edge network: the network it shares with Caddy holds the two alone, it publishes no host port and shares no network with an agent runtime or another public service.",
  enforcementLevel: "mandatory",
  severity: "high",
  tags: ["hardening"],
  remediationSteps:
    "Give the routed service an edge network of its own with Caddy (the catalogue derives one per declared edge), remove its PublishPort=, and take it off every network an agent runtime or another public service joins.",
  configSchema,
  validateStack: (args, reportViolation) => {
    const settings = settingsOf<Settings>(args, configSchema);
    const edge = readEdge(readStack(stackResources(args.resources)), settings.edgeProxies);
    if (edge.proxies.length === 0 || edge.routed.length === 0) args.notApplicable("no edge proxy routing to a container in this stack");

    for (const service of edge.routed) {
      const ports = hostPorts(service);
      if (ports.length > 0)
        reportViolation(
          `${service.label}: publishes ${ports.join(", ")} on the host, a way in around the edge proxy and Access.`,
          service.urn,
        );
      if (service.hostNetwork)
        reportViolation(`${service.label}: runs in the host's network namespace, around the edge proxy.`, service.urn);
      for (const network of sharedNetworks(service)) {
        const others = membersOf(edge, network, service);
        const withProxy = others.some((w) => edge.proxies.includes(w));
        const strangers = withProxy
          ? others.filter((w) => !edge.proxies.includes(w))
          : others.filter((w) => hasRole(w, settings.agentRuntimes) || edge.routed.includes(w));
        if (strangers.length === 0) continue;
        reportViolation(
          withProxy
            ? `${service.label}: its edge network ${network} also holds ${strangers.map((w) => w.name).join(", ")}; only the edge proxy may share it.`
            : `${service.label}: shares network ${network} with ${strangers.map((w) => w.name).join(", ")}, reaching it around the edge proxy.`,
          service.urn,
        );
      }
    }
  },
};
