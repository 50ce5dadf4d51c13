import { redisService } from "./redis";
import type { ServiceDefinition } from "./types";

/** OpenWebUI's websocket manager and cache. */
export const openwebuiRedis: ServiceDefinition = () =>
  redisService({ name: "openwebui-redis", description: "Redis for OpenWebUI", passwordSecret: "openwebui-redis-password" });
