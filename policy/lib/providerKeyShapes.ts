/**
 * Model-provider credentials recognised by the shape of the value, whatever variable, header or file
 * holds it: a provider key renamed to `MY_TOKEN` or pasted into `ANTHROPIC_CUSTOM_HEADERS` is still a
 * provider key in an agent's hands. Only formats with a distinctive prefix or marker are listed, so a
 * random gateway key (`sk-` and 64 hex, docs/policies.md) never matches; 32-hex keys (Azure OpenAI)
 * and bare alphanumeric ones (Mistral, Cohere, Together) have no such shape and are caught by name only.
 */

export interface ProviderKeyShape {
  provider: string;
  pattern: RegExp;
}

export const PROVIDER_KEY_SHAPES: readonly ProviderKeyShape[] = [
  { provider: "Anthropic", pattern: /\bsk-ant-(?:api|oat|admin)\d\d-[A-Za-z0-9_-]{20,}/ },
  { provider: "OpenAI", pattern: /\bsk-(?:proj|svcacct|admin)-[A-Za-z0-9_-]{20,}/ },
  // Legacy OpenAI keys carry "T3BlbkFJ", base64 of "OpenAI", in the middle.
  { provider: "OpenAI", pattern: /\bsk-[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20}\b/ },
  { provider: "OpenRouter", pattern: /\bsk-or-v1-[0-9a-f]{64}\b/ },
  { provider: "DeepSeek", pattern: /\bsk-[0-9a-f]{32}\b/ },
  { provider: "Google (Gemini/Vertex API key)", pattern: /\bAIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])/ },
  { provider: "Google (service account key)", pattern: /"type"\s*:\s*"service_account"/ },
  { provider: "AWS (Bedrock)", pattern: /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/ },
  { provider: "Groq", pattern: /\bgsk_[A-Za-z0-9]{40,}\b/ },
  { provider: "xAI", pattern: /\bxai-[A-Za-z0-9]{60,}\b/ },
  { provider: "Perplexity", pattern: /\bpplx-[A-Za-z0-9]{40,}\b/ },
  { provider: "Hugging Face", pattern: /\bhf_[A-Za-z0-9]{30,}\b/ },
  { provider: "Replicate", pattern: /\br8_[A-Za-z0-9]{30,}\b/ },
  { provider: "Fireworks", pattern: /\bfw_[A-Za-z0-9]{20,}\b/ },
];

/** The provider whose key format `text` contains, if any. Never returns the key itself. */
export function providerKeyShapeIn(text: string): string | undefined {
  return PROVIDER_KEY_SHAPES.find((shape) => shape.pattern.test(text))?.provider;
}
