import type { StackValidationPolicy } from "@pulumi/policy";
import { settingsOf, stringList, type DefaultedSchema } from "../lib/config";
import { agentRuntimes, gatewayContext, isGatewayUrl, runsAgents, type GatewayRoleSettings } from "../lib/gateway";
import { isUnknown, stackResources } from "../lib/plain";
import { MODEL_BASE_URL_VARIABLES, PROVIDER_SWITCH_VARIABLES } from "../lib/roles";
import { agentRuntimesProperty, gatewayHostsProperty, gatewaysProperty } from "../lib/schemas";
import { describeSource, readStack } from "../lib/workloads";

interface Settings extends GatewayRoleSettings {
  requiredBaseUrlVariables: string[];
  baseUrlVariables: string[];
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
    providerSwitchVariables: stringList(
      "Variables that make an agent CLI call a cloud directly whatever its base URL (Claude Code's Bedrock/Vertex/Foundry switches); they must not be enabled.",
      PROVIDER_SWITCH_VARIABLES,
    ),
  },
};

const FALSE_VALUES = new Set(["", "0", "false", "no", "off"]);

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
    "Set ANTHROPIC_BASE_URL and OPENAI_BASE_URL of the agent runtime to the gateway's URL (http://litellm:4000 on the harness network), as plain values, remove base URLs that point elsewhere, and unset CLAUDE_CODE_USE_BEDROCK / CLAUDE_CODE_USE_VERTEX.",
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
