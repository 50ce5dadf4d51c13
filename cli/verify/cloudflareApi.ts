/**
 * The parts of Cloudflare's v4 API that `verify` reads, and the shape of each answer, as JSON Schemas
 * of the fields verify relies on (other fields are allowed). Written from Cloudflare's OpenAPI schema:
 * github.com/cloudflare/api-schemas openapi.json (snapshot 2ac8369e9b63, 2026-08-14; the index holds
 * it at 000680a73ec8), read through Cloudflare's generated TypeScript client
 * (cloudflare/cloudflare-typescript 02cf284c01a1, "generated from our OpenAPI spec by Stainless"):
 * src/resources/zero-trust/tunnels/cloudflared/configurations.ts (its get), …/cloudflared.ts (list
 * and its params), src/resources/dns/records.ts (list) and the Access applications' SelfHostedApplication
 * (`domain` and `type` required, `id`, `aud`, `policies`). Every answer is the common envelope
 * `{ success, errors, messages, result, result_info? }`. verify only ever GETs.
 */
export const CLOUDFLARE_API = "https://api.cloudflare.com/client/v4";

const message = { type: "object", required: ["code", "message"], properties: { code: { type: "integer" }, message: { type: "string" } } };

function envelope(result: object): object {
  return {
    type: "object",
    required: ["success", "errors", "messages", "result"],
    properties: {
      success: { type: "boolean" },
      errors: { type: "array", items: message },
      messages: { type: "array" },
      result,
      result_info: {
        type: "object",
        properties: { page: { type: "number" }, per_page: { type: "number" }, count: { type: "number" }, total_pages: { type: "number" } },
      },
    },
  };
}

/** A failed call: `success: false`, `result: null`, at least one error. */
export const FAILURE_SCHEMA = {
  type: "object",
  required: ["success", "errors", "messages", "result"],
  properties: {
    success: { const: false },
    errors: { type: "array", minItems: 1, items: message },
    messages: { type: "array" },
    result: { type: "null" },
  },
};

/** GET /zones/{zone_id}/dns_records?type=CNAME&name.exact=<hostname>. */
export const DNS_RECORDS_SCHEMA = envelope({
  type: "array",
  items: {
    type: "object",
    required: ["id", "name", "type", "content", "proxied"],
    properties: {
      id: { type: "string" },
      name: { type: "string" },
      type: { type: "string" },
      content: { type: "string" },
      proxied: { type: "boolean" },
      priority: { type: "number" },
    },
  },
});

/** GET /accounts/{account_id}/access/apps; paged. */
export const ACCESS_APPS_SCHEMA = envelope({
  type: "array",
  items: {
    type: "object",
    required: ["domain", "type"],
    properties: {
      id: { type: "string" },
      type: { type: "string" },
      domain: { type: "string" },
      name: { type: "string" },
      aud: { type: "string" },
      policies: { type: "array", items: { type: "object", properties: { id: { type: "string" }, name: { type: "string" } } } },
    },
  },
});

/** GET /accounts/{account_id}/cfd_tunnel?name=<name>&is_deleted=false. */
export const TUNNELS_SCHEMA = envelope({
  type: "array",
  items: {
    type: "object",
    required: ["id", "name"],
    properties: { id: { type: "string" }, name: { type: "string" }, deleted_at: { type: ["string", "null"] }, status: { type: "string" } },
  },
});

/** GET /accounts/{account_id}/cfd_tunnel/{tunnel_id}/configurations. */
export const TUNNEL_CONFIGURATION_SCHEMA = envelope({
  type: "object",
  properties: {
    tunnel_id: { type: "string" },
    version: { type: "number" },
    source: { enum: ["local", "cloudflare"] },
    config: {
      type: ["object", "null"],
      properties: {
        ingress: {
          type: "array",
          items: {
            type: "object",
            required: ["service"],
            properties: {
              hostname: { type: "string" },
              service: { type: "string" },
              path: { type: "string" },
              originRequest: {
                type: "object",
                properties: {
                  access: {
                    type: "object",
                    required: ["audTag", "teamName"],
                    properties: {
                      audTag: { type: "array", items: { type: "string" } },
                      teamName: { type: "string" },
                      required: { type: "boolean" },
                    },
                  },
                  httpHostHeader: { type: "string" },
                },
              },
            },
          },
        },
      },
    },
  },
});

export interface DnsRecord {
  id: string;
  name: string;
  type: string;
  content: string;
  proxied: boolean;
  /** MX records only. */
  priority?: number;
}
export interface AccessApp {
  id: string;
  domain?: string;
  name?: string;
  aud?: string;
  policies?: { id?: string; name?: string }[];
}
export interface Tunnel {
  id: string;
  name: string;
}
export interface TunnelConfiguration {
  config?: { ingress?: { hostname?: string; service: string; originRequest?: { access?: { audTag: string[] } } }[] } | null;
}
export interface Envelope<T> {
  success: boolean;
  errors: { code: number; message: string }[];
  result: T;
  result_info?: { page?: number; total_pages?: number };
}
