import { describe, expect, it } from "vitest";
import {
  AGENT_MCP_CONFIG,
  AGENT_MCP_VARIABLE_NAMES,
  MCP_ENDPOINT_ENV,
  MCP_ENDPOINT_SECRET_ENV,
  mcpEndpointConfigFiles,
  mcpEndpointEnvironment,
} from "./mcpEndpoint";

const context = { hostname: (subdomain: string) => `${subdomain}.sodimo.eu` };

describe("what the Paperclip container gets for its agents' MCP endpoint", () => {
  it("names every variable it sets in AGENT_MCP_VARIABLE_NAMES (an agent-environment allow-list's input)", () => {
    const names = [...Object.keys(mcpEndpointEnvironment(context)), ...Object.keys(MCP_ENDPOINT_SECRET_ENV)];
    expect([...names].sort()).toEqual([...AGENT_MCP_VARIABLE_NAMES].sort());
  });

  it("the URL in plain, the token only as secrets, the files naming the token's variables", () => {
    expect(mcpEndpointEnvironment(context)).toEqual({
      HARNESS_MCP_URL: "https://mcp.sodimo.eu/mcp",
      CODEX_HOME: AGENT_MCP_CONFIG.codexHome,
    });
    expect(Object.keys(MCP_ENDPOINT_SECRET_ENV).sort()).toEqual([MCP_ENDPOINT_ENV.clientId, MCP_ENDPOINT_ENV.clientSecret].sort());
    const files = mcpEndpointConfigFiles(context);
    expect(files.map((file) => file.mountPath)).toEqual([AGENT_MCP_CONFIG.claudeFile, `${AGENT_MCP_CONFIG.codexHome}/config.toml`]);
    for (const file of files) {
      expect(file.content).toContain(MCP_ENDPOINT_ENV.clientId);
      expect(file.content).toContain(MCP_ENDPOINT_ENV.clientSecret);
    }
  });
});
