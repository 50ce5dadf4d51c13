import { redisService } from "./redis";
import type { ServiceDefinition } from "./types";

/** LiteLLM's cache. */
export const litellmRedis: ServiceDefinition = () =>
  redisService({ name: "litellm-redis", description: "Redis cache for LiteLLM", passwordSecret: "litellm-redis-password" });
