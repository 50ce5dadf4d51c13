/** Configuration properties several policies share, each with its default (the pack's definitions in roles.ts). */
import type { PolicyConfigJSONSchema } from "@pulumi/policy/schema";
import { roleSchema, stringList } from "./config";
import {
  AGENT_RUNTIMES,
  EDGE_PROXIES,
  EGRESS_PROXIES,
  GATEWAY_HOSTS,
  GATEWAY_KEY_VARIABLES,
  GATEWAY_OWN_KEY_VARIABLES,
  GATEWAYS,
  LLAMA_SWAP,
  MAIL_SERVERS,
  OPEN_WEBUI,
  PROVIDER_CREDENTIAL_VARIABLES,
} from "./roles";

type Defaulted = PolicyConfigJSONSchema & { default: unknown };

export const agentRuntimesProperty: Defaulted = roleSchema(
  "Agent runtimes (Paperclip and the CLIs it spawns), by container/workload name or image repository substring. Every Fly app is one.",
  AGENT_RUNTIMES,
);
export const gatewaysProperty: Defaulted = roleSchema(
  "The model gateway (LiteLLM), by container/workload name or image repository substring.",
  GATEWAYS,
);
export const openWebUiProperty: Defaulted = roleSchema("OpenWebUI, by container/workload name or image repository substring.", OPEN_WEBUI);
export const llamaSwapProperty: Defaulted = roleSchema(
  "llama-swap (the local model server), by container/workload name or image repository substring.",
  LLAMA_SWAP,
);
export const mailServersProperty: Defaulted = roleSchema(
  "Mail servers agents must not reach (Postfix), by container/workload name or image repository substring.",
  MAIL_SERVERS,
);

export const edgeProxiesProperty: Defaulted = roleSchema(
  "The edge proxy behind Access that routes every public hostname (Caddy), by container name or image repository substring.",
  EDGE_PROXIES,
);

export const gatewayHostsProperty: Defaulted = stringList(
  "Host names of the gateway besides the gateway workloads found in the stack (for a gateway outside the stack, e.g. llm.example.com). A name also matches as a Kubernetes Service name (name.namespace[.svc[.cluster.local]]).",
  GATEWAY_HOSTS,
);

export const providerCredentialVariablesProperty: Defaulted = stringList(
  "Environment variables that hold a model provider's credential.",
  PROVIDER_CREDENTIAL_VARIABLES,
);

export const gatewayKeyVariablesProperty: Defaulted = {
  type: "object",
  description: "Credential variables that may hold the gateway's key, each with the base-URL variables that must send it to the gateway.",
  additionalProperties: { type: "array", items: { type: "string", minLength: 1 }, minItems: 1 },
  default: structuredClone(GATEWAY_KEY_VARIABLES),
};

export const gatewayOwnKeyVariablesProperty: Defaulted = stringList(
  "Variables the gateway reads its own key from.",
  GATEWAY_OWN_KEY_VARIABLES,
);

export const gatewayKeySourcePatternProperty: Defaulted = {
  type: "string",
  minLength: 1,
  description:
    "For a gateway outside the stack (Kubernetes): a regular expression a Secret name or external-store key must match to be accepted as the gateway's key.",
  default: "(^|[-_./])(litellm|gateway)([-_./]|$)",
};

export const egressProxiesProperty: Defaulted = roleSchema(
  "The agents' egress proxy (Squid), by container/workload name or image repository substring.",
  EGRESS_PROXIES,
);
