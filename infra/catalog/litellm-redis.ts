import { generated } from "./secretValue";
import type { ServiceDefinition } from "./types";

/** LiteLLM's cache. The password reaches Redis through its environment, never its command line. */
export const litellmRedis: ServiceDefinition = () => ({
  name: "litellm-redis",
  description: "Redis cache for LiteLLM",
  image: "docker.io/library/redis:7-alpine",
  ports: [{ container: 6379, posture: "internal", purpose: "Redis" }],
  secretEnv: {
    REDIS_PASSWORD: generated("litellm-redis-password"),
    // redis-cli (the health check) reads its password from here.
    REDISCLI_AUTH: generated("litellm-redis-password"),
  },
  generatedSecrets: [{ name: "litellm-redis-password", description: "Password of LiteLLM's Redis." }],
  command: ["sh", "-c", 'exec redis-server --requirepass "$REDIS_PASSWORD" --save ""'],
  health: { command: ["CMD-SHELL", "redis-cli ping | grep -q PONG"], interval: "10s", timeout: "5s", retries: 5 },
  restart: "always",
});
