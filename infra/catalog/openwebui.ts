import { NIGHTLY } from "./backupPolicy";
import { litellmGatewayUrl } from "./litellm";
import { OPENWEBUI_GATEWAY_KEY } from "./litellm-keys";
import { generated, secretTemplate } from "./secretValue";
import type { ServiceDefinition } from "./types";

const PORT = 8080;
const REDIS_URL = secretTemplate`redis://:${generated("openwebui-redis-password")}@openwebui-redis:6379/0`;

/**
 * The chat UI for people (agents use Paperclip). LiteLLM is its only model backend — chat and
 * document embeddings alike — never llama-swap or a provider directly. Behind Access and with its own
 * login (docs/fedora.md §OpenWebUI): a trusted identity header would be forgeable by anything that
 * reaches Caddy, Paperclip included, so OpenWebUI checks its own accounts.
 */
export const openwebui: ServiceDefinition = (context) => ({
  name: "openwebui",
  description: "OpenWebUI chat",
  image: "ghcr.io/open-webui/open-webui:v0.8.5@sha256:2deb90b0423473d8f97febced2e62b8fd898aa3eb61877bb3aa336370214c258",
  // Not published on the host: only through Caddy, behind Access.
  ports: [{ container: PORT, posture: "cloudflared", purpose: "chat UI" }],
  reaches: ["litellm", "openwebui-db", "openwebui-redis"],
  internet: "web search and the pages a person asks it to fetch",
  route: { subdomain: "chat", upstream: { port: PORT } },
  env: {
    WEBUI_URL: `https://${context.hostname("chat")}`,
    OPENAI_API_BASE_URL: litellmGatewayUrl,
    ENABLE_OLLAMA_API: "false",
    // Its own login; the admin creates the accounts (no sign-up), and anyone added otherwise waits
    // for approval.
    WEBUI_AUTH: "true",
    ENABLE_SIGNUP: "false",
    DEFAULT_USER_ROLE: "pending",
    // Blank engines: no local speech models, no calls to a speech provider (seeds, D-097).
    AUDIO_STT_ENGINE: "",
    AUDIO_TTS_ENGINE: "",
    // Retrieval embeddings through the gateway too, stored in the pgvector database.
    RAG_EMBEDDING_ENGINE: "openai",
    RAG_EMBEDDING_MODEL: "local-embeddings",
    RAG_OPENAI_API_BASE_URL: litellmGatewayUrl,
    VECTOR_DB: "pgvector",
    ENABLE_WEBSOCKET_SUPPORT: "true",
    WEBSOCKET_MANAGER: "redis",
  },
  secretEnv: {
    WEBUI_SECRET_KEY: generated("openwebui-secret-key"),
    // Its own scoped virtual key (litellm-keys), not the gateway's master key (issue 20).
    OPENAI_API_KEY: OPENWEBUI_GATEWAY_KEY,
    RAG_OPENAI_API_KEY: OPENWEBUI_GATEWAY_KEY,
    DATABASE_URL: secretTemplate`postgresql://openwebui:${generated("openwebui-db-password")}@openwebui-db:5432/openwebui`,
    REDIS_URL,
    WEBSOCKET_REDIS_URL: REDIS_URL,
  },
  generatedSecrets: [{ name: "openwebui-secret-key", description: "WEBUI_SECRET_KEY: signs OpenWebUI's sessions." }],
  volumes: [{ kind: "volume", name: "openwebui-data", mountPath: "/app/backend/data" }],
  dependsOn: ["openwebui-db", "openwebui-redis", "litellm", "litellm-keys"],
  health: {
    command: ["CMD", "curl", "-fsS", `http://127.0.0.1:${PORT}/health`],
    interval: "30s",
    timeout: "10s",
    retries: 3,
    startPeriod: "120s",
  },
  restart: "always",
  // Uploaded files (chats and embeddings are in openwebui-db).
  backup: { ...NIGHTLY, kind: "files", volumes: ["openwebui-data"] },
});
