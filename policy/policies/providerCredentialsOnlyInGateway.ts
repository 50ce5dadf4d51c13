import type { StackValidationPolicy } from "@pulumi/policy";
import { settingsOf, type DefaultedSchema } from "../lib/config";
import { gatewayContext, judgeGatewayKey, providerSecretOf, type GatewaySettings } from "../lib/gateway";
import { stackResources } from "../lib/plain";
import { isAgentRuntime, isGateway } from "../lib/roles";
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
 * Principle 3: cloud provider keys live in the gateway's environment and nowhere else, so every
 * model call anyone makes is made, accounted and limited in one place. (Agent runtimes have their
 * own, stricter policy, agent-no-provider-credentials.)
 */
export const providerCredentialsOnlyInGateway: StackValidationPolicy = {
  name: "provider-credentials-only-in-gateway",
  description:
    "Model provider credentials live only in the model gateway: no other workload holds one or reads a secret the gateway holds one in; other model clients hold the gateway's key.",
  enforcementLevel: "mandatory",
  severity: "high",
  tags: ["principle-3"],
  remediationSteps:
    "Move the provider credential to the gateway (LiteLLM) and point the workload at the gateway instead: its key variable gets the gateway's key (or a gateway virtual key) and its base URL the gateway's URL.",
  configSchema,
  validateStack: (args, reportViolation) => {
    const settings = settingsOf<Settings>(args, configSchema);
    const model = readStack(stackResources(args.resources));
    const context = gatewayContext(model, settings, settings.providerCredentialVariables);
    if (model.workloads.length === 0) args.notApplicable("no workloads in this stack");

    for (const workload of model.workloads) {
      if (isAgentRuntime(workload, settings.agentRuntimes) || isGateway(workload, settings.gateways, settings.agentRuntimes)) continue;
      for (const variable of workload.env) {
        const where = `${variable.name} (${variable.where})`;
        if (variable.source.kind === "secret") {
          const provider = providerSecretOf(context, variable.source.secret, resolveSecret(model, variable.source.secret));
          if (provider) {
            reportViolation(
              `${workload.label}: ${where} reads the secret the gateway holds as its provider credential ${provider.variable}.`,
              workload.urn,
            );
            continue;
          }
        }
        if (!settings.providerCredentialVariables.includes(variable.name)) continue;
        if (variable.source.kind === "plain" && variable.source.value === "") continue;
        if (settings.gatewayKeyVariables[variable.name] === undefined) {
          reportViolation(`${workload.label}: ${where} is a provider credential outside the gateway.`, workload.urn);
          continue;
        }
        const judgement = judgeGatewayKey(model, context, workload, variable, settings);
        if (!judgement.ok)
          reportViolation(
            `${workload.label}: ${where} is a provider credential outside the gateway, not the gateway's key: ${judgement.why}.`,
            workload.urn,
          );
      }
      for (const source of workload.opaqueEnvSources) {
        if (!source.ref) continue;
        const provider = providerSecretOf(context, source.ref, resolveSecret(model, source.ref));
        if (provider)
          reportViolation(
            `${workload.label}: ${source.description} imports the secret the gateway holds as its provider credential ${provider.variable}.`,
            workload.urn,
          );
      }
      for (const mount of workload.secretMounts) {
        const provider = providerSecretOf(context, mount.ref, resolveSecret(model, mount.ref));
        if (provider)
          reportViolation(
            `${workload.label}: mounts the secret the gateway holds as its provider credential ${provider.variable} at ${mount.destination}.`,
            workload.urn,
          );
      }
    }
  },
};
