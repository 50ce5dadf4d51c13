import type { StackValidationPolicy } from "@pulumi/policy";
import { modelProviderReachedBy, type HostPattern } from "../../components/egress/modelProviderHosts";
import { settingsOf, workloadExceptions, type DefaultedSchema, type RoleMatcher } from "../lib/config";
import { sharedNetworks } from "../lib/edge";
import { arr, at, isUnknown, obj, stackResources, str, UNKNOWN, type Plain, type StackResource, type Unknown } from "../lib/plain";
import { harnessFiles } from "../lib/quadlet";
import { hasRole, isAgentRuntime } from "../lib/roles";
import { agentRuntimesProperty, egressProxiesProperty } from "../lib/schemas";
import { lastValue, parseUnitFile } from "../lib/unitFile";
import { hostOfUrl, isServiceHost } from "../lib/urls";
import { readStack, type StackModel, type Workload } from "../lib/workloads";

interface Settings {
  agentRuntimes: RoleMatcher;
  egressProxies: RoleMatcher;
  unboundedAgentRuntimes: { name: string; reason: string }[];
}

const configSchema: DefaultedSchema = {
  properties: {
    agentRuntimes: agentRuntimesProperty,
    egressProxies: egressProxiesProperty,
    unboundedAgentRuntimes: workloadExceptions(
      'Agent runtimes allowed outside the egress boundary, by container/workload name ("*": every one), each with the reason (a platform whose network the stack does not control). None by default.',
    ),
  },
};

const NETWORK_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy";
const CILIUM_NETWORK_POLICY = "kubernetes:cilium.io/v2:CiliumNetworkPolicy";
/** The destination fields of a Cilium egress rule: a rule with none of them admits every destination. */
const CILIUM_PEERS = ["toEndpoints", "toCIDR", "toCIDRSet", "toEntities", "toFQDNs", "toServices", "toGroups", "toNodes", "toRequires"];
const PROXY_VARIABLES = ["HTTP_PROXY", "HTTPS_PROXY"];

/** The networks the stack's `.network` units create Internal (no route out), by Podman network name. */
function internalNetworks(model: StackModel): Set<string> {
  const internal = new Set<string>();
  for (const file of harnessFiles(model.resources)) {
    const base = file.path.split("/").at(-1)!;
    if (!base.endsWith(".network") || typeof file.text !== "string") continue;
    const unit = parseUnitFile(file.text);
    if (lastValue(unit, "Network", "Internal") !== "true") continue;
    internal.add(lastValue(unit, "Network", "NetworkName") ?? `systemd-${base.slice(0, -8)}`);
  }
  return internal;
}

/** A plain value of the workload's environment, undefined when unset; UNKNOWN when not known yet or not plain. */
function plainEnv(workload: Workload, name: string): string | Unknown | undefined {
  const entry = workload.env.filter((e) => e.name === name).at(-1);
  if (entry === undefined) return undefined;
  if (entry.source.kind !== "plain") return UNKNOWN;
  return entry.source.value;
}

/** Problems with the workload's proxy variables: both set, to an egress proxy, and NO_PROXY set. */
function proxyProblems(workload: Workload, proxies: readonly Workload[]): string[] {
  const names = [...new Set(proxies.flatMap((p) => [p.name, ...(p.owner ? [p.owner] : [])]))];
  const problems: string[] = [];
  for (const variable of PROXY_VARIABLES) {
    const value = plainEnv(workload, variable);
    if (isUnknown(value)) continue;
    if (value === undefined) {
      problems.push(`${variable} is not set, so tools that honour it do not use the egress proxy`);
      continue;
    }
    const host = hostOfUrl(value);
    if (host === undefined || !isServiceHost(host, names))
      problems.push(`${variable}=${value} is not the harness's egress proxy (${names.join(", ") || "none in this stack"})`);
  }
  if (plainEnv(workload, "NO_PROXY") === undefined && plainEnv(workload, "no_proxy") === undefined)
    problems.push("NO_PROXY is not set, so the gateway and the database would be asked for through the proxy");
  return problems;
}

/** Labels of a Kubernetes workload's pods; undefined when not known yet. */
function podLabels(resource: StackResource | undefined): Record<string, Plain> | undefined {
  if (resource === undefined) return undefined;
  const spec = resource.type.endsWith(":Pod") ? resource.props : at(resource.props, "spec");
  const template = resource.type.endsWith(":CronJob") ? at(spec, "jobTemplate", "spec", "template") : at(spec, "template");
  return obj(resource.type.endsWith(":Pod") ? at(resource.props, "metadata", "labels") : at(template, "metadata", "labels")) ?? {};
}

function selects(selector: Plain | undefined, labels: Record<string, Plain>): boolean {
  const matchLabels = obj(at(selector, "matchLabels")) ?? {};
  if (arr(at(selector, "matchExpressions")).length > 0) return false;
  return Object.entries(matchLabels).every(([key, value]) => labels[key] === value);
}

/** Why an egress rule lets the pod out of the cluster, if it does: no peers, or an address block wider than one host. */
function openRule(rule: Plain): string | undefined {
  const peers = arr(at(rule, "to"));
  if (peers.length === 0) return "a rule with no `to` (every destination)";
  for (const peer of peers) {
    const cidr = str(at(peer, "ipBlock", "cidr"));
    if (at(peer, "ipBlock") !== undefined && !(cidr !== undefined && /\/32$|\/128$/.test(cidr)))
      return `ipBlock ${cidr ?? "?"} (more than one address)`;
  }
  return undefined;
}

/**
 * The host pattern (`name`, or `.domain` for it and every name under it) that admits every name a
 * toFQDNs selector admits: a matchPattern is widened to the domain after its last label with a
 * wildcard (`api*.openai.com` to `.openai.com`). Null when it admits every name, undefined when the
 * selector is not known yet.
 */
function fqdnPattern(selector: Plain): HostPattern | null | undefined {
  const name = str(at(selector, "matchName"));
  if (name !== undefined) return name.toLowerCase().replace(/\.$/, "");
  const pattern = str(at(selector, "matchPattern"))?.toLowerCase().replace(/\.$/, "");
  if (pattern === undefined) return undefined;
  const labels = pattern.split(".");
  const wild = labels.findLastIndex((label) => label.includes("*"));
  if (wild === -1) return pattern;
  const rest = labels.slice(wild + 1).filter((label) => label !== "");
  return rest.length === 0 ? null : `.${rest.join(".")}`;
}

/** Why a CiliumNetworkPolicy egress rule lets the pod out to any destination or to a model provider, if it does. */
function openCiliumRule(rule: Plain): string | undefined {
  if (!CILIUM_PEERS.some((field) => at(rule, field) !== undefined)) return "a rule with no destination (every destination)";
  const entity = arr(at(rule, "toEntities")).find((e) => e === "world" || e === "all");
  if (entity !== undefined) return `toEntities ${String(entity)}`;
  // Cilium's reserved identities (reserved:world, the internet, among them) are selected by label.
  const reserved = arr(at(rule, "toEndpoints"))
    .flatMap((selector) => Object.keys(obj(at(selector, "matchLabels")) ?? {}))
    .find((label) => label.startsWith("reserved:"));
  if (reserved !== undefined) return `toEndpoints ${reserved} (a reserved identity, not a pod)`;
  const cidrs = [...arr(at(rule, "toCIDR")), ...arr(at(rule, "toCIDRSet")).map((c) => at(c, "cidr") ?? at(c, "cidrGroupRef") ?? null)];
  const wide = cidrs.find((c) => !isUnknown(c) && !(typeof c === "string" && /\/32$|\/128$/.test(c)));
  if (wide !== undefined) return `toCIDR ${typeof wide === "string" ? wide : "of a CIDR group"} (more than one address)`;
  for (const selector of arr(at(rule, "toFQDNs"))) {
    const pattern = fqdnPattern(selector);
    if (pattern === undefined) continue;
    const shown =
      str(at(selector, "matchName")) !== undefined
        ? `matchName ${str(at(selector, "matchName"))}`
        : `matchPattern ${str(at(selector, "matchPattern"))}`;
    if (pattern === null) return `toFQDNs ${shown} (every name)`;
    const provider = modelProviderReachedBy(pattern);
    if (provider !== undefined) return `toFQDNs ${shown} (names of ${provider}, a model provider)`;
  }
  return undefined;
}

/**
 * Problems with the NetworkPolicies and CiliumNetworkPolicies that select a Kubernetes agent
 * runtime's pods, and whether a CiliumNetworkPolicy bounds them by name (so no proxy is needed).
 */
function networkPolicyProblems(workload: Workload, model: StackModel): { problems: string[]; bounded: boolean } | undefined {
  const labels = podLabels(model.byUrn.get(workload.urn));
  if (labels === undefined) return undefined;
  const namespace = workload.kubernetes?.namespace;
  const inNamespace = (r: StackResource) => (str(at(r.props, "metadata", "namespace")) ?? namespace) === namespace;
  const selecting = model.resources.filter(
    (r) =>
      r.type === NETWORK_POLICY &&
      inNamespace(r) &&
      selects(at(r.props, "spec", "podSelector"), labels) &&
      (arr(at(r.props, "spec", "policyTypes")).includes("Egress") || arr(at(r.props, "spec", "egress")).length > 0),
  );
  const cilium = model.resources.filter(
    (r) =>
      r.type === CILIUM_NETWORK_POLICY &&
      inNamespace(r) &&
      selects(at(r.props, "spec", "endpointSelector"), labels) &&
      arr(at(r.props, "spec", "egress")).length > 0,
  );
  // One that turns egress default-deny off allows what it lists and limits nothing.
  const limiting = cilium.filter((cnp) => at(cnp.props, "spec", "enableDefaultDeny", "egress") !== false);
  if (selecting.length === 0 && cilium.length === 0)
    return {
      problems: ["no NetworkPolicy with policyTypes [Egress] selects its pods, so they reach the internet directly"],
      bounded: false,
    };
  // NetworkPolicies and CiliumNetworkPolicies add up: one open rule in any of them opens the pod.
  const nameOf = (r: StackResource) => str(at(r.props, "metadata", "name")) ?? r.name;
  const problems = [
    ...selecting.flatMap((np) =>
      arr(at(np.props, "spec", "egress")).flatMap((rule) => {
        const open = openRule(rule);
        return open ? [`NetworkPolicy ${nameOf(np)} allows egress by ${open}`] : [];
      }),
    ),
    ...cilium.flatMap((cnp) =>
      arr(at(cnp.props, "spec", "egress")).flatMap((rule) => {
        const open = openCiliumRule(rule);
        return open ? [`CiliumNetworkPolicy ${nameOf(cnp)} allows egress by ${open}`] : [];
      }),
    ),
    ...(selecting.length === 0 && limiting.length === 0
      ? [
          "no NetworkPolicy with policyTypes [Egress] selects its pods, and every CiliumNetworkPolicy that does sets enableDefaultDeny.egress false, so they reach the internet directly",
        ]
      : []),
  ];
  return { problems, bounded: limiting.length > 0 };
}

/**
 * An agent runtime has no route out but through the egress proxy (docs/egress.md): on fedora its
 * networks are all Internal and its proxy variables name the harness's proxy; on Kubernetes a
 * NetworkPolicy limits its pods' egress to peers inside the cluster (DNS, the gateway, the proxy, the
 * database) and the proxy variables are set, or a CiliumNetworkPolicy with no open rule (none to
 * every destination, the world, a block of addresses, every name or a model provider's names) bounds
 * it by name (toFQDNs) instead of a proxy. Fly offers no such control (docs/egress.md).
 */
export const agentRuntimeBehindEgressBoundary: StackValidationPolicy = {
  name: "agent-runtime-behind-egress-boundary",
  description:
    "An agent runtime sits behind the egress boundary: no direct route out (fedora: only Internal networks; Kubernetes: a NetworkPolicy limiting its egress to in-cluster peers) and HTTP_PROXY, HTTPS_PROXY and NO_PROXY set to the harness's egress proxy; or, on Kubernetes, a CiliumNetworkPolicy that admits no model provider's names and nothing wider than one address or name pattern, instead of the proxy.",
  enforcementLevel: "mandatory",
  severity: "high",
  tags: ["principle-3"],
  remediationSteps:
    "Put the agent runtime on Internal networks only (fedora) or select its pods with an Egress NetworkPolicy that names its peers (Kubernetes), and set HTTP_PROXY/HTTPS_PROXY to the egress proxy and NO_PROXY to what it reaches directly, or bound them with a CiliumNetworkPolicy that lists the names they may reach (homelab's egressMode cilium); or, where the platform cannot, list it in this policy's unboundedAgentRuntimes with the reason.",
  configSchema,
  validateStack: (args, reportViolation) => {
    const settings = settingsOf<Settings>(args, configSchema);
    const model = readStack(stackResources(args.resources));
    // A Job's, a CronJob's and an init container's command is the stack's own one-shot step (the
    // database's setup, the first admin and its renewal), run before or beside the server that
    // spawns agents: not judged.
    const oneShot = (w: Workload) => ["Job", "CronJob"].includes(w.kubernetes?.kind ?? "") || w.kubernetes?.initContainer === true;
    const agents = model.workloads.filter(
      (w) => !w.hostService && w.target !== "fly" && !oneShot(w) && isAgentRuntime(w, settings.agentRuntimes),
    );
    if (agents.length === 0)
      args.notApplicable(
        model.workloads.some((w) => w.target === "fly")
          ? "a Fly app's egress cannot be limited (docs/egress.md)"
          : "no agent runtime on fedora or Kubernetes in this stack",
      );
    const exempt = (w: Workload) => settings.unboundedAgentRuntimes.some((e) => e.name === "*" || e.name === w.name || e.name === w.owner);
    const proxies = model.workloads.filter((w) => !agents.includes(w) && hasRole(w, settings.egressProxies));
    const internal = internalNetworks(model);

    for (const agent of agents) {
      if (exempt(agent)) continue;
      const problems: string[] = [];
      if (agent.hostNetwork) problems.push("it runs in the host's network namespace");
      if (agent.target === "quadlet") {
        const networks = sharedNetworks(agent);
        if (networks.length === 0) problems.push("it joins no network of the stack's, so Podman's default gives it a route out");
        for (const network of networks) if (!internal.has(network)) problems.push(`network ${network} is not Internal: it has a route out`);
        const reachable = proxies.filter((p) => sharedNetworks(p).some((n) => networks.includes(n)));
        problems.push(...proxyProblems(agent, reachable));
      } else {
        const policies = networkPolicyProblems(agent, model);
        if (policies !== undefined) problems.push(...policies.problems);
        // A CiliumNetworkPolicy admits the allowed names itself (egressMode cilium): no proxy to name.
        if (!policies?.bounded) problems.push(...proxyProblems(agent, proxies));
      }
      for (const problem of problems)
        reportViolation(`${agent.label}: an agent runtime outside the egress boundary: ${problem}.`, agent.urn);
    }
  },
};
