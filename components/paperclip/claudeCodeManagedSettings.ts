/**
 * Claude Code's managed settings: the file it reads on Linux at /etc/claude-code/managed-settings.json,
 * above every user, project and programmatic setting, whose `env` it applies to each session.
 *
 * Why a file and not the environment: Paperclip 2026.916.1 starts Claude Code three ways, and two of
 * them do not pass the server's environment on. Its ACP engine (the default) hands the agent only a
 * closed list of variables (adapter-utils dist/acpx-engine/execute.js,
 * ACPX_INHERITED_HOST_ENV_KEYS), and its quota poll removes every ANTHROPIC_* variable
 * (adapter-claude-local dist/server/quota.js). Without this file, test/paperclipAcceptance.test.ts
 * records Claude Code calling api.anthropic.com (start-up bootstrap, feature flags, event logs) with
 * the gateway key in x-api-key, and the quota poll's Claude Code checking Anthropic with no base URL.
 */
import { RenderRefusal } from "../../infra/config/RenderRefusal";

export const CLAUDE_CODE_MANAGED_SETTINGS_PATH = "/etc/claude-code/managed-settings.json";

const RENDERER = "components/paperclip/claudeCodeManagedSettings.ts";

/**
 * The gateway as every Claude Code session's base URL, and none of its traffic beside the model API.
 * `undefined` for Fly's direct Claude subscription (the configured exception to Principle 3, where
 * Claude Code talks to Anthropic with the subscription token): no base URL then.
 */
export function renderClaudeCodeManagedSettings(gatewayBaseUrl: string | undefined): string {
  if (gatewayBaseUrl !== undefined && !/^https?:\/\/[^\s"]+$/.test(gatewayBaseUrl))
    throw new RenderRefusal("Claude Code managed settings", RENDERER, "an http(s) URL of the gateway", { value: gatewayBaseUrl });
  const settings = {
    env: {
      ...(gatewayBaseUrl === undefined ? {} : { ANTHROPIC_BASE_URL: gatewayBaseUrl }),
      // Auto-updater, feature flags, error reports and telemetry: each would reach Anthropic directly.
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
    },
  };
  return `${JSON.stringify(settings, null, 2)}\n`;
}
