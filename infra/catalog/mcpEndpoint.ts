/**
 * What an agent runtime gets for the company's MCP endpoint (the Worker on `mcp.<domain>`,
 * apps/mcp-worker): its URL and the agents' Access service token, the one credential that endpoint
 * takes from a machine. Kept apart from Paperclip's own settings, which Paperclip's entry spreads in.
 *
 * The pinned Paperclip's adapters write no MCP configuration of their own (docs/mcp-endpoint.md): an
 * agent's CLI is pointed at the endpoint through the agent's own settings, with headers that name
 * these variables.
 */
import { MCP_PATH } from "../../apps/mcp-worker/src/env";
import type { CatalogContext } from "./types";
import { provided, type SecretValue } from "./secretValue";

/** The endpoint's subdomain; its Worker is served there (a Workers custom domain), not through the Tunnel. */
export const MCP_SUBDOMAIN = "mcp";

/** Names of the variables, as an agent's MCP configuration refers to them (`${HARNESS_MCP_URL}` …). */
export const MCP_ENDPOINT_ENV = {
  url: "HARNESS_MCP_URL",
  clientId: "HARNESS_MCP_ACCESS_CLIENT_ID",
  clientSecret: "HARNESS_MCP_ACCESS_CLIENT_SECRET",
} as const;

/** The endpoint's URL: not a secret. */
export function mcpEndpointEnvironment(context: Pick<CatalogContext, "hostname">): Record<string, string> {
  return { [MCP_ENDPOINT_ENV.url]: `https://${context.hostname(MCP_SUBDOMAIN)}${MCP_PATH}` };
}

/** The agents' service token, provided by the Cloudflare edge (infra/targets/fedora/edge.ts), delivered as Podman secrets. */
export const MCP_ENDPOINT_SECRET_ENV: Readonly<Record<string, SecretValue>> = {
  [MCP_ENDPOINT_ENV.clientId]: provided("mcp-service-token-client-id"),
  [MCP_ENDPOINT_ENV.clientSecret]: provided("mcp-service-token-client-secret"),
};
