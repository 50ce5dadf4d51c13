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
import { readStack } from "../lib/workloads";

interface Settings {
  agentRuntimes: RoleMatcher;
  outboxQueueName: string;
  cloudflareCredentialVariables: string[];
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
  },
};

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
 * credential, with which it could put a message on the queue itself, unchecked and unrecorded.
 */
export const agentMailOnlyViaMcpEndpoint: StackValidationPolicy = {
  name: "agent-mail-only-via-mcp-endpoint",
  description:
    "Workers that produce to email_outbox are reachable only through Cloudflare Access (no workers.dev, every custom domain and route gated), and no agent runtime holds a Cloudflare API credential to enqueue around them.",
  enforcementLevel: "mandatory",
  severity: "critical",
  tags: ["principle-3"],
  remediationSteps:
    "Turn the producer Worker's workers.dev hostname off (WorkersScriptSubdomain enabled: false), serve it only on a hostname with a ZeroTrustAccessApplication whose policies name the company's identities or service tokens, and remove Cloudflare API tokens from agent runtimes: agents call the MCP endpoint's email_send with their Access service token.",
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

    for (const script of ofType(resources, CF.workersScript).filter((s) => producesTo(s, outboxes))) {
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

    for (const agent of agents) {
      for (const variable of agent.env) {
        if (settings.cloudflareCredentialVariables.includes(variable.name.toUpperCase())) {
          reportViolation(
            `${agent.label}: ${variable.name} (${variable.where}) is a Cloudflare API credential, with which an agent could enqueue mail around the MCP endpoint; agents send mail only with its email_send tool.`,
            agent.urn,
          );
        }
      }
    }
  },
};
