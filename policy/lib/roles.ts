/**
 * Which workloads play which part in Principle 3, and the names of the variables the rules are
 * about. These are the pack's own definitions: the policies never take the program's word for what
 * is allowed (a test checks that the program's gateway-key variables are among the ones accepted here).
 */
import { imageRepository } from "./images";
import type { RoleMatcher } from "./config";
import type { Workload } from "./workloads";

/** Paperclip and the agent CLIs it spawns (they inherit its whole environment). */
export const AGENT_RUNTIMES: RoleMatcher = { names: ["paperclip"], images: ["paperclip"] };
/** The model gateway: the only road to a model, the only holder of provider keys. */
export const GATEWAYS: RoleMatcher = { names: ["litellm"], images: ["berriai/litellm"] };
export const OPEN_WEBUI: RoleMatcher = { names: ["openwebui", "open-webui"], images: ["open-webui/open-webui"] };
export const LLAMA_SWAP: RoleMatcher = { names: ["llama-swap"], images: ["llama-swap"] };
export const MAIL_SERVERS: RoleMatcher = { names: ["postfix"], images: ["postfix"] };
/** The edge proxy the Tunnel hands every public hostname to (behind Access): Caddy. */
export const EDGE_PROXIES: RoleMatcher = { names: ["caddy"], images: ["library/caddy", "caddy"] };
/** The agents' egress proxy (Squid), their only road to the internet. */
export const EGRESS_PROXIES: RoleMatcher = { names: ["egress-proxy"], images: ["squid"] };

/** Hosts (besides the gateway workloads found in the stack) that are the model gateway. */
export const GATEWAY_HOSTS = ["litellm"];

/**
 * Provider credentials: the variables cloud model providers and their SDKs read a key, token or
 * account credential from. Any of them in an agent's environment puts a provider in the agent's hands.
 */
export const PROVIDER_CREDENTIAL_VARIABLES = [
  "ANTHROPIC_API_KEY",
  "ANTHROPIC_AUTH_TOKEN",
  "CLAUDE_API_KEY",
  "CLAUDE_CODE_OAUTH_TOKEN",
  "OPENAI_API_KEY",
  "OPENAI_API_KEYS",
  "OPENAI_ADMIN_KEY",
  "CODEX_API_KEY",
  "AZURE_OPENAI_API_KEY",
  "AZURE_API_KEY",
  "GEMINI_API_KEY",
  "GOOGLE_API_KEY",
  "GOOGLE_GENERATIVE_AI_API_KEY",
  "GOOGLE_APPLICATION_CREDENTIALS",
  "VERTEXAI_CREDENTIALS",
  "OPENROUTER_API_KEY",
  "MISTRAL_API_KEY",
  "GROQ_API_KEY",
  "XAI_API_KEY",
  "DEEPSEEK_API_KEY",
  "COHERE_API_KEY",
  "CO_API_KEY",
  "TOGETHER_API_KEY",
  "TOGETHERAI_API_KEY",
  "FIREWORKS_API_KEY",
  "PERPLEXITY_API_KEY",
  "PERPLEXITYAI_API_KEY",
  "CEREBRAS_API_KEY",
  "VOYAGE_API_KEY",
  "NVIDIA_API_KEY",
  "HUGGINGFACE_API_KEY",
  "HF_TOKEN",
  "REPLICATE_API_TOKEN",
  "AWS_ACCESS_KEY_ID",
  "AWS_SECRET_ACCESS_KEY",
  "AWS_SESSION_TOKEN",
  "AWS_BEARER_TOKEN_BEDROCK",
];

/**
 * The variables a gateway key may be given as, each with the base-URL variables that send it
 * somewhere: Claude Code sends ANTHROPIC_API_KEY (or ANTHROPIC_AUTH_TOKEN, as a bearer) to ANTHROPIC_BASE_URL; OpenAI SDKs
 * (codex, pi, OpenWebUI) send OPENAI_API_KEY to OPENAI_BASE_URL (OpenWebUI: OPENAI_API_BASE_URL).
 * A key in one of these variables is only ever sent to the gateway when its base URL is the gateway.
 */
export const GATEWAY_KEY_VARIABLES: Record<string, string[]> = {
  ANTHROPIC_API_KEY: ["ANTHROPIC_BASE_URL"],
  ANTHROPIC_AUTH_TOKEN: ["ANTHROPIC_BASE_URL"],
  OPENAI_API_KEY: ["OPENAI_BASE_URL", "OPENAI_API_BASE_URL", "OPENAI_API_BASE"],
  OPENAI_API_KEYS: ["OPENAI_API_BASE_URLS"],
};

/** The variable the gateway itself reads its own key from (LiteLLM's master key). */
export const GATEWAY_OWN_KEY_VARIABLES = ["LITELLM_MASTER_KEY"];

/** Model base-URL variables an agent CLI or SDK reads. */
export const MODEL_BASE_URL_VARIABLES = [
  "ANTHROPIC_BASE_URL",
  "ANTHROPIC_BEDROCK_BASE_URL",
  "ANTHROPIC_VERTEX_BASE_URL",
  "OPENAI_BASE_URL",
  "OPENAI_API_BASE",
  "OPENAI_API_BASE_URL",
  "AZURE_OPENAI_ENDPOINT",
  "GOOGLE_GEMINI_BASE_URL",
  "GEMINI_BASE_URL",
  "OPENROUTER_BASE_URL",
  "OLLAMA_HOST",
  "OLLAMA_BASE_URL",
  "LLAMA_SWAP_URL",
];

/** Switches that make Claude Code talk to a cloud directly, ignoring ANTHROPIC_BASE_URL. */
export const PROVIDER_SWITCH_VARIABLES = ["CLAUDE_CODE_USE_BEDROCK", "CLAUDE_CODE_USE_VERTEX", "CLAUDE_CODE_USE_FOUNDRY"];

export function hasRole(workload: Workload, matcher: RoleMatcher): boolean {
  if (matcher.names.includes(workload.name) || (workload.owner !== undefined && matcher.names.includes(workload.owner))) return true;
  const repository = typeof workload.image === "string" ? imageRepository(workload.image) : undefined;
  return repository !== undefined && matcher.images.some((pattern) => repository.toLowerCase().includes(pattern.toLowerCase()));
}

/**
 * Agent runtimes, and gateways that are not agent runtimes: a workload that looks like both is
 * treated as an agent, so that nothing escapes the agent rules by also calling itself a gateway.
 */
export function isAgentRuntime(workload: Workload, agents: RoleMatcher): boolean {
  return workload.target === "fly" ? true : hasRole(workload, agents);
}

export function isGateway(workload: Workload, gateways: RoleMatcher, agents: RoleMatcher): boolean {
  return !isAgentRuntime(workload, agents) && hasRole(workload, gateways);
}
