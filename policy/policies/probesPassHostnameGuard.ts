import type { StackValidationPolicy } from "@pulumi/policy";
import { settingsOf, type DefaultedSchema, type RoleMatcher } from "../lib/config";
import { agentRuntimes } from "../lib/gateway";
import { stackResources } from "../lib/plain";
import { agentRuntimesProperty } from "../lib/schemas";
import { optionValues } from "../lib/unitFile";
import { hostOfUrl, LOOPBACK_HOSTS } from "../lib/urls";
import { envValue, readStack, type Probe, type Workload } from "../lib/workloads";

interface Settings {
  agentRuntimes: RoleMatcher;
}

const configSchema: DefaultedSchema = { properties: { agentRuntimes: agentRuntimesProperty } };

/** Host names Paperclip's private hostname guard lets through (paperclip-upstream.md §4). */
function allowedHosts(workload: Workload): Set<string> | undefined {
  const env = new Map(workload.env.map((e) => [e.name, e]));
  const exposure = envValue(env.get("PAPERCLIP_DEPLOYMENT_EXPOSURE"));
  if (typeof exposure === "string" && exposure.trim().toLowerCase() === "public") return undefined;
  const allowed = new Set(LOOPBACK_HOSTS);
  const list = envValue(env.get("PAPERCLIP_ALLOWED_HOSTNAMES"));
  if (typeof list === "string") for (const host of list.split(",")) if (host.trim()) allowed.add(host.trim().toLowerCase());
  for (const name of ["PAPERCLIP_PUBLIC_URL", "PAPERCLIP_AUTH_PUBLIC_BASE_URL", "BETTER_AUTH_URL", "BETTER_AUTH_BASE_URL"]) {
    const url = envValue(env.get(name));
    const host = typeof url === "string" ? hostOfUrl(url) : undefined;
    if (host) allowed.add(host);
  }
  const bindHost = envValue(env.get("PAPERCLIP_BIND_HOST"));
  if (typeof bindHost === "string" && bindHost !== "0.0.0.0") allowed.add(bindHost.toLowerCase());
  return allowed;
}

const stripPort = (host: string) => (host.startsWith("[") ? host.slice(1, host.indexOf("]")) : host.split(":")[0]!).trim().toLowerCase();

/**
 * The Host the guard judges for a probe (X-Forwarded-Host first, then Host), or undefined when the
 * prober picks it; `prober` says what the prober sends then.
 */
function probeHost(probe: Probe): { host: string | undefined; prober: string } {
  if (probe.kind === "http") {
    const header = probe.headers["x-forwarded-host"]?.split(",")[0] ?? probe.headers.host;
    return { host: header === undefined ? undefined : stripPort(header), prober: probe.host ?? "the pod's or machine's IP address" };
  }
  if (probe.kind !== "command") return { host: undefined, prober: "" };
  const headers = optionValues(probe.argv, "--header", "-H").flatMap((h) => {
    const match = /^\s*(x-forwarded-host|host)\s*:\s*(.+)$/i.exec(h);
    return match ? [{ name: match[1]!.toLowerCase(), value: stripPort(match[2]!) }] : [];
  });
  const header = headers.find((h) => h.name === "x-forwarded-host") ?? headers[0];
  if (header) return { host: header.value, prober: "" };
  // curl and wget send the URL's host.
  const url = probe.argv.find((a) => /^https?:\/\//.test(a));
  const host = url ? hostOfUrl(url) : undefined;
  return { host, prober: "no Host the guard allows" };
}

/**
 * The seeds: with private exposure, Paperclip's hostname guard answers 403 to any Host it does not
 * allow, /api/health included. A Kubernetes httpGet probe or a Fly check sends the pod's or
 * machine's IP as Host, gets 403, and the pod never becomes ready (or is restarted forever).
 */
export const probesPassHostnameGuard: StackValidationPolicy = {
  name: "probes-pass-hostname-guard",
  description:
    "Health probes of an agent runtime whose hostname guard is active (private exposure) send a Host the guard allows (localhost or an allowed hostname), or probe over TCP or a command.",
  enforcementLevel: "mandatory",
  severity: "medium",
  tags: ["hardening"],
  remediationSteps:
    "Add the header `Host: localhost` to the probe (httpGet.httpHeaders in Kubernetes, headers in a Fly check, -H in a curl health command), or use a tcpSocket probe.",
  configSchema,
  validateStack: (args, reportViolation) => {
    const settings = settingsOf<Settings>(args, configSchema);
    const model = readStack(stackResources(args.resources));
    const agents = agentRuntimes(model, settings.agentRuntimes);
    if (agents.length === 0) args.notApplicable("no agent runtime in this stack");
    for (const agent of agents) {
      const allowed = allowedHosts(agent);
      if (!allowed) continue;
      for (const probe of agent.probes) {
        if (probe.kind !== "http" && probe.kind !== "command") continue;
        if (probe.kind === "command" && !probe.argv.some((a) => /^https?:\/\//.test(a))) continue;
        const { host, prober } = probeHost(probe);
        if (host === undefined) {
          reportViolation(
            `${agent.label}: ${probe.where} sends no Host header, so the prober sends ${prober} and the hostname guard answers 403.`,
            agent.urn,
          );
        } else if (!allowed.has(host)) {
          reportViolation(
            `${agent.label}: ${probe.where} sends Host ${host}, which the hostname guard does not allow (${[...allowed].join(", ")}); it answers 403.`,
            agent.urn,
          );
        }
      }
    }
  },
};
