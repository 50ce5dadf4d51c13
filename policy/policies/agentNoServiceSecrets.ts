import type { StackValidationPolicy } from "@pulumi/policy";
import { settingsOf, stringList, type DefaultedSchema } from "../lib/config";
import { agentRuntimes, runsAgents, type GatewayRoleSettings } from "../lib/gateway";
import { isUnknown, stackResources } from "../lib/plain";
import {
  AUTH_SECRET_VARIABLES,
  DATABASE_CREDENTIAL_VARIABLES,
  hasDatabaseUrlWithPassword,
  inheritedByAgents,
  serviceSecretKindOfName,
} from "../lib/serviceSecrets";
import { agentRuntimesProperty } from "../lib/schemas";
import { readStack, resolvedEnvValue } from "../lib/workloads";

interface Settings extends Pick<GatewayRoleSettings, "agentRuntimes"> {
  databaseCredentialVariables: string[];
  authSecretVariables: string[];
}

const configSchema: DefaultedSchema = {
  properties: {
    agentRuntimes: agentRuntimesProperty,
    databaseCredentialVariables: stringList(
      "Variables that hold a database's connection string or password (besides any *_DB_PASSWORD), refused in an agent runtime whatever their value.",
      DATABASE_CREDENTIAL_VARIABLES,
    ),
    authSecretVariables: stringList(
      "Variables that hold a secret signing or checking sessions or tokens (besides any *_JWT_SECRET or *_AUTH_SECRET), refused in an agent runtime.",
      AUTH_SECRET_VARIABLES,
    ),
  },
};

/**
 * Agents run inside Paperclip's environment: a database URL or password there opens the
 * orchestrator's database to them, and an auth or JWT secret lets them forge sessions and agent
 * tokens. Recognised by name and, for connection URLs, by value shape (`scheme://user:pass@`) in
 * any variable, plain or delivered as a secret. Names the spawn path drops (`PAPERCLIP_*`, which is
 * where every target puts the server's own secrets) do not reach an agent and are not reported.
 */
export const agentNoServiceSecrets: StackValidationPolicy = {
  name: "agent-no-service-secrets",
  description:
    "No database credential (a connection URL with a password, a password variable) and no auth or JWT signing secret reaches an agent runtime's environment.",
  enforcementLevel: "mandatory",
  severity: "high",
  tags: ["principle-3"],
  remediationSteps:
    "Deliver the orchestrator's database URL in its config file (config.json's database.connectionString) and its signing secrets under PAPERCLIP_* names (PAPERCLIP_AGENT_JWT_SECRET), which the server reads and its spawn path drops, so the agent CLIs it spawns never inherit them.",
  configSchema,
  validateStack: (args, reportViolation) => {
    const settings = settingsOf<Settings>(args, configSchema);
    const model = readStack(stackResources(args.resources));
    // Init containers and Jobs of the Paperclip image spawn no agent: their environment is their own.
    const agents = agentRuntimes(model, settings.agentRuntimes).filter(runsAgents);
    if (agents.length === 0) args.notApplicable("no agent runtime in this stack");

    for (const agent of agents) {
      for (const variable of agent.env) {
        if (!inheritedByAgents(variable.name)) continue;
        const where = `${variable.name} (${variable.where})`;
        const kind = serviceSecretKindOfName(variable.name, settings.databaseCredentialVariables, settings.authSecretVariables);
        if (kind) {
          if (variable.source.kind === "plain" && variable.source.value === "") continue;
          reportViolation(`${agent.label}: ${where} is ${kind}, inherited by every agent it spawns.`, agent.urn);
          continue;
        }
        const text = resolvedEnvValue(model, variable);
        if (typeof text === "string" && !isUnknown(text) && hasDatabaseUrlWithPassword(text))
          reportViolation(`${agent.label}: ${where} holds a connection URL with a password in it (value not shown).`, agent.urn);
      }
    }
  },
};
