/**
 * The company's MCP endpoint in the configuration formats of the agent CLIs Paperclip runs, for the
 * Paperclip container (docs/mcp-endpoint.md, "Giving it to Paperclip's agents"). Neither file holds a
 * secret: the service token's two halves are named by their environment variables, which the CLIs
 * read when they connect, so the files are plain config files and the token stays a Podman secret.
 */
import { stringify } from "smol-toml";

/** The MCP server's name in every CLI's configuration: Claude Code calls its tools `mcp__harness__<tool>`. */
export const AGENT_MCP_SERVER_NAME = "harness";

/** The header names Cloudflare Access reads a service token from. */
export const ACCESS_SERVICE_TOKEN_HEADERS = { clientId: "CF-Access-Client-Id", clientSecret: "CF-Access-Client-Secret" } as const;

/** The environment variables the files name (the Paperclip container's, infra/catalog/mcpEndpoint.ts). */
export interface AgentMcpVariables {
  url: string;
  clientId: string;
  clientSecret: string;
}

const VARIABLE_NAME = /^[A-Z_][A-Z0-9_]*$/;

function checkVariables(variables: AgentMcpVariables): void {
  for (const name of [variables.url, variables.clientId, variables.clientSecret]) {
    if (!VARIABLE_NAME.test(name)) throw new Error(`agent MCP config: ${JSON.stringify(name)} is not an environment variable name`);
  }
}

/**
 * For Claude Code's `--mcp-config <file>`: an `http` server whose URL and headers are `${VAR}`
 * references, which Claude Code expands from its environment when it loads the file (checked with
 * the real CLI in renderAgentMcpConfig.test.ts).
 */
export function renderClaudeMcpConfig(variables: AgentMcpVariables): string {
  checkVariables(variables);
  const config = {
    mcpServers: {
      [AGENT_MCP_SERVER_NAME]: {
        type: "http",
        url: `\${${variables.url}}`,
        headers: {
          [ACCESS_SERVICE_TOKEN_HEADERS.clientId]: `\${${variables.clientId}}`,
          [ACCESS_SERVICE_TOKEN_HEADERS.clientSecret]: `\${${variables.clientSecret}}`,
        },
      },
    },
  };
  return `${JSON.stringify(config, null, 2)}\n`;
}

/**
 * For Codex's `config.toml`: a streamable-HTTP server with the URL written out (Codex does not expand
 * variables in it; it is no secret) and `env_http_headers`, header name → the variable Codex reads
 * the value from when it connects.
 */
export function renderCodexMcpConfig(url: string, variables: Omit<AgentMcpVariables, "url">): string {
  checkVariables({ url: "URL", ...variables });
  if (!/^https?:\/\/[^\s"\\]+$/.test(url)) throw new Error(`agent MCP config: ${JSON.stringify(url)} is not an http(s) URL`);
  const config = {
    mcp_servers: {
      [AGENT_MCP_SERVER_NAME]: {
        url,
        env_http_headers: {
          [ACCESS_SERVICE_TOKEN_HEADERS.clientId]: variables.clientId,
          [ACCESS_SERVICE_TOKEN_HEADERS.clientSecret]: variables.clientSecret,
        },
      },
    },
  };
  return ["# Managed by paperclip-harness (Pulumi): the company's MCP endpoint, for every Codex agent.", stringify(config), ""].join("\n");
}
