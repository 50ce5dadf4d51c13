import { parse } from "smol-toml";
import { describe, expect, it } from "vitest";
import { renderClaudeMcpConfig, renderCodexMcpConfig } from "./renderAgentMcpConfig";

const VARIABLES = { url: "HARNESS_MCP_URL", clientId: "HARNESS_MCP_ACCESS_CLIENT_ID", clientSecret: "HARNESS_MCP_ACCESS_CLIENT_SECRET" };

// The real CLIs read these files in apps/mcp-worker/src/agentClis.test.ts.
describe("the agent CLIs' MCP configuration", () => {
  it("Claude Code: an http server whose URL and Access headers are ${VAR} references (snapshot)", () => {
    const text = renderClaudeMcpConfig(VARIABLES);
    expect(text).toMatchSnapshot();
    expect(JSON.parse(text)).toEqual({
      mcpServers: {
        harness: {
          type: "http",
          url: "${HARNESS_MCP_URL}",
          headers: {
            "CF-Access-Client-Id": "${HARNESS_MCP_ACCESS_CLIENT_ID}",
            "CF-Access-Client-Secret": "${HARNESS_MCP_ACCESS_CLIENT_SECRET}",
          },
        },
      },
    });
  });

  it("Codex: the URL written out, the headers read from the variables (snapshot)", () => {
    const text = renderCodexMcpConfig("https://mcp.sodimo.eu/mcp", VARIABLES);
    expect(text).toMatchSnapshot();
    expect(parse(text)).toEqual({
      mcp_servers: {
        harness: {
          url: "https://mcp.sodimo.eu/mcp",
          env_http_headers: {
            "CF-Access-Client-Id": "HARNESS_MCP_ACCESS_CLIENT_ID",
            "CF-Access-Client-Secret": "HARNESS_MCP_ACCESS_CLIENT_SECRET",
          },
        },
      },
    });
  });

  it("refuses what is not a variable name or an http(s) URL, instead of writing it into the file", () => {
    expect(() => renderClaudeMcpConfig({ ...VARIABLES, clientSecret: 'X}"' })).toThrow(/is not an environment variable name/);
    expect(() => renderCodexMcpConfig('https://mcp.x/mcp"\n[evil]', VARIABLES)).toThrow(/is not an http\(s\) URL/);
    expect(() => renderCodexMcpConfig("file:///etc/passwd", VARIABLES)).toThrow(/is not an http\(s\) URL/);
  });
});
