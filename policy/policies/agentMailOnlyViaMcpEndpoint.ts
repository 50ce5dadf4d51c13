import type { StackValidationPolicy } from "@pulumi/policy";
import { settingsOf, stringList, type DefaultedSchema, type RoleMatcher } from "../lib/config";
import {
  applicationDecisions,
  CF,
  type AccessDecision,
  hostnameCovered,
  ofType,
  opensToEveryone,
  protectedHostnames,
} from "../lib/cloudflare";
import { agentRuntimes } from "../lib/gateway";
import { arr, at, bool, isUnknown, obj, stackResources, str, strOrUnknown, type StackResource } from "../lib/plain";
import { agentRuntimesProperty } from "../lib/schemas";
import { readStack, resolvedEnvValue, type StackModel } from "../lib/workloads";

interface Settings {
  agentRuntimes: RoleMatcher;
  outboxQueueName: string;
  cloudflareCredentialVariables: string[];
  producerKeyVariablePattern: string;
}

const configSchema: DefaultedSchema = {
  properties: {
    agentRuntimes: agentRuntimesProperty,
    outboxQueueName: { type: "string", minLength: 1, description: "Name of the queue agents send mail through.", default: "email_outbox" },
    cloudflareCredentialVariables: stringList(
      "Variables that carry a Cloudflare API credential, with which a process could put messages on the queue itself (Queues API), around the MCP endpoint.",
      [
        "CLOUDFLARE_API_TOKEN",
        "CLOUDFLARE_API_KEY",
        "CLOUDFLARE_API_TOKEN_FILE",
        "CF_API_TOKEN",
        "CF_API_KEY",
        "CF_API_TOKEN_FILE",
        "CLOUDFLARE_EMAIL",
        "CF_EMAIL",
      ],
    ),
    producerKeyVariablePattern: {
      type: "string",
      minLength: 1,
      description:
        "A regular expression matching names of variables and Worker bindings that hold a mail-queue producer key (the key that signs email_outbox envelopes, docs/email-envelope.md): the MCP Worker's EMAIL_PRODUCER_KEY, the drain's PRODUCER_<name>_KEY.",
      default: "^(EMAIL_PRODUCER_KEY|PRODUCER_[A-Z0-9_]+_KEY)$",
    },
  },
};

/** Values shorter than this are not compared: a short value could match by chance. */
const MIN_KEY_LENGTH = 16;

/**
 * The producer keys this stack holds where they belong, by value (the analyzer sees secrets
 * unwrapped): secret bindings of the Workers that produce to the outbox, and the variables of the
 * workloads that are not agent runtimes (the drain, which verifies with them).
 */
function producerKeys(
  model: StackModel,
  producers: readonly StackResource[],
  agentUrns: ReadonlySet<string>,
  pattern: RegExp,
): Map<string, string> {
  const keys = new Map<string, string>();
  for (const script of producers) {
    const bindings = script.props.bindings;
    if (isUnknown(bindings)) continue;
    for (const binding of arr(bindings)) {
      const name = str(at(binding, "name"));
      const text = str(at(binding, "text"));
      if (name !== undefined && pattern.test(name) && text !== undefined && text.length >= MIN_KEY_LENGTH)
        keys.set(text, `${name} of WorkersScript ${str(script.props.scriptName) ?? script.name}`);
    }
  }
  for (const workload of model.workloads.filter((w) => !agentUrns.has(w.urn))) {
    for (const variable of workload.env) {
      if (!pattern.test(variable.name)) continue;
      const value = resolvedEnvValue(model, variable);
      if (typeof value === "string" && value.length >= MIN_KEY_LENGTH && !keys.has(value))
        keys.set(value, `${variable.name} of ${workload.label}`);
    }
  }
  return keys;
}

/**
 * A decision that opens the hostname: bypass, an include of everyone (or none), or a Service Auth
 * policy for any service token of the account rather than the ones meant for this endpoint.
 */
function letsAnyoneIn(decision: AccessDecision): boolean {
  if (decision.decision === "bypass" || opensToEveryone(decision)) return true;
  return decision.decision === "non_identity" && decision.includes.some((include) => obj(include)?.anyValidServiceToken !== undefined);
}

/** The Worker a resource belongs to: by the dependency of its `property`, or by the script name it gives. */
function belongsTo(resource: StackResource, property: string, script: StackResource, byUrn: Map<string, StackResource>): boolean {
  const fed = (resource.propertyDependencies[property] ?? []).some((urn) => byUrn.get(urn) === script);
  const name = str(resource.props[property]);
  return fed || (name !== undefined && name === str(script.props.scriptName));
}

/** Whether a WorkersScript is bound as a producer of the outbox (by name, or by the queue that fed an unknown name). */
function producesTo(script: StackResource, outboxes: readonly StackResource[]): boolean {
  const fedByOutbox = (script.propertyDependencies["bindings"] ?? []).some((urn) => outboxes.some((q) => q.urn === urn));
  const bindings = script.props.bindings;
  if (isUnknown(bindings)) return fedByOutbox;
  return arr(bindings).some((binding) => {
    if (str(at(binding, "type")) !== "queue") return false;
    const name = strOrUnknown(at(binding, "queueName"));
    return isUnknown(name) ? fedByOutbox : outboxes.some((q) => str(q.props.queueName) === name);
  });
}

/**
 * Principle 3: an agent sends mail through the company's MCP endpoint, the Worker whose `email_send`
 * checks the sender for the verified caller and records the crossing in the run ledger before it
 * enqueues. So whatever produces to email_outbox is reachable only through Access (or not over HTTP
 * at all, like the dead-letter Worker's weekly summary), and no agent runtime holds a Cloudflare API
 * credential, with which it could put a message on the queue itself, unchecked and unrecorded, nor a
 * producer key, with which it could sign an envelope the drain takes for the endpoint's. (The other
 * roads, SMTP settings and a route to the mail host, are agent-no-mail-server-access's.)
 */
export const agentMailOnlyViaMcpEndpoint: StackValidationPolicy = {
  name: "agent-mail-only-via-mcp-endpoint",
  description:
    "Workers that produce to email_outbox are reachable only through Cloudflare Access (no workers.dev, every custom domain and route gated), and no agent runtime holds a Cloudflare API credential to enqueue around them or a mail-queue producer key to sign envelopes as them.",
  enforcementLevel: "mandatory",
  severity: "critical",
  tags: ["principle-3"],
  remediationSteps:
    "Turn the producer Worker's workers.dev hostname off (WorkersScriptSubdomain enabled: false), serve it only on a hostname with a ZeroTrustAccessApplication whose policies name the company's identities or service tokens, and remove Cloudflare API tokens and producer keys from agent runtimes: agents call the MCP endpoint's email_send with their Access service token.",
  configSchema,
  validateStack: (args, reportViolation) => {
    const settings = settingsOf<Settings>(args, configSchema);
    const resources = stackResources(args.resources);
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const outboxes = ofType(resources, CF.queue).filter((q) => str(q.props.queueName) === settings.outboxQueueName);
    const model = readStack(resources);
    const agents = agentRuntimes(model, settings.agentRuntimes);
    if (outboxes.length === 0 && agents.length === 0)
      args.notApplicable(`no ${settings.outboxQueueName} queue and no agent runtime in this stack`);

    const applications = ofType(resources, CF.accessApplication);
    const policies = ofType(resources, CF.accessPolicy);
    const gated = (hostname: string): boolean =>
      applications.some((application) => {
        const { hostnames } = protectedHostnames(application);
        if (!hostnameCovered(hostname, hostnames)) return false;
        const decisions = applicationDecisions(application, byUrn, policies);
        // A first preview may not know the policies yet; the application itself is declared.
        if (isUnknown(decisions)) return true;
        return decisions.length > 0 && !decisions.some(letsAnyoneIn);
      });

    const producers = ofType(resources, CF.workersScript).filter((s) => producesTo(s, outboxes));
    for (const script of producers) {
      const label = `WorkersScript ${str(script.props.scriptName) ?? script.name}`;
      const subdomains = ofType(resources, CF.workersScriptSubdomain).filter((d) => belongsTo(d, "scriptName", script, byUrn));
      if (subdomains.length === 0 || subdomains.some((d) => bool(d.props.enabled) !== false)) {
        reportViolation(
          `${label} produces to ${settings.outboxQueueName} and is reachable on workers.dev, outside Access: declare its WorkersScriptSubdomain with enabled: false.`,
          script.urn,
        );
      }
      for (const domain of ofType(resources, CF.workersCustomDomain).filter((d) => belongsTo(d, "service", script, byUrn))) {
        const hostname = strOrUnknown(domain.props.hostname);
        if (typeof hostname === "string" && !gated(hostname.toLowerCase())) {
          reportViolation(
            `${label} produces to ${settings.outboxQueueName} and is served on ${hostname}, which no Access application gates.`,
            domain.urn,
          );
        }
      }
      for (const route of ofType(resources, CF.workersRoute).filter((r) => belongsTo(r, "script", script, byUrn))) {
        const pattern = strOrUnknown(route.props.pattern);
        const hostname = typeof pattern === "string" ? pattern.split("/")[0]!.toLowerCase() : undefined;
        if (typeof pattern === "string" && hostname !== undefined && (hostname.includes("*") || !gated(hostname))) {
          reportViolation(
            `${label} produces to ${settings.outboxQueueName} and is routed from ${pattern}, which no Access application gates.`,
            route.urn,
          );
        }
      }
    }

    const producerKeyName = new RegExp(settings.producerKeyVariablePattern, "i");
    const keys = producerKeys(model, producers, new Set(agents.map((a) => a.urn)), producerKeyName);
    for (const agent of agents) {
      for (const variable of agent.env) {
        if (settings.cloudflareCredentialVariables.includes(variable.name.toUpperCase())) {
          reportViolation(
            `${agent.label}: ${variable.name} (${variable.where}) is a Cloudflare API credential, with which an agent could enqueue mail around the MCP endpoint; agents send mail only with its email_send tool.`,
            agent.urn,
          );
          continue;
        }
        if (producerKeyName.test(variable.name)) {
          reportViolation(
            `${agent.label}: ${variable.name} (${variable.where}) is a mail-queue producer key, with which an agent could sign envelopes as a producer; agents send mail only with the MCP endpoint's email_send tool.`,
            agent.urn,
          );
          continue;
        }
        const value = resolvedEnvValue(model, variable);
        const key = typeof value === "string" ? keys.get(value) : undefined;
        if (key !== undefined) {
          reportViolation(
            `${agent.label}: ${variable.name} (${variable.where}) holds the value of ${key}, a mail-queue producer key (value not shown); agents send mail only with the MCP endpoint's email_send tool.`,
            agent.urn,
          );
        }
      }
    }
  },
};
