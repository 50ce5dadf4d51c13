/**
 * LiteLLM's proxy config (litellm.yaml): the model aliases agents and people ask for, mapped to the
 * backends only LiteLLM may reach. Credentials are never written here: `os.environ/NAME` makes
 * LiteLLM read them from its (secret) environment.
 */
import { stringify } from "yaml";

export interface LitellmModel {
  /** The alias clients use (`local-task`, `claude-opus-4-7`). */
  alias: string;
  /** LiteLLM's provider-qualified model (`openai/qwen3-4b`, `anthropic/claude-opus-4-7`). */
  model: string;
  /** Backend base URL, for self-hosted OpenAI-compatible servers (llama-swap). */
  apiBase?: string;
  /** Environment variable holding the provider key, read by LiteLLM at run time. */
  apiKeyEnv?: string;
  /**
   * A literal, non-secret key for a backend that checks none. Set it for self-hosted backends: without
   * one LiteLLM falls back to OPENAI_API_KEY from its environment and would send the cloud key there.
   */
  apiKeyLiteral?: string;
  /** `embedding` for embedding models (LiteLLM routes /embeddings to them). */
  mode?: "chat" | "embedding";
}

export interface LitellmConfig {
  models: readonly LitellmModel[];
  masterKeyEnv: string;
  databaseUrlEnv: string;
  redis?: { host: string; port: number; passwordEnv: string };
}

export function renderLitellmConfig(config: LitellmConfig): string {
  const aliases = new Set<string>();
  for (const m of config.models) {
    if (aliases.has(m.alias)) throw new Error(`litellm.yaml: alias ${m.alias} is declared twice`);
    aliases.add(m.alias);
    if (m.apiKeyEnv && m.apiKeyLiteral) throw new Error(`litellm.yaml: ${m.alias} has both an environment key and a literal key`);
  }
  const document = {
    model_list: config.models.map((m) => ({
      model_name: m.alias,
      litellm_params: {
        model: m.model,
        ...(m.apiBase ? { api_base: m.apiBase } : {}),
        ...(m.apiKeyEnv ? { api_key: `os.environ/${m.apiKeyEnv}` } : {}),
        ...(m.apiKeyLiteral ? { api_key: m.apiKeyLiteral } : {}),
      },
      ...(m.mode ? { model_info: { mode: m.mode } } : {}),
    })),
    general_settings: {
      master_key: `os.environ/${config.masterKeyEnv}`,
      database_url: `os.environ/${config.databaseUrlEnv}`,
    },
    litellm_settings: {
      drop_params: true,
      ...(config.redis
        ? {
            cache: true,
            cache_params: {
              type: "redis",
              host: config.redis.host,
              port: config.redis.port,
              password: `os.environ/${config.redis.passwordEnv}`,
            },
          }
        : {}),
    },
  };
  return `# Managed by paperclip-harness (Pulumi).\n${stringify(document, { lineWidth: 0 })}`;
}
