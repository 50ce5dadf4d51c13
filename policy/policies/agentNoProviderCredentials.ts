import type { StackValidationPolicy } from "@pulumi/policy";
import { settingsOf, stringList, type DefaultedSchema } from "../lib/config";
import { agentRuntimes, gatewayContext, judgeGatewayKey, providerSecretOf, type GatewaySettings } from "../lib/gateway";
import { stackResources } from "../lib/plain";
import { providerKeyShapeIn } from "../lib/providerKeyShapes";
import {
  agentRuntimesProperty,
  gatewayHostsProperty,
  gatewayKeySourcePatternProperty,
  gatewayKeyVariablesProperty,
  gatewayOwnKeyVariablesProperty,
  gatewaysProperty,
  providerCredentialVariablesProperty,
} from "../lib/schemas";
import { hostOfUrl } from "../lib/urls";
import { envValue, readStack, resolvedEnvValue, resolveSecret, type EnvVar, type Workload } from "../lib/workloads";

interface Settings extends GatewaySettings {
  providerCredentialVariables: string[];
  objectStorageCredentialVariables: string[];
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
    objectStorageCredentialVariables: stringList(
      "AWS SDK variables accepted as the keys of Paperclip's S3-compatible attachment store (PAPERCLIP_STORAGE_PROVIDER=s3 with a non-AWS PAPERCLIP_STORAGE_S3_ENDPOINT), delivered as secrets.",
      ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"],
    ),
  },
};

/**
 * Paperclip's S3 storage reads its credentials from the AWS SDK's default chain only, so an
 * S3-compatible store (Sealos object storage, MinIO, R2) needs AWS_ACCESS_KEY_ID/SECRET in the
 * server's environment. Those are the store's keys, not a model provider's, when storage is S3 and
 * the endpoint is set and is not AWS (an AWS account's keys would also open Bedrock).
 */
function isObjectStorageKey(agent: Workload, variable: EnvVar, accepted: readonly string[]): boolean {
  if (!accepted.includes(variable.name) || variable.source.kind !== "secret") return false;
  const env = new Map(agent.env.map((e) => [e.name, e]));
  if (envValue(env.get("PAPERCLIP_STORAGE_PROVIDER")) !== "s3") return false;
  const endpoint = env.get("PAPERCLIP_STORAGE_S3_ENDPOINT");
  if (!endpoint) return false;
  const value = envValue(endpoint);
  if (typeof value !== "string") return true;
  const host = hostOfUrl(value);
  return host !== undefined && !/(^|\.)amazonaws\.com(\.cn)?$/.test(host);
}

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
          if (variable.source.pending) continue;
          reportViolation(
            `${agent.label}: ${variable.where} reads ${variable.source.path}, whose content this stack does not show, so it may hold a provider credential. Deliver the variables with Environment= and Secret= instead.`,
            agent.urn,
          );
          continue;
        }
        if (variable.source.kind === "plain" && variable.source.value === "") continue;
        const byName = settings.providerCredentialVariables.includes(variable.name);
        if (!byName && variable.source.kind === "plain" && typeof variable.source.value === "string") {
          const shape = providerKeyShapeIn(variable.source.value);
          if (shape) {
            reportViolation(`${agent.label}: ${where} holds a value in the ${shape} key format (value not shown).`, agent.urn);
            continue;
          }
        }
        if (variable.source.kind === "secret") {
          const payload = resolveSecret(model, variable.source.secret);
          const provider = providerSecretOf(context, variable.source.secret, payload);
          if (provider) {
            reportViolation(
              `${agent.label}: ${where} reads the secret the gateway holds as its provider credential ${provider.variable}.`,
              agent.urn,
            );
            continue;
          }
          const shape = !byName && typeof payload?.value === "string" ? providerKeyShapeIn(payload.value) : undefined;
          if (shape) {
            reportViolation(`${agent.label}: ${where} reads ${payload!.label}, whose value is in the ${shape} key format.`, agent.urn);
            continue;
          }
        }
        if (!byName) continue;
        if (isObjectStorageKey(agent, variable, settings.objectStorageCredentialVariables)) continue;
        // A gateway-key variable (ANTHROPIC_API_KEY) may hold a provider's key: its format gives it away.
        if (settings.gatewayKeyVariables[variable.name] !== undefined) {
          const held = resolvedEnvValue(model, variable);
          const shape = typeof held === "string" ? providerKeyShapeIn(held) : undefined;
          if (shape) {
            reportViolation(
              `${agent.label}: ${where} is a provider credential. Agents hold only the gateway's key: its value is in the ${shape} key format (value not shown).`,
              agent.urn,
            );
            continue;
          }
        }
        if (settings.gatewayKeyVariables[variable.name] === undefined) {
          const accepted = Object.keys(settings.gatewayKeyVariables).join(" or ");
          reportViolation(
            `${agent.label}: ${where} is a provider credential. Agents hold only the gateway's key, as ${accepted}.`,
            agent.urn,
          );
          continue;
        }
        const judgement = judgeGatewayKey(model, context, agent, variable, settings);
        if (!judgement.ok) reportViolation(`${agent.label}: ${where} is not the gateway's key: ${judgement.why}.`, agent.urn);
      }
      for (const source of agent.opaqueEnvSources) {
        if (source.ref?.pending) continue;
        const payload = source.ref ? resolveSecret(model, source.ref) : undefined;
        const provider = source.ref ? providerSecretOf(context, source.ref, payload) : undefined;
        reportViolation(
          provider
            ? `${agent.label}: ${source.description} imports the secret the gateway holds as its provider credential ${provider.variable}.`
            : `${agent.label}: ${source.description} imports keys this stack does not show, so it may hold a provider credential. Import named keys (env with secretKeyRef, or an ExternalSecret with data entries).`,
          agent.urn,
        );
      }
      const commandShape = providerKeyShapeIn(agent.commandLine.join(" "));
      if (commandShape) reportViolation(`${agent.label}: its command line holds a value in the ${commandShape} key format.`, agent.urn);
      for (const mount of agent.mounts) {
        const shape = mount.text === undefined ? undefined : providerKeyShapeIn(mount.text);
        if (shape)
          reportViolation(
            `${agent.label}: the file it mounts at ${mount.destination} holds a value in the ${shape} key format.`,
            agent.urn,
          );
      }
      for (const mount of agent.secretMounts) {
        const payload = resolveSecret(model, mount.ref);
        const provider = providerSecretOf(context, mount.ref, payload);
        const shape = typeof payload?.value === "string" ? providerKeyShapeIn(payload.value) : undefined;
        if (provider)
          reportViolation(
            `${agent.label}: mounts the secret the gateway holds as its provider credential ${provider.variable} at ${mount.destination}.`,
            agent.urn,
          );
        else if (shape)
          reportViolation(
            `${agent.label}: mounts ${payload!.label} at ${mount.destination}, whose value is in the ${shape} key format.`,
            agent.urn,
          );
      }
    }
  },
};
