/**
 * The MCP Worker: one remote MCP server over Streamable HTTP at `/mcp`, stateless (a fresh server and
 * transport per request, JSON responses, no session), so it runs in plain workerd without Durable
 * Objects. Every request carries an Access token, verified here before anything else.
 */
import type { ExecutionContext } from "@cloudflare/workers-types/2023-07-01";
import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
import { verifyAccessToken } from "./accessJwt";
import { callerFromClaims } from "./caller";
import { MCP_PATH, type McpWorkerEnv } from "./env";
import { buildMcpServer } from "./mcpServer";
import { SenderRules } from "./senderRules";

function refuse(status: number, reason: string): Response {
  // The reason names what failed (missing, expired, wrong audience…), never the token itself.
  console.warn(JSON.stringify({ msg: "request refused", status, reason }));
  return Response.json({ error: reason }, { status });
}

export default {
  async fetch(request: Request, env: McpWorkerEnv, ctx: ExecutionContext): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname !== MCP_PATH) return new Response(`not found; the MCP endpoint is ${MCP_PATH}\n`, { status: 404 });

    const token = await verifyAccessToken(request, env.ACCESS_ISSUER, env.ACCESS_AUD);
    if (!token.ok) return refuse(token.status, token.reason);

    const rules = SenderRules.parse(env.SENDER_RULES);
    if (!rules.ok) {
      console.error(JSON.stringify({ msg: "SENDER_RULES is invalid", reason: rules.reason }));
      return Response.json(
        { error: "the endpoint is misconfigured (sender rules); the operator has been told in the Worker's logs" },
        { status: 500 },
      );
    }
    const identified = callerFromClaims(token.claims, (clientId) => rules.rules.actorOf(clientId));
    if (!identified.ok) return refuse(403, identified.reason);

    const server = buildMcpServer(identified.caller, {
      db: env.DB,
      outbox: env.OUTBOX,
      rules: rules.rules,
      producerKey: env.EMAIL_PRODUCER_KEY,
    });
    // Stateless: no session id, so any instance can serve any request.
    const transport = new WebStandardStreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    await server.connect(transport);
    const response = await transport.handleRequest(request);
    ctx.waitUntil(server.close());
    return response;
  },
};
