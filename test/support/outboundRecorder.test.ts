/** The judge of recorded traffic (outboundProblems) on records like those it was built from. */
import { describe, expect, it } from "vitest";
import { type OutboundRecord, outboundProblems } from "./outboundRecorder";

const rule = {
  gateway: new URL("https://gw.example.net:8443"),
  gatewayKey: "sk-gateway-key",
  secrets: { GATEWAY_API_KEY: "sk-gateway-key", PAPERCLIP_AGENT_JWT_SECRET: "jwt-secret-value" },
  paperclip: new URL("https://paperclip.example.net"),
  proxy: "http://egress-proxy:3128",
};
const http = (tls: string | undefined, port: number, method: string, target: string, headers: Record<string, string>): OutboundRecord => ({
  kind: "http",
  tls,
  port,
  method,
  target,
  headers,
});

describe("outboundProblems", () => {
  it("passes the gateway with its key, Paperclip itself with a run token, and a lookup of the proxy", () => {
    const records: OutboundRecord[] = [
      { kind: "dns", name: "gw.example.net", type: 1 },
      { kind: "dns", name: "egress-proxy", type: 1 },
      { kind: "tls", name: "gw.example.net", port: 8443 },
      http("gw.example.net", 8443, "POST", "/v1/messages", { host: "gw.example.net:8443", "x-api-key": "sk-gateway-key" }),
      http(undefined, 3128, "CONNECT", "paperclip.example.net:443", { host: "paperclip.example.net:443" }),
      http("paperclip.example.net", 443, "POST", "/mcp/runtime-tools", {
        host: "paperclip.example.net",
        authorization: "Bearer run-token",
      }),
    ];
    expect(outboundProblems(records, rule)).toEqual([]);
  });

  it("names the gateway key sent elsewhere, a foreign destination, a lookup, a secret in a header and a wrong key", () => {
    const records: OutboundRecord[] = [
      { kind: "dns", name: "api.anthropic.com", type: 1 },
      http("api.anthropic.com", 443, "GET", "/api/claude_cli/bootstrap", { host: "api.anthropic.com", "x-api-key": "sk-gateway-key" }),
      http(undefined, 3128, "CONNECT", "api.openai.com:443", { host: "api.openai.com:443" }),
      http("gw.example.net", 8443, "POST", "/v1/messages", { host: "gw.example.net:8443", "x-api-key": "sk-other" }),
      http("paperclip.example.net", 443, "POST", "/api/x", { host: "paperclip.example.net", "x-debug": "jwt-secret-value" }),
    ];
    expect(outboundProblems(records, rule)).toEqual([
      "DNS lookup of api.anthropic.com",
      "request GET /api/claude_cli/bootstrap (to api.anthropic.com:443)",
      "x-api-key of GET /api/claude_cli/bootstrap (to api.anthropic.com:443) holds GATEWAY_API_KEY",
      "credential x-api-key sent with GET /api/claude_cli/bootstrap (to api.anthropic.com:443)",
      "request CONNECT api.openai.com:443 (to api.openai.com:443)",
      "x-api-key of POST /v1/messages (to gw.example.net:8443) is not the gateway key",
      "x-debug of POST /api/x (to paperclip.example.net:443) holds PAPERCLIP_AGENT_JWT_SECRET",
    ]);
  });

  it("with credentialsOnly, judges credentials and secrets but not destinations", () => {
    const records: OutboundRecord[] = [
      { kind: "dns", name: "api.anthropic.com", type: 1 },
      http("api.anthropic.com", 443, "HEAD", "/api/hello", { host: "api.anthropic.com" }),
      http("api.anthropic.com", 443, "GET", "/x", { host: "api.anthropic.com", authorization: "Bearer sk-gateway-key" }),
    ];
    expect(outboundProblems(records, { ...rule, credentialsOnly: true })).toEqual([
      "authorization of GET /x (to api.anthropic.com:443) holds GATEWAY_API_KEY",
      "credential authorization sent with GET /x (to api.anthropic.com:443)",
    ]);
  });
});
