import type { StackValidationPolicy } from "@pulumi/policy";
import { hostnameExceptions, settingsOf, type DefaultedSchema } from "../lib/config";
import {
  applicationDecisions,
  CF,
  DEPRECATED,
  feeding,
  hostnameCovered,
  ingressRules,
  ofType,
  opensToEveryone,
  protectedHostnames,
} from "../lib/cloudflare";
import { isUnknown, str, stackResources, type StackResource } from "../lib/plain";

interface Settings {
  ungatedHostnames: { hostname: string; reason: string }[];
}

const configSchema: DefaultedSchema = {
  properties: {
    ungatedHostnames: hostnameExceptions(
      "Tunnel hostnames deliberately left without an Access gate, each with the reason. None by default: no hostname may be reachable ungated.",
    ),
  },
};

const SELF_HOSTED = new Set(["self_hosted", "selfHosted"]);

/**
 * Every hostname the tunnel serves is gated by Cloudflare Access with the company's identities
 * (system.md §5: "No hostname may be reachable ungated"); Paperclip's own login is a second gate,
 * not the first.
 */
export const tunnelHostnamesBehindAccess: StackValidationPolicy = {
  name: "tunnel-hostnames-behind-access",
  description:
    "Every hostname the Cloudflare Tunnel serves (an ingress rule or a DNS record pointing at the tunnel) is covered by a self-hosted Access application whose policies admit only identified users.",
  enforcementLevel: "mandatory",
  severity: "critical",
  tags: ["hardening"],
  remediationSteps:
    "Declare a ZeroTrustAccessApplication (type self_hosted, domain = the hostname) with an allow ZeroTrustAccessPolicy that includes the company's identities (email domain or identity provider), never everyone and never bypass.",
  configSchema,
  validateStack: (args, reportViolation) => {
    const { ungatedHostnames } = settingsOf<Settings>(args, configSchema);
    const resources = stackResources(args.resources);
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const applications = ofType(resources, CF.accessApplication);
    const policies = ofType(resources, CF.accessPolicy);

    for (const deprecated of resources.filter(
      (r) => r.type === DEPRECATED.accessApplication || r.type === DEPRECATED.accessPolicy || r.type === DEPRECATED.dnsRecord,
    )) {
      reportViolation(
        `${deprecated.name}: ${deprecated.type} is the deprecated class; use ZeroTrustAccessApplication, ZeroTrustAccessPolicy and DnsRecord, which this pack judges.`,
        deprecated.urn,
      );
    }

    const served = new Map<string, StackResource>();
    for (const config of ofType(resources, CF.tunnelConfig)) {
      const rules = ingressRules(config);
      if (isUnknown(rules)) continue;
      for (const rule of rules)
        if (typeof rule.hostname === "string" && rule.hostname !== "") served.set(rule.hostname.toLowerCase(), config);
    }
    for (const record of ofType(resources, CF.dnsRecord)) {
      const content = str(record.props.content);
      // The tunnel id is unknown until the tunnel exists: the dependency says where the content comes from.
      const toTunnel =
        feeding(record, "content", CF.tunnel, byUrn).length > 0 || (content !== undefined && /\.cfargotunnel\.com\.?$/i.test(content));
      const name = str(record.props.name);
      if (toTunnel && name) served.set(name.toLowerCase().replace(/\.$/, ""), record);
    }

    if (served.size === 0 && !resources.some((r) => Object.values(DEPRECATED).includes(r.type as never)))
      args.notApplicable("no hostname served by a Cloudflare Tunnel in this stack");
    const coverage = applications.map((application) => ({ application, ...protectedHostnames(application) }));
    for (const [hostname, resource] of [...served.entries()].sort(([a], [b]) => a.localeCompare(b))) {
      if (ungatedHostnames.some((u) => u.hostname.toLowerCase() === hostname)) continue;
      const covering = coverage.filter((c) => hostnameCovered(hostname, c.hostnames));
      if (covering.length === 0) {
        if (coverage.some((c) => c.unknown)) continue;
        reportViolation(
          `${hostname} is served by the tunnel (${resource.name}) but no Access application covers it, so it is reachable ungated.`,
          resource.urn,
        );
        continue;
      }
      for (const { application } of covering) {
        const type = str(application.props.type);
        if (type !== undefined && !SELF_HOSTED.has(type)) {
          reportViolation(
            `${hostname}: Access application ${application.name} is of type ${type}, not self_hosted, so it does not gate the hostname's web traffic.`,
            application.urn,
          );
        }
        const decisions = applicationDecisions(application, byUrn, policies);
        if (isUnknown(decisions)) continue;
        if (decisions.length === 0) {
          reportViolation(
            `${hostname}: Access application ${application.name} has no policy admitting the company's identities.`,
            application.urn,
          );
        }
        for (const decision of decisions) {
          if (isUnknown(decision.decision)) continue;
          if (decision.decision === "bypass") {
            reportViolation(
              `${hostname}: ${decision.label} of ${application.name} is a bypass policy, which lets requests past Access unauthenticated.`,
              application.urn,
            );
          } else if (decision.decision !== "deny" && opensToEveryone(decision)) {
            reportViolation(
              `${hostname}: ${decision.label} of ${application.name} admits everyone, which is no gate at all.`,
              application.urn,
            );
          }
        }
      }
    }
  },
};
