import type { StackValidationPolicy } from "@pulumi/policy";
import { expandedLines, isSite, reverseProxyUpstreams, sourceGuardOf, topLevelBlocks } from "../lib/caddyfile";
import { settingsOf, type DefaultedSchema, type RoleMatcher } from "../lib/config";
import { readEdge, sharedNetworks } from "../lib/edge";
import { stackResources } from "../lib/plain";
import { edgeProxiesProperty } from "../lib/schemas";
import { readStack } from "../lib/workloads";

interface Settings {
  edgeProxies: RoleMatcher;
}

const configSchema: DefaultedSchema = { properties: { edgeProxies: edgeProxiesProperty } };

/**
 * The edge proxy shares a network with every service it routes, so without a source check any of
 * them (an agent's Paperclip included) could ask it, by Host, for another service's hostname: around
 * Access. The Tunnel's requests reach Caddy through rootless Podman's port forwarding, from one of
 * Caddy's own addresses, which one not being fixed (docs/fedora.md §Networks, "Caddy routes the
 * Tunnel only"). So every routing site must refuse other sources, and admit exactly Caddy's addresses:
 * a stranger's address lets it around Access, a missing one of Caddy's refuses the Tunnel at random.
 */
export const edgeRoutesOnlyTheTunnel: StackValidationPolicy = {
  name: "edge-routes-only-the-tunnel",
  description:
    "Every site of the edge proxy's Caddyfile that proxies a public hostname refuses connections from any address but the proxy's own fixed addresses (the Tunnel's way in), so a container on an edge network cannot reach another service around Access.",
  enforcementLevel: "mandatory",
  severity: "high",
  tags: ["hardening"],
  remediationSteps:
    "Start every routing site with `import tunnel_only`, a snippet that answers 403 to `not remote_ip <each of Caddy's fixed addresses>`, and give Caddy a fixed address (`Network=<name>.network:ip=…`) on each network it joins; the catalogue renders both.",
  configSchema,
  validateStack: (args, reportViolation) => {
    const settings = settingsOf<Settings>(args, configSchema);
    const model = readStack(stackResources(args.resources));
    const edge = readEdge(model, settings.edgeProxies);
    const configured = edge.proxies.flatMap((proxy) =>
      proxy.mounts.filter((m) => m.text !== undefined && /\breverse_proxy\b/.test(m.text)).map((mount) => ({ proxy, mount })),
    );
    if (configured.length === 0) args.notApplicable("no edge proxy with a mounted configuration that routes");

    for (const { proxy, mount } of configured) {
      const where = `${proxy.label}: ${mount.source} (mounted at ${mount.destination})`;
      const shared = new Set(sharedNetworks(proxy));
      const attachments = (proxy.networkAddresses ?? []).filter((a) => shared.has(a.network));
      const own = new Set(attachments.flatMap((a) => (a.ip === undefined ? [] : [a.ip])));
      for (const attachment of attachments)
        if (attachment.ip === undefined)
          reportViolation(
            `${proxy.label}: joins ${attachment.network} without a fixed address, so no source list can name the Tunnel's connections.`,
            proxy.urn,
          );

      const blocks = topLevelBlocks(mount.text!);
      for (const site of blocks.filter(isSite)) {
        const lines = expandedLines(site, blocks);
        if (reverseProxyUpstreams(lines).length === 0) continue;
        const guard = sourceGuardOf(lines);
        if (guard.kind === "all") continue;
        if (guard.kind === "none") {
          reportViolation(
            `${where}: site ${JSON.stringify(site.label)} proxies without refusing other sources than the Tunnel's.`,
            proxy.urn,
          );
          continue;
        }
        const strangers = guard.sources.filter((source) => !own.has(source));
        if (strangers.length > 0)
          reportViolation(
            `${where}: site ${JSON.stringify(site.label)} admits ${strangers.join(", ")}, not an address of ${proxy.name}: that source reaches it around Access.`,
            proxy.urn,
          );
        const missing = [...own].filter((address) => !guard.sources.includes(address)).sort();
        if (missing.length > 0)
          reportViolation(
            `${where}: site ${JSON.stringify(site.label)} refuses ${missing.join(", ")}, ${proxy.name}'s own address: the Tunnel's requests come from any of them.`,
            proxy.urn,
          );
      }
    }
  },
};
