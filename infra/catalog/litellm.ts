import { renderLitellmConfig, type LitellmModel } from "../../components/litellm/renderLitellmConfig";
import { LOCAL_MODELS, llamaSwapBaseUrl } from "./llama-swap";
import { generated, operator, secretTemplate } from "./secretValue";
import type { ServiceDefinition } from "./types";

export const LITELLM_PORT = 4000;
/** What every client of the gateway uses as its base URL (over its edge network to the gateway). */
export const litellmGatewayUrl = `http://litellm:${LITELLM_PORT}`;
/** LiteLLM requires its master key to start with "sk-". */
export const LITELLM_MASTER_KEY = secretTemplate`sk-${generated("litellm-master-key")}`;

/** Cloud models and the operator key each needs; only configured providers are listed. */
const CLOUD_MODELS: readonly (LitellmModel & { apiKeyEnv: string; configKey: string })[] = [
  { alias: "claude-opus-4-7", model: "anthropic/claude-opus-4-7", apiKeyEnv: "ANTHROPIC_API_KEY", configKey: "anthropicApiKey" },
  { alias: "gpt-5", model: "openai/gpt-5", apiKeyEnv: "OPENAI_API_KEY", configKey: "openaiApiKey" },
];

/**
 * The local models under their gateway aliases. llama-swap checks no key, but LiteLLM must be given
 * one: without it LiteLLM falls back to OPENAI_API_KEY from its environment and would send the cloud
 * key to llama-swap.
 */
const LOCAL_GATEWAY_MODELS: readonly LitellmModel[] = LOCAL_MODELS.flatMap((m) =>
  m.gatewayAlias
    ? [
        {
          alias: m.gatewayAlias,
          model: `openai/${m.id}`,
          apiBase: llamaSwapBaseUrl,
          apiKeyLiteral: "no-key-local-models",
          ...(m.mode ? { mode: m.mode } : {}),
        },
      ]
    : [],
);

/** The model gateway: the only road to any model, and the only holder of cloud provider keys. */
export const litellm: ServiceDefinition = (context) => {
  const cloudModels = CLOUD_MODELS.filter((m) => context.operatorKeys.has(m.configKey));
  return {
    name: "litellm",
    description: "LiteLLM model gateway",
    image: "ghcr.io/berriai/litellm:v1.108.5",
    ports: [
      {
        container: LITELLM_PORT,
        host: LITELLM_PORT,
        posture: "internal",
        purpose: "OpenAI/Anthropic-compatible API; on the host for the fly target's tailnet route (docs/fly.md)",
      },
    ],
    reaches: ["litellm-db", "litellm-redis", "llama-swap"],
    internet: "the cloud model providers' APIs",
    env: { REDIS_HOST: "litellm-redis", REDIS_PORT: "6379", STORE_MODEL_IN_DB: "False" },
    secretEnv: {
      LITELLM_MASTER_KEY,
      LITELLM_SALT_KEY: secretTemplate`sk-${generated("litellm-salt-key")}`,
      DATABASE_URL: secretTemplate`postgres://litellm:${generated("litellm-db-password")}@litellm-db:5432/litellm`,
      REDIS_PASSWORD: generated("litellm-redis-password"),
      // Cloud provider keys live here and nowhere else (Principle 3).
      ...Object.fromEntries(cloudModels.map((m) => [m.apiKeyEnv, operator(m.configKey, { optional: true })])),
    },
    generatedSecrets: [
      {
        name: "litellm-master-key",
        description: "LITELLM_MASTER_KEY: admin key of the gateway; only LiteLLM and litellm-keys hold it (clients get virtual keys).",
      },
      {
        name: "litellm-salt-key",
        description: "LITELLM_SALT_KEY: encrypts provider credentials stored in LiteLLM's database; never rotate it.",
        protect: true,
      },
    ],
    configFiles: [
      {
        name: "litellm.yaml",
        mountPath: "/app/config.yaml",
        content: renderLitellmConfig({
          models: [...LOCAL_GATEWAY_MODELS, ...cloudModels.map(({ alias, model, apiKeyEnv }) => ({ alias, model, apiKeyEnv }))],
          masterKeyEnv: "LITELLM_MASTER_KEY",
          databaseUrlEnv: "DATABASE_URL",
          redis: { host: "litellm-redis", port: 6379, passwordEnv: "REDIS_PASSWORD" },
        }),
      },
    ],
    command: ["--config", "/app/config.yaml", "--port", String(LITELLM_PORT)],
    dependsOn: ["litellm-db", "litellm-redis", "llama-swap"],
    health: {
      // The image has Python but not curl.
      command: [
        "CMD",
        "python3",
        "-c",
        `import urllib.request; urllib.request.urlopen("http://127.0.0.1:${LITELLM_PORT}/health/liveliness")`,
      ],
      interval: "30s",
      timeout: "10s",
      retries: 3,
      startPeriod: "60s",
    },
    restart: "always",
  };
};
