/**
 * What an agent runtime gets for the company's MCP endpoint (the Worker on `mcp.<domain>`,
 * apps/mcp-worker): its URL and the agents' Access service token, the one credential that endpoint
 * takes from a machine. Kept apart from Paperclip's own settings, which Paperclip's entry spreads in.
 *
 * Paperclip (2026.916.1) writes into its agents' CLI configuration only the MCP servers it manages
 * itself (its own gateway, with a per-run bearer token), so the endpoint reaches the CLIs through their
 * own configuration files, which name these variables (docs/mcp-endpoint.md, "Giving it to Paperclip's
 * agents"): Codex through the shared Codex home every Paperclip-managed one is seeded from, Claude Code
 * through a file an agent's `extraArgs` passes with `--mcp-config`.
 */
import { MCP_PATH } from "../../apps/mcp-worker/src/env";
import { renderClaudeMcpConfig, renderCodexMcpConfig } from "../../components/paperclip/renderAgentMcpConfig";
import type { CatalogContext, ConfigFile } from "./types";
import { provided, type SecretValue } from "./secretValue";

/** The endpoint's subdomain; its Worker is served there (a Workers custom domain), not through the Tunnel. */
export const MCP_SUBDOMAIN = "mcp";

/** Names of the variables, as an agent's MCP configuration refers to them (`${HARNESS_MCP_URL}` …). */
export const MCP_ENDPOINT_ENV = {
  url: "HARNESS_MCP_URL",
  clientId: "HARNESS_MCP_ACCESS_CLIENT_ID",
  clientSecret: "HARNESS_MCP_ACCESS_CLIENT_SECRET",
} as const;

/** Where the Paperclip container holds the CLIs' MCP configuration (plain files, mounted read-only). */
export const AGENT_MCP_CONFIG = {
  /** For Claude Code: an agent's adapter config passes it, `extraArgs: ["--mcp-config", <this>]`. */
  claudeFile: "/etc/harness/mcp/claude.json",
  /**
   * Paperclip's shared Codex home (`CODEX_HOME` of the server): the codex adapter copies its
   * `config.toml` into each company's managed Codex home when it first seeds it.
   */
  codexHome: "/etc/harness/codex",
} as const;

function mcpEndpointUrl(context: Pick<CatalogContext, "hostname">): string {
  return `https://${context.hostname(MCP_SUBDOMAIN)}${MCP_PATH}`;
}

/**
 * Every variable of the Paperclip container that is for its agents' MCP endpoint (what an allow-list
 * of an agent's environment must let through).
 */
export const AGENT_MCP_VARIABLE_NAMES: readonly string[] = [
  MCP_ENDPOINT_ENV.url,
  MCP_ENDPOINT_ENV.clientId,
  MCP_ENDPOINT_ENV.clientSecret,
  "CODEX_HOME",
];

/** The endpoint's URL and the shared Codex home: not secrets. */
export function mcpEndpointEnvironment(context: Pick<CatalogContext, "hostname">): Record<string, string> {
  return { [MCP_ENDPOINT_ENV.url]: mcpEndpointUrl(context), CODEX_HOME: AGENT_MCP_CONFIG.codexHome };
}

/** The CLIs' configuration files, naming the variables above (no secret in them). */
export function mcpEndpointConfigFiles(context: Pick<CatalogContext, "hostname">): ConfigFile[] {
  const { clientId, clientSecret } = MCP_ENDPOINT_ENV;
  return [
    { name: "mcp-claude.json", mountPath: AGENT_MCP_CONFIG.claudeFile, content: renderClaudeMcpConfig(MCP_ENDPOINT_ENV) },
    {
      name: "codex-config.toml",
      mountPath: `${AGENT_MCP_CONFIG.codexHome}/config.toml`,
      content: renderCodexMcpConfig(mcpEndpointUrl(context), { clientId, clientSecret }),
    },
  ];
}

/** The agents' service token, provided by the Cloudflare edge (infra/targets/fedora/edge.ts), delivered as Podman secrets. */
export const MCP_ENDPOINT_SECRET_ENV: Readonly<Record<string, SecretValue>> = {
  [MCP_ENDPOINT_ENV.clientId]: provided("mcp-service-token-client-id"),
  [MCP_ENDPOINT_ENV.clientSecret]: provided("mcp-service-token-client-secret"),
};
