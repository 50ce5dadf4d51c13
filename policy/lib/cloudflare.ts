/**
 * The Cloudflare edge's leaf shapes (provider v6). Ids the provider assigns (tunnel id, queue id,
 * Access policy id) are unknown during a first preview, so relations are followed through property
 * dependencies (which resource's output fed which input), and through known ids when there are some.
 */
import { arr, at, isUnknown, num, obj, str, strOrUnknown, type Plain, type StackResource, type Unknown } from "./plain";

export const CF = {
  tunnel: "cloudflare:index/zeroTrustTunnelCloudflared:ZeroTrustTunnelCloudflared",
  tunnelConfig: "cloudflare:index/zeroTrustTunnelCloudflaredConfig:ZeroTrustTunnelCloudflaredConfig",
  dnsRecord: "cloudflare:index/dnsRecord:DnsRecord",
  accessApplication: "cloudflare:index/zeroTrustAccessApplication:ZeroTrustAccessApplication",
  accessPolicy: "cloudflare:index/zeroTrustAccessPolicy:ZeroTrustAccessPolicy",
  queue: "cloudflare:index/queue:Queue",
  queueConsumer: "cloudflare:index/queueConsumer:QueueConsumer",
  workersScript: "cloudflare:index/workersScript:WorkersScript",
  workersScriptSubdomain: "cloudflare:index/workersScriptSubdomain:WorkersScriptSubdomain",
  workersCustomDomain: "cloudflare:index/workersCustomDomain:WorkersCustomDomain",
  workersRoute: "cloudflare:index/workersRoute:WorkersRoute",
} as const;

/** Deprecated v6 classes with other type tokens: a policy keyed on the new classes would not see them. */
export const DEPRECATED = {
  tunnel: "cloudflare:index/tunnel:Tunnel",
  tunnelConfig: "cloudflare:index/tunnelConfig:TunnelConfig",
  dnsRecord: "cloudflare:index/record:Record",
  accessApplication: "cloudflare:index/accessApplication:AccessApplication",
  accessPolicy: "cloudflare:index/accessPolicy:AccessPolicy",
} as const;

export function ofType(resources: readonly StackResource[], type: string): StackResource[] {
  return resources.filter((r) => r.type === type);
}

/** The resources whose outputs fed a property, of one type. */
export function feeding(resource: StackResource, property: string, type: string, byUrn: Map<string, StackResource>): StackResource[] {
  return (resource.propertyDependencies[property] ?? []).map((urn) => byUrn.get(urn)).filter((r): r is StackResource => r?.type === type);
}

export interface IngressRule {
  hostname?: string | Unknown;
  path?: string | Unknown;
  service?: string | Unknown;
}

export function ingressRules(config: StackResource): IngressRule[] | Unknown {
  const ingresses = at(config.props, "config", "ingresses");
  if (isUnknown(ingresses)) return ingresses;
  return arr(ingresses).map((rule) => {
    const hostname = strOrUnknown(at(rule, "hostname"));
    const path = strOrUnknown(at(rule, "path"));
    const service = strOrUnknown(at(rule, "service"));
    return {
      ...(hostname === undefined ? {} : { hostname }),
      ...(path === undefined ? {} : { path }),
      ...(service === undefined ? {} : { service }),
    };
  });
}

/** The hostnames an Access application protects (domain, self-hosted domains, destinations). */
export function protectedHostnames(application: StackResource): { hostnames: string[]; unknown: boolean } {
  const hostnames: string[] = [];
  let unknown = false;
  const add = (value: Plain | undefined) => {
    if (isUnknown(value)) unknown = true;
    else if (typeof value === "string")
      hostnames.push(
        value
          .replace(/^https?:\/\//, "")
          .split("/")[0]!
          .toLowerCase(),
      );
  };
  add(application.props.domain);
  for (const domain of arr(application.props.selfHostedDomains)) add(domain);
  for (const destination of arr(application.props.destinations)) {
    if (str(at(destination, "type")) === "private") continue;
    add(at(destination, "uri"));
  }
  return { hostnames, unknown };
}

export function hostnameCovered(hostname: string, patterns: readonly string[]): boolean {
  const host = hostname.toLowerCase();
  return patterns.some(
    (pattern) =>
      pattern === host ||
      (pattern.startsWith("*.") && host.endsWith(pattern.slice(1)) && !host.slice(0, -pattern.length + 1).includes(".")),
  );
}

/** What an Access policy (reusable resource or inline) lets through. */
export interface AccessDecision {
  decision?: string | Unknown;
  includes: Plain[];
  requires: Plain[];
  label: string;
}

export function applicationDecisions(
  application: StackResource,
  byUrn: Map<string, StackResource>,
  policies: readonly StackResource[],
): AccessDecision[] | Unknown {
  const entries = application.props.policies;
  if (isUnknown(entries)) return entries;
  const decisions: AccessDecision[] = [];
  const referenced = new Set(feeding(application, "policies", CF.accessPolicy, byUrn).map((p) => p.urn));
  for (const entry of arr(entries)) {
    const id = strOrUnknown(at(entry, "id"));
    const inlineDecision = strOrUnknown(at(entry, "decision"));
    if (inlineDecision !== undefined) {
      decisions.push({
        decision: inlineDecision,
        includes: arr(at(entry, "includes")),
        requires: arr(at(entry, "requires")),
        label: "an inline policy",
      });
    } else if (typeof id === "string") {
      // A known id: the reusable policy whose id it is, if the stack declares it with that id.
      const policy = policies.find((p) => str(p.props.id) === id);
      if (policy) referenced.add(policy.urn);
      else if (referenced.size === 0) decisions.push({ decision: undefined, includes: [], requires: [], label: `policy ${id}` });
    }
  }
  for (const urn of referenced) {
    const policy = byUrn.get(urn)!;
    decisions.push({
      decision: strOrUnknown(policy.props.decision),
      includes: arr(policy.props.includes),
      requires: arr(policy.props.requires),
      label: `ZeroTrustAccessPolicy ${policy.name}`,
    });
  }
  return decisions;
}

/** An allow decision that lets anyone in (an `everyone` include, or no include at all). */
export function opensToEveryone(decision: AccessDecision): boolean {
  return decision.includes.length === 0 || decision.includes.some((include) => obj(include)?.everyone !== undefined);
}

export function queueName(queue: StackResource): string | Unknown | undefined {
  return strOrUnknown(queue.props.queueName);
}

/** The queue a consumer consumes: by the dependency of its queueId, or by a known queue id. */
export function consumedQueue(
  consumer: StackResource,
  queues: readonly StackResource[],
  byUrn: Map<string, StackResource>,
): StackResource | undefined {
  const fed = feeding(consumer, "queueId", CF.queue, byUrn)[0];
  if (fed) return fed;
  const id = str(consumer.props.queueId);
  return id === undefined ? undefined : queues.find((q) => str(q.props.queueId) === id || str(q.props.queueName) === id);
}

export function consumerSettings(consumer: StackResource): {
  type?: string | Unknown;
  maxRetries?: number | Unknown;
  deadLetterQueue?: string | Unknown;
  scriptName?: string | Unknown;
} {
  const type = strOrUnknown(consumer.props.type);
  const retries = at(consumer.props, "settings", "maxRetries");
  const deadLetterQueue = strOrUnknown(consumer.props.deadLetterQueue);
  const scriptName = strOrUnknown(consumer.props.scriptName);
  return {
    ...(type === undefined ? {} : { type }),
    ...(isUnknown(retries) ? { maxRetries: retries } : num(retries) === undefined ? {} : { maxRetries: num(retries)! }),
    ...(deadLetterQueue === undefined ? {} : { deadLetterQueue }),
    ...(scriptName === undefined ? {} : { scriptName }),
  };
}
