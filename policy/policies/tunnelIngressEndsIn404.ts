import type { StackValidationPolicy } from "@pulumi/policy";
import { CF, DEPRECATED, feeding, ingressRules, ofType } from "../lib/cloudflare";
import { isUnknown, stackResources } from "../lib/plain";

/**
 * The tunnel is the only public entrance (system.md §5): requests for a hostname the stack does not
 * route must end at a 404, not fall through to the last service or to whatever the connector's
 * local default is.
 */
export const tunnelIngressEndsIn404: StackValidationPolicy = {
  name: "tunnel-ingress-ends-in-404",
  description:
    "Every Cloudflare Tunnel is configured by the stack (ZeroTrustTunnelCloudflaredConfig), every ingress rule but the last names a hostname, and the last is the catch-all http_status:404.",
  enforcementLevel: "mandatory",
  severity: "high",
  tags: ["hardening"],
  remediationSteps:
    "Declare the tunnel's ingress with ZeroTrustTunnelCloudflaredConfig: one rule per public hostname, then a final rule with no hostname and service http_status:404.",
  validateStack: (args, reportViolation) => {
    const resources = stackResources(args.resources);
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const configs = ofType(resources, CF.tunnelConfig);
    if (
      configs.length === 0 &&
      !resources.some((r) => r.type === CF.tunnel || r.type === DEPRECATED.tunnel || r.type === DEPRECATED.tunnelConfig)
    ) {
      args.notApplicable("no Cloudflare Tunnel in this stack");
    }

    for (const deprecated of resources.filter((r) => r.type === DEPRECATED.tunnelConfig || r.type === DEPRECATED.tunnel)) {
      reportViolation(
        `${deprecated.name}: ${deprecated.type} is the deprecated class; use ZeroTrustTunnelCloudflared and ZeroTrustTunnelCloudflaredConfig, which this pack judges.`,
        deprecated.urn,
      );
    }
    for (const tunnel of ofType(resources, CF.tunnel)) {
      if (!configs.some((c) => feeding(c, "tunnelId", CF.tunnel, byUrn).includes(tunnel))) {
        reportViolation(
          `${tunnel.name}: no ZeroTrustTunnelCloudflaredConfig in the stack configures this tunnel, so its ingress (and catch-all) is not declared.`,
          tunnel.urn,
        );
      }
    }
    for (const config of configs) {
      const rules = ingressRules(config);
      if (isUnknown(rules)) continue;
      if (rules.length === 0) {
        reportViolation(`${config.name}: the tunnel has no ingress rules; end them with a catch-all http_status:404.`, config.urn);
        continue;
      }
      rules.slice(0, -1).forEach((rule, i) => {
        if (rule.hostname === undefined || rule.hostname === "") {
          reportViolation(
            `${config.name}: ingress rule ${i + 1} of ${rules.length} has no hostname, so it catches every request meant for the rules after it.`,
            config.urn,
          );
        }
      });
      const last = rules.at(-1)!;
      const catchAll =
        (last.hostname === undefined || last.hostname === "") &&
        (last.path === undefined || last.path === "") &&
        last.service === "http_status:404";
      if (!catchAll && !isUnknown(last.service)) {
        const described = last.hostname
          ? `routes ${String(last.hostname)} to ${String(last.service)}`
          : `sends everything else to ${String(last.service)}`;
        reportViolation(
          `${config.name}: the last ingress rule ${described}; it must be the catch-all http_status:404 with no hostname.`,
          config.urn,
        );
      }
    }
  },
};
