import type { StackValidationPolicy } from "@pulumi/policy";
import { settingsOf, type DefaultedSchema } from "../lib/config";
import { gatewayContext, isGatewayUrl, type GatewayRoleSettings } from "../lib/gateway";
import { isUnknown, stackResources } from "../lib/plain";
import { hasRole, isAgentRuntime } from "../lib/roles";
import { agentRuntimesProperty, gatewayHostsProperty, gatewaysProperty, openWebUiProperty } from "../lib/schemas";
import type { RoleMatcher } from "../lib/config";
import { describeSource, readStack } from "../lib/workloads";

interface Settings extends GatewayRoleSettings {
  openWebUi: RoleMatcher;
}

const configSchema: DefaultedSchema = {
  properties: {
    openWebUi: openWebUiProperty,
    agentRuntimes: agentRuntimesProperty,
    gateways: gatewaysProperty,
    gatewayHosts: gatewayHostsProperty,
  },
};

const OPENAI_URL_VARIABLES = ["OPENAI_API_BASE_URL", "OPENAI_API_BASE_URLS"];
const OLLAMA_URL = /^OLLAMA_(BASE_URLS?|API_BASE_URL)$/;
// Anchored on a word boundary: DATABASE_URL is not a model URL.
const MODEL_URL = /(^|_)(BASE_URLS?|API_BASE)$/;

/**
 * Principle 3: the chat UI is a human's window onto the same gateway agents use. OpenWebUI defaults
 * to api.openai.com and to a local Ollama; the seeds point it at LiteLLM only ("never llama-swap
 * directly"), so every model it offers is one the gateway offers, accounts and limits.
 */
export const openWebUiModelsViaGateway: StackValidationPolicy = {
  name: "openwebui-models-via-gateway",
  description:
    "OpenWebUI talks to the model gateway (LiteLLM) only: its OpenAI connection points at the gateway and no other model backend (llama-swap, Ollama, a provider) is configured.",
  enforcementLevel: "mandatory",
  severity: "high",
  tags: ["principle-3"],
  remediationSteps:
    "Set OPENAI_API_BASE_URL of OpenWebUI to the gateway (http://litellm:4000) with the gateway's key as OPENAI_API_KEY, remove other model URLs, and leave the Ollama backend unset (or ENABLE_OLLAMA_API=false).",
  configSchema,
  validateStack: (args, reportViolation) => {
    const settings = settingsOf<Settings>(args, configSchema);
    const model = readStack(stackResources(args.resources));
    const context = gatewayContext(model, settings);

    const uis = model.workloads.filter((w) => hasRole(w, settings.openWebUi) && !isAgentRuntime(w, settings.agentRuntimes));
    if (uis.length === 0) args.notApplicable("no OpenWebUI in this stack");
    for (const ui of uis) {
      const env = new Map(ui.env.map((e) => [e.name, e]));
      if (!OPENAI_URL_VARIABLES.some((name) => env.has(name))) {
        reportViolation(
          `${ui.label}: OPENAI_API_BASE_URL is not set, so OpenWebUI's OpenAI connection defaults to api.openai.com instead of the gateway.`,
          ui.urn,
        );
      }
      const ollama = env.get("ENABLE_OLLAMA_API");
      const ollamaDisabled =
        ollama?.source.kind === "plain" &&
        typeof ollama.source.value === "string" &&
        ["false", "0", "no"].includes(ollama.source.value.toLowerCase());
      for (const variable of ui.env) {
        if (!MODEL_URL.test(variable.name)) continue;
        if (variable.source.kind !== "plain") {
          reportViolation(
            `${ui.label}: ${variable.name} comes from ${describeSource(variable.source)}, so where OpenWebUI sends model calls cannot be checked; set it as a plain value.`,
            ui.urn,
          );
          continue;
        }
        const value = variable.source.value;
        if (isUnknown(value) || value.trim() === "") continue;
        if (OLLAMA_URL.test(variable.name)) {
          if (!ollamaDisabled)
            reportViolation(
              `${ui.label}: ${variable.name}=${value} adds an Ollama backend beside the gateway; leave it unset or set ENABLE_OLLAMA_API=false.`,
              ui.urn,
            );
          continue;
        }
        if (!value.split(";").every((url) => url.trim() === "" || isGatewayUrl(url, context))) {
          reportViolation(
            `${ui.label}: ${variable.name}=${value} (${variable.where}) is a model backend other than the gateway (${context.hosts.join(", ")}).`,
            ui.urn,
          );
        }
      }
    }
  },
};
