import type { StackValidationPolicy } from "@pulumi/policy";
import { settingsOf, type DefaultedSchema } from "../lib/config";
import { agentRuntimes, gatewayContext, isGatewayUrl, runsAgents, type GatewayRoleSettings } from "../lib/gateway";
import { isUnknown, stackResources } from "../lib/plain";
import { agentRuntimesProperty, gatewayHostsProperty, gatewaysProperty } from "../lib/schemas";
import { readStack, type Workload } from "../lib/workloads";

interface Settings extends GatewayRoleSettings {
  settingsPath: string;
}

const configSchema: DefaultedSchema = {
  properties: {
    agentRuntimes: agentRuntimesProperty,
    gateways: gatewaysProperty,
    gatewayHosts: gatewayHostsProperty,
    settingsPath: {
      type: "string",
      description: "Where Claude Code reads its managed settings on Linux (above every other setting).",
      default: "/etc/claude-code/managed-settings.json",
    },
  },
};

/** What is wrong with the managed settings an agent runtime gives Claude Code. */
function settingsProblems(agent: Workload, text: string, isGateway: (url: string) => boolean): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return ["is not JSON, so Claude Code ignores it"];
  }
  const env = (parsed as { env?: unknown } | null)?.env;
  if (typeof env !== "object" || env === null || Array.isArray(env)) return ["has no `env` object"];
  const values = env as Record<string, unknown>;
  const problems: string[] = [];
  if (values.CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC !== "1")
    problems.push(
      'does not set CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC to "1" (Claude Code then calls api.anthropic.com with the key it holds)',
    );
  const baseUrl = values.ANTHROPIC_BASE_URL;
  const routed = agent.env.some((e) => e.name === "ANTHROPIC_BASE_URL");
  if (baseUrl === undefined) {
    if (routed) problems.push("sets no ANTHROPIC_BASE_URL (a Claude Code the ACP engine or the quota poll starts then calls Anthropic)");
  } else if (typeof baseUrl !== "string" || !isGateway(baseUrl)) {
    problems.push(`sets ANTHROPIC_BASE_URL=${JSON.stringify(baseUrl)}, not the gateway`);
  }
  return problems;
}

/**
 * Principle 3 for Claude Code: Paperclip starts it three ways, and two do not pass the server's
 * environment on (the ACP engine's closed variable list, the quota poll without ANTHROPIC_*), so the
 * base URL and the switch-off of its other traffic must be in its managed settings
 * (docs/agent-environment.md, "Where requests go").
 */
export const agentClaudeCodeViaGateway: StackValidationPolicy = {
  name: "agent-claude-code-via-gateway",
  description:
    "Every agent runtime gives Claude Code managed settings that send it to the gateway and turn its other traffic to Anthropic off.",
  enforcementLevel: "mandatory",
  severity: "critical",
  tags: ["principle-3"],
  remediationSteps:
    'Mount /etc/claude-code/managed-settings.json into the agent runtime with {"env": {"ANTHROPIC_BASE_URL": <the gateway>, "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1"}} (components/paperclip/claudeCodeManagedSettings.ts renders it).',
  configSchema,
  validateStack: (args, reportViolation) => {
    const settings = settingsOf<Settings>(args, configSchema);
    const model = readStack(stackResources(args.resources));
    const context = gatewayContext(model, settings);
    const agents = agentRuntimes(model, settings.agentRuntimes).filter(runsAgents);
    if (agents.length === 0) args.notApplicable("no agent runtime in this stack");
    for (const agent of agents) {
      const file = agent.mounts.find((m) => m.destination === settings.settingsPath);
      if (!file) {
        reportViolation(
          `${agent.label}: no Claude Code managed settings at ${settings.settingsPath}; Claude Code started by Paperclip's ACP engine or quota poll does not see the environment's base URL and sends the key it holds to api.anthropic.com.`,
          agent.urn,
        );
        continue;
      }
      if (file.text === undefined) {
        reportViolation(
          `${agent.label}: ${settings.settingsPath} comes from ${file.source}, whose text the stack does not show, so it cannot be checked.`,
          agent.urn,
        );
        continue;
      }
      if (isUnknown(file.text)) continue;
      for (const problem of settingsProblems(agent, file.text, (url) => isGatewayUrl(url, context)))
        reportViolation(`${agent.label}: ${settings.settingsPath} ${problem}.`, agent.urn);
    }
  },
};
