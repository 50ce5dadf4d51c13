import type { StackValidationPolicy } from "@pulumi/policy";
import { settingsOf, stringList, type DefaultedSchema } from "../lib/config";
import { agentRuntimes, gatewayContext, isGatewayUrl, runsAgents, type GatewayContext, type GatewayRoleSettings } from "../lib/gateway";
import { isUnknown, stackResources } from "../lib/plain";
import { MODEL_BASE_URL_VARIABLES, PROVIDER_SWITCH_VARIABLES } from "../lib/roles";
import { agentRuntimesProperty, gatewayHostsProperty, gatewaysProperty } from "../lib/schemas";
import { describeSource, readStack } from "../lib/workloads";

interface Settings extends GatewayRoleSettings {
  requiredBaseUrlVariables: string[];
  baseUrlVariables: string[];
  providerListVariables: string[];
  providerSwitchVariables: string[];
}

const configSchema: DefaultedSchema = {
  properties: {
    agentRuntimes: agentRuntimesProperty,
    gateways: gatewaysProperty,
    gatewayHosts: gatewayHostsProperty,
    requiredBaseUrlVariables: stringList(
      "Base-URL variables every agent runtime must set to the gateway (an unset one defaults to the provider's API).",
      ["ANTHROPIC_BASE_URL", "OPENAI_BASE_URL"],
    ),
    baseUrlVariables: stringList(
      "Model base-URL variables that, when set in an agent runtime, must point at the gateway.",
      MODEL_BASE_URL_VARIABLES,
    ),
    providerListVariables: stringList(
      "Variables holding a JSON provider list ({providers: {<id>: {base_url | baseUrl, ...}}, model_provider?}) an agent adapter writes into its CLI's configuration; every provider must be the gateway.",
      ["PAPERCLIP_CODEX_PROVIDERS", "PAPERCLIP_PI_PROVIDERS"],
    ),
    providerSwitchVariables: stringList(
      "Variables that make an agent CLI call a cloud directly whatever its base URL (Claude Code's Bedrock/Vertex/Foundry switches); they must not be enabled.",
      PROVIDER_SWITCH_VARIABLES,
    ),
  },
};

const FALSE_VALUES = new Set(["", "0", "false", "no", "off"]);

/**
 * What is wrong with a provider list (PAPERCLIP_CODEX_PROVIDERS, PAPERCLIP_PI_PROVIDERS): Paperclip's
 * codex and pi adapters write it into the CLI's own configuration, so its base URLs, not
 * OPENAI_BASE_URL, decide where those CLIs send model calls (docs/agent-environment.md). A provider
 * without a base URL, or a `model_provider` the list does not define (codex's built-in `openai`),
 * calls the provider's API.
 */
function providerListProblems(value: string, context: GatewayContext): string[] {
  let list: unknown;
  try {
    list = JSON.parse(value);
  } catch {
    return ["not JSON, so where the adapter sends model calls cannot be checked"];
  }
  const providers = (list as { providers?: unknown } | null)?.providers;
  if (typeof providers !== "object" || providers === null || Array.isArray(providers))
    return ["no `providers` object, so where the adapter sends model calls cannot be checked"];
  const problems: string[] = [];
  for (const [id, provider] of Object.entries(providers as Record<string, unknown>)) {
    const entry = (provider ?? {}) as { base_url?: unknown; baseUrl?: unknown };
    const url = entry.base_url ?? entry.baseUrl;
    if (typeof url !== "string") problems.push(`provider ${JSON.stringify(id)} has no base URL (its CLI's default is the provider's API)`);
    else if (!isUnknown(url) && !isGatewayUrl(url, context))
      problems.push(`provider ${JSON.stringify(id)} sends model calls to ${url}, not the gateway (${context.hosts.join(", ")})`);
  }
  const selected = (list as { model_provider?: unknown }).model_provider;
  if (selected !== undefined && !(typeof selected === "string" && Object.hasOwn(providers, selected)))
    problems.push(`model_provider ${JSON.stringify(selected)} is none of the listed providers (a built-in one calls the provider's API)`);
  return problems;
}

/**
 * Principle 3: every model call from an agent goes to the gateway, where it is recorded. An SDK
 * whose base URL is unset calls the provider's own API; a base URL that names llama-swap, Ollama or
 * a provider bypasses the gateway's accounting, limits and fallbacks.
 */
export const agentModelTrafficViaGateway: StackValidationPolicy = {
  name: "agent-model-traffic-via-gateway",
  description:
    "Every model base URL an agent runtime uses points at the model gateway (LiteLLM), the required ones are set, and no switch sends an agent CLI to a cloud directly.",
  enforcementLevel: "mandatory",
  severity: "critical",
  tags: ["principle-3"],
  remediationSteps:
    "Set ANTHROPIC_BASE_URL and OPENAI_BASE_URL of the agent runtime to the gateway's URL (http://litellm:4000 on the harness network), as plain values, remove base URLs that point elsewhere, give every provider of PAPERCLIP_CODEX_PROVIDERS / PAPERCLIP_PI_PROVIDERS the gateway's base URL (and make model_provider one of them), and unset CLAUDE_CODE_USE_BEDROCK / CLAUDE_CODE_USE_VERTEX.",
  configSchema,
  validateStack: (args, reportViolation) => {
    const settings = settingsOf<Settings>(args, configSchema);
    const model = readStack(stackResources(args.resources));
    const context = gatewayContext(model, settings);
    const agents = agentRuntimes(model, settings.agentRuntimes);
    if (agents.length === 0) args.notApplicable("no agent runtime in this stack");

    for (const agent of agents) {
      for (const required of runsAgents(agent) ? settings.requiredBaseUrlVariables : []) {
        if (!agent.env.some((e) => e.name === required)) {
          reportViolation(
            `${agent.label}: ${required} is not set, so agents call the provider's API directly instead of the gateway.`,
            agent.urn,
          );
        }
      }
      for (const variable of agent.env) {
        if (settings.baseUrlVariables.includes(variable.name)) {
          if (variable.source.kind !== "plain") {
            reportViolation(
              `${agent.label}: ${variable.name} comes from ${describeSource(variable.source)}, so where agents send model calls cannot be checked; set it as a plain value.`,
              agent.urn,
            );
            continue;
          }
          const value = variable.source.value;
          if (isUnknown(value)) continue;
          const bad = value.split(";").filter((url) => !isGatewayUrl(url, context));
          if (bad.length > 0) {
            reportViolation(
              `${agent.label}: ${variable.name}=${value} (${variable.where}) does not point at the gateway (${context.hosts.join(", ")}).`,
              agent.urn,
            );
          }
        }
        if (settings.providerListVariables.includes(variable.name)) {
          if (variable.source.kind !== "plain") {
            reportViolation(
              `${agent.label}: ${variable.name} comes from ${describeSource(variable.source)}, so where agents send model calls cannot be checked; set it as a plain value.`,
              agent.urn,
            );
          } else if (!isUnknown(variable.source.value)) {
            for (const problem of providerListProblems(variable.source.value, context))
              reportViolation(`${agent.label}: ${variable.name} (${variable.where}): ${problem}.`, agent.urn);
          }
        }
        if (settings.providerSwitchVariables.includes(variable.name)) {
          const value = variable.source.kind === "plain" ? variable.source.value : undefined;
          if (value === undefined || (!isUnknown(value) && !FALSE_VALUES.has(value.trim().toLowerCase()))) {
            reportViolation(
              `${agent.label}: ${variable.name} (${variable.where}) makes the agent CLI call the cloud directly, whatever its base URL.`,
              agent.urn,
            );
          }
        }
      }
    }
  },
};
