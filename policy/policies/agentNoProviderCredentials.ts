import type { StackValidationPolicy } from "@pulumi/policy";
import { settingsOf, type DefaultedSchema } from "../lib/config";
import { agentRuntimes, gatewayContext, judgeGatewayKey, providerSecretOf, type GatewaySettings } from "../lib/gateway";
import { stackResources } from "../lib/plain";
import {
  agentRuntimesProperty,
  gatewayHostsProperty,
  gatewayKeySourcePatternProperty,
  gatewayKeyVariablesProperty,
  gatewayOwnKeyVariablesProperty,
  gatewaysProperty,
  providerCredentialVariablesProperty,
} from "../lib/schemas";
import { readStack, resolveSecret } from "../lib/workloads";

interface Settings extends GatewaySettings {
  providerCredentialVariables: string[];
}

const configSchema: DefaultedSchema = {
  properties: {
    agentRuntimes: agentRuntimesProperty,
    gateways: gatewaysProperty,
    gatewayHosts: gatewayHostsProperty,
    providerCredentialVariables: providerCredentialVariablesProperty,
    gatewayKeyVariables: gatewayKeyVariablesProperty,
    gatewayOwnKeyVariables: gatewayOwnKeyVariablesProperty,
    gatewayKeySourcePattern: gatewayKeySourcePatternProperty,
  },
};

/**
 * Principle 3: the only model credential an agent holds is the gateway's key. Paperclip passes its
 * whole environment to every agent CLI it spawns, so a provider key anywhere in it is in the
 * agents' hands (the Sealos template hands provider keys straight to Paperclip; this pack is why
 * this project does not).
 */
export const agentNoProviderCredentials: StackValidationPolicy = {
  name: "agent-no-provider-credentials",
  description:
    "No model provider credential (API key, OAuth or subscription token, cloud account key) reaches an agent runtime; the only model credential an agent holds is the gateway's key, sent only to the gateway.",
  enforcementLevel: "mandatory",
  severity: "critical",
  tags: ["principle-3"],
  remediationSteps:
    "Remove the provider credential from the agent runtime and give it to the gateway (LiteLLM) instead. Give agents the gateway's key as ANTHROPIC_AUTH_TOKEN / OPENAI_API_KEY, delivered from the secret the gateway reads its own key from, with ANTHROPIC_BASE_URL / OPENAI_BASE_URL pointing at the gateway.",
  configSchema,
  validateStack: (args, reportViolation) => {
    const settings = settingsOf<Settings>(args, configSchema);
    const model = readStack(stackResources(args.resources));
    const context = gatewayContext(model, settings, settings.providerCredentialVariables);
    const agents = agentRuntimes(model, settings.agentRuntimes);
    if (agents.length === 0) args.notApplicable("no agent runtime in this stack");

    for (const agent of agents) {
      for (const variable of agent.env) {
        const where = `${variable.name} (${variable.where})`;
        if (variable.source.kind === "env-file") {
          reportViolation(`${agent.label}: ${variable.where} reads ${variable.source.path}, whose content this stack does not show, so it may hold a provider credential. Deliver the variables with Environment= and Secret= instead.`, agent.urn);
          continue;
        }
        if (variable.source.kind === "plain" && variable.source.value === "") continue;
        if (variable.source.kind === "secret") {
          const payload = resolveSecret(model, variable.source.secret);
          const provider = providerSecretOf(context, variable.source.secret, payload);
          if (provider) {
            reportViolation(`${agent.label}: ${where} reads the secret the gateway holds as its provider credential ${provider.variable}.`, agent.urn);
            continue;
          }
        }
        if (!settings.providerCredentialVariables.includes(variable.name)) continue;
        if (settings.gatewayKeyVariables[variable.name] === undefined) {
          const accepted = Object.keys(settings.gatewayKeyVariables).join(" or ");
          reportViolation(`${agent.label}: ${where} is a provider credential. Agents hold only the gateway's key, as ${accepted}.`, agent.urn);
          continue;
        }
        const judgement = judgeGatewayKey(model, context, agent, variable, settings);
        if (!judgement.ok) reportViolation(`${agent.label}: ${where} is not the gateway's key: ${judgement.why}.`, agent.urn);
      }
      for (const source of agent.opaqueEnvSources) {
        const payload = source.ref ? resolveSecret(model, source.ref) : undefined;
        const provider = source.ref ? providerSecretOf(context, source.ref, payload) : undefined;
        reportViolation(
          provider
            ? `${agent.label}: ${source.description} imports the secret the gateway holds as its provider credential ${provider.variable}.`
            : `${agent.label}: ${source.description} imports keys this stack does not show, so it may hold a provider credential. Import named keys (env with secretKeyRef, or an ExternalSecret with data entries).`,
          agent.urn,
        );
      }
      for (const mount of agent.secretMounts) {
        const provider = providerSecretOf(context, mount.ref, resolveSecret(model, mount.ref));
        if (provider) reportViolation(`${agent.label}: mounts the secret the gateway holds as its provider credential ${provider.variable} at ${mount.destination}.`, agent.urn);
      }
    }
  },
};
