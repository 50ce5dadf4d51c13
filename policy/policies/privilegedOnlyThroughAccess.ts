import type { StackValidationPolicy } from "@pulumi/policy";
import { settingsOf, type DefaultedSchema, type RoleMatcher } from "../lib/config";
import { hostPorts, membersOf, readEdge, sharedNetworks } from "../lib/edge";
import { stackResources } from "../lib/plain";
import { edgeProxiesProperty } from "../lib/schemas";
import { readStack, type Workload } from "../lib/workloads";

interface Settings {
  edgeProxies: RoleMatcher;
}

const configSchema: DefaultedSchema = { properties: { edgeProxies: edgeProxiesProperty } };

/** `--privileged`, also as `--privileged=true`. */
function isPrivileged(workload: Workload): boolean {
  return workload.commandLine.some((word) => word === "--privileged" || word === "--privileged=true");
}

/**
 * A privileged container (Cockpit: --privileged, the host's PID namespace, the Podman socket) is the
 * host. It is reached only through Access: the edge proxy is the only container it shares a network
 * with, and it publishes no host port (docs/fedora.md §Networks).
 */
export const privilegedOnlyThroughAccess: StackValidationPolicy = {
  name: "privileged-only-through-access",
  description:
    "A privileged container is reachable only through the edge proxy behind Access: no container but the edge proxy shares a network with it, it publishes no host port and does not run in the host's network.",
  enforcementLevel: "mandatory",
  severity: "critical",
  tags: ["hardening"],
  remediationSteps:
    "Give the privileged container one network with Caddy alone (plus, if it needs a route out, an uplink of its own), remove its PublishPort= and --network=host, and route its hostname through Caddy behind Access.",
  configSchema,
  validateStack: (args, reportViolation) => {
    const settings = settingsOf<Settings>(args, configSchema);
    const edge = readEdge(readStack(stackResources(args.resources)), settings.edgeProxies);
    const privileged = edge.containers.filter(isPrivileged);
    if (privileged.length === 0) args.notApplicable("no privileged container in this stack");

    for (const container of privileged) {
      const ports = hostPorts(container);
      if (ports.length > 0)
        reportViolation(`${container.label}: privileged, and publishes ${ports.join(", ")} on the host, around Access.`, container.urn);
      if (container.hostNetwork)
        reportViolation(`${container.label}: privileged, and runs in the host's network namespace, around Access.`, container.urn);
      if (!edge.routed.includes(container))
        reportViolation(`${container.label}: privileged, and no edge proxy routes to it: Access is not its way in.`, container.urn);
      for (const network of sharedNetworks(container)) {
        const strangers = membersOf(edge, network, container).filter((w) => !edge.proxies.includes(w));
        if (strangers.length > 0)
          reportViolation(
            `${container.label}: privileged, and shares network ${network} with ${strangers.map((w) => w.name).join(", ")}; only the edge proxy may.`,
            container.urn,
          );
      }
    }
  },
};
