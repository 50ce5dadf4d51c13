import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { renderLitellmConfig, type LitellmConfig } from "./renderLitellmConfig";

const CONFIG: LitellmConfig = {
  models: [
    { alias: "local-task", model: "openai/qwen3-4b", apiBase: "http://llama-swap:8080/v1", apiKeyLiteral: "no-key-local-models" },
    {
      alias: "local-embeddings",
      model: "openai/qwen3-embedding",
      apiBase: "http://llama-swap:8080/v1",
      apiKeyLiteral: "no-key-local-models",
      mode: "embedding",
    },
    { alias: "claude-opus-4-7", model: "anthropic/claude-opus-4-7", apiKeyEnv: "ANTHROPIC_API_KEY" },
  ],
  masterKeyEnv: "LITELLM_MASTER_KEY",
  databaseUrlEnv: "DATABASE_URL",
  redis: { host: "litellm-redis", port: 6379, passwordEnv: "REDIS_PASSWORD" },
};

describe("renderLitellmConfig", () => {
  it("renders aliases, backends and environment references", () => {
    const text = renderLitellmConfig(CONFIG);
    expect(text).toMatchSnapshot();
    const parsed = parse(text) as {
      model_list: { model_name: string; litellm_params: Record<string, string>; model_info?: { mode: string } }[];
    };
    expect(parsed.model_list.map((m) => m.model_name)).toEqual(["local-task", "local-embeddings", "claude-opus-4-7"]);
    expect(parsed.model_list[1]!.model_info).toEqual({ mode: "embedding" });
    // A provider key is only ever a reference to LiteLLM's environment.
    expect(parsed.model_list[2]!.litellm_params.api_key).toBe("os.environ/ANTHROPIC_API_KEY");
    // Local models carry their own (non-secret) key, so LiteLLM never falls back to OPENAI_API_KEY for them.
    expect(parsed.model_list[0]!.litellm_params).toEqual({
      model: "openai/qwen3-4b",
      api_base: "http://llama-swap:8080/v1",
      api_key: "no-key-local-models",
    });
  });

  it("refuses a duplicate alias and a model with two keys", () => {
    expect(() => renderLitellmConfig({ ...CONFIG, models: [CONFIG.models[0]!, CONFIG.models[0]!] })).toThrow(
      "litellm.yaml: alias local-task is declared twice",
    );
    expect(() => renderLitellmConfig({ ...CONFIG, models: [{ ...CONFIG.models[2]!, apiKeyLiteral: "x" }] })).toThrow(
      /both an environment key and a literal key/,
    );
  });
});
