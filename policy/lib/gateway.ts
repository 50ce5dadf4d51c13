/**
 * The model gateway as the Principle 3 rules see it: which workloads are the gateway, which hosts
 * reach it, which secret is its own key, and which secrets it holds as provider credentials; and
 * the judgement of whether a credential in some other workload is *the gateway's key* (the only
 * model credential an agent may hold) rather than a provider's.
 */
import type { RoleMatcher } from "./config";
import { isAgentRuntime, isGateway } from "./roles";
import { isUnknown, type Unknown } from "./plain";
import { hostOfUrl, isServiceHost } from "./urls";
import {
  describeSource,
  resolveSecret,
  type EnvVar,
  type SecretPayload,
  type SecretRef,
  type StackModel,
  type Workload,
} from "./workloads";

export interface GatewaySettings {
  agentRuntimes: RoleMatcher;
  gateways: RoleMatcher;
  gatewayHosts: string[];
  gatewayKeyVariables: Record<string, string[]>;
  gatewayOwnKeyVariables: string[];
  gatewayKeySourcePattern: string;
}

export interface GatewayContext {
  gateways: Workload[];
  /** Host names that are the gateway: configured ones, gateway container names, Services selecting gateway pods. */
  hosts: string[];
  /** Secrets the gateway reads its own key from. */
  ownKeys: { ref: SecretRef; payload?: SecretPayload }[];
  /** Secrets the gateway reads provider credentials from (variable name → secret). */
  providerSecrets: { variable: string; ref: SecretRef; payload?: SecretPayload }[];
}

export type GatewayRoleSettings = Pick<GatewaySettings, "agentRuntimes" | "gateways" | "gatewayHosts"> &
  Partial<Pick<GatewaySettings, "gatewayOwnKeyVariables">>;

export function gatewayContext(
  model: StackModel,
  settings: GatewayRoleSettings,
  providerVariables: readonly string[] = [],
): GatewayContext {
  const gateways = model.workloads.filter((w) => isGateway(w, settings.gateways, settings.agentRuntimes));
  const hosts = new Set(settings.gatewayHosts.map((h) => h.toLowerCase()));
  for (const gateway of gateways) if (gateway.target === "quadlet") hosts.add(gateway.name.toLowerCase());
  for (const service of model.services) {
    if (service.selects.some((w) => gateways.includes(w))) hosts.add(service.name.toLowerCase());
  }
  const ownKeys: GatewayContext["ownKeys"] = [];
  const providerSecrets: GatewayContext["providerSecrets"] = [];
  for (const gateway of gateways) {
    for (const variable of gateway.env) {
      if (variable.source.kind !== "secret") continue;
      const ref = variable.source.secret;
      const payload = resolveSecret(model, ref);
      const entry = { ref, ...(payload ? { payload } : {}) };
      if ((settings.gatewayOwnKeyVariables ?? []).includes(variable.name)) ownKeys.push(entry);
      else if (providerVariables.includes(variable.name)) providerSecrets.push({ variable: variable.name, ...entry });
    }
  }
  return { gateways, hosts: [...hosts], ownKeys, providerSecrets };
}

export function isGatewayUrl(value: string, context: GatewayContext): boolean {
  const host = hostOfUrl(value);
  return host !== undefined && isServiceHost(host, context.hosts);
}

function sameRef(a: SecretRef, b: SecretRef): boolean {
  return a.mechanism === b.mechanism && a.name === b.name && (a.key ?? "") === (b.key ?? "");
}

/** True when a secret reference is one the gateway reads a provider credential from. */
export function providerSecretOf(
  context: GatewayContext,
  ref: SecretRef,
  payload: SecretPayload | undefined,
): GatewayContext["providerSecrets"][number] | undefined {
  if (ref.pending) return undefined;
  return context.providerSecrets.find(
    (p) =>
      sameRef(p.ref, ref) ||
      (ref.mechanism === "kubernetes" && ref.key === undefined && p.ref.mechanism === "kubernetes" && p.ref.name === ref.name) ||
      (payload?.remoteKey !== undefined && p.payload?.remoteKey === payload.remoteKey) ||
      (typeof payload?.value === "string" && payload.value.length >= 8 && p.payload?.value === payload.value),
  );
}

export type Judgement = { ok: true; how: string } | { ok: false; why: string };

/**
 * Is this credential variable the gateway's key, sent only to the gateway?
 * 1. One of its base-URL variables is set, in plain, to the gateway (else an SDK sends the key to
 *    the provider's own API, which only a provider key opens).
 * 2. Its value comes from a secret whose source is the gateway's key: the same secret the gateway
 *    reads its own key from; or a secret derived only from the resources the gateway's key is
 *    derived from (property dependencies, no value is read); or, where the gateway is outside the
 *    stack, a Kubernetes Secret or external-store key named for the gateway; a Fly secret's source
 *    is not visible, so there the base URL is what is judged.
 */
export function judgeGatewayKey(
  model: StackModel,
  context: GatewayContext,
  workload: Workload,
  variable: EnvVar,
  settings: GatewaySettings,
): Judgement {
  const problems = [...baseUrlProblems(context, workload, variable, settings)];
  const source = sourceJudgement(model, context, variable, settings);
  if (!source.ok) problems.push(source.why);
  return problems.length === 0 ? { ok: true, how: source.ok ? source.how : "" } : { ok: false, why: problems.join("; and ") };
}

function baseUrlProblems(context: GatewayContext, workload: Workload, variable: EnvVar, settings: GatewaySettings): string[] {
  const baseVariables = settings.gatewayKeyVariables[variable.name] ?? [];
  const base = workload.env.filter((e) => baseVariables.includes(e.name));
  if (base.length === 0) {
    return [`no ${baseVariables.join(" or ")} in the same environment sends it to the gateway, so SDKs send it to the provider's own API`];
  }
  return base.flatMap((b) => {
    if (b.source.kind !== "plain")
      return [
        `${b.name} comes from ${describeSource(b.source)}, so where the key is sent cannot be checked (set ${b.name} as a plain value)`,
      ];
    const value: string | Unknown = b.source.value;
    if (isUnknown(value) || value.split(";").every((url) => isGatewayUrl(url, context))) return [];
    return [`${b.name}=${value} is not the gateway (${context.hosts.join(", ")})`];
  });
}

function sourceJudgement(model: StackModel, context: GatewayContext, variable: EnvVar, settings: GatewaySettings): Judgement {
  const source = variable.source;
  if (source.kind !== "secret") return { ok: false, why: `it is ${describeSource(source)}, not the gateway's key delivered as a secret` };
  const ref = source.secret;
  if (ref.pending) return { ok: true, how: "not known until the Secret exists (judged then)" };
  if (ref.mechanism === "fly") return { ok: true, how: "a Fly secret sent only to the gateway" };
  if (context.ownKeys.some((k) => sameRef(k.ref, ref))) return { ok: true, how: "the gateway's own key secret" };

  const pattern = new RegExp(settings.gatewayKeySourcePattern, "i");
  const payload = resolveSecret(model, ref);
  if (!payload) {
    if (ref.mechanism === "kubernetes" && context.ownKeys.length === 0 && pattern.test(ref.name)) {
      return { ok: true, how: `Secret ${ref.name}, named for the gateway (the gateway is outside this stack)` };
    }
    return { ok: false, why: `${describeSource(source)} is not delivered by this stack, so it cannot be shown to be the gateway's key` };
  }
  const gatewayProvenance = new Set(context.ownKeys.flatMap((k) => k.payload?.provenance ?? []));
  if (payload.provenance.length > 0 && payload.provenance.every((urn) => gatewayProvenance.has(urn))) {
    return { ok: true, how: "derived from the same generated secret as the gateway's own key" };
  }
  if (
    typeof payload.value === "string" &&
    context.ownKeys.some((k) => typeof k.payload?.value === "string" && k.payload.value === payload.value)
  ) {
    return { ok: true, how: "equal to the gateway's own key" };
  }
  if (isStackGenerated(model, payload)) {
    return { ok: true, how: "a key this stack generates (a gateway virtual key), never an operator's value" };
  }
  if (payload.remoteKey !== undefined && context.ownKeys.some((k) => k.payload?.remoteKey === payload.remoteKey)) {
    return { ok: true, how: "the same external-store key the gateway reads its own key from" };
  }
  if (payload.mechanism === "kubernetes" && context.ownKeys.length === 0 && pattern.test(payload.remoteKey ?? payload.name)) {
    return { ok: true, how: `${payload.label}, named for the gateway (the gateway is outside this stack)` };
  }
  if (payload.provenance.length === 0 && payload.remoteKey === undefined) {
    return { ok: false, why: `${payload.label} holds a value from the stack's configuration, not one derived from the gateway's key` };
  }
  return { ok: false, why: `${payload.label} is not derived from the gateway's key` };
}

/** Resources whose output is random bytes the stack generates (components/secrets/Secret32.ts). */
const GENERATOR_TYPES = new Set([
  "random:index/randomBytes:RandomBytes",
  "random:index/randomPassword:RandomPassword",
  "harness:secrets:Secret32",
]);

/**
 * A value made only of random bytes the stack generates: a gateway virtual key the stack registers
 * (fedora's litellm-keys). A provider key is never generated: it comes from the operator's
 * configuration, which carries no provenance.
 */
export function isStackGenerated(model: StackModel, payload: SecretPayload): boolean {
  return payload.provenance.length > 0 && payload.provenance.every((urn) => GENERATOR_TYPES.has(model.byUrn.get(urn)?.type ?? ""));
}

/** True when a secret is the one the gateway reads its own (master, administrator) key from. */
export function isGatewayOwnKey(context: GatewayContext, ref: SecretRef, payload: SecretPayload | undefined): boolean {
  if (ref.pending) return false;
  return context.ownKeys.some(
    (k) =>
      sameRef(k.ref, ref) ||
      (payload?.remoteKey !== undefined && k.payload?.remoteKey === payload.remoteKey) ||
      (typeof payload?.value === "string" && payload.value.length >= 8 && k.payload?.value === payload.value) ||
      (payload !== undefined &&
        payload.provenance.length > 0 &&
        (k.payload?.provenance.length ?? 0) > 0 &&
        payload.provenance.every((urn) => k.payload!.provenance.includes(urn)) &&
        k.payload!.provenance.every((urn) => payload.provenance.includes(urn))),
  );
}

/**
 * Whether an agent runtime serves and spawns agents: init containers and Jobs of the Paperclip
 * image run one command (write config.json, create an invite) and spawn none.
 */
export function runsAgents(workload: Workload): boolean {
  return !workload.kubernetes || (!workload.kubernetes.initContainer && !["Job", "CronJob"].includes(workload.kubernetes.kind));
}

/** Workloads that are agent runtimes. */
export function agentRuntimes(model: StackModel, agents: RoleMatcher): Workload[] {
  return model.workloads.filter((w) => isAgentRuntime(w, agents));
}
