import { redisService } from "./redis";
import type { ServiceDefinition } from "./types";

/** Twenty's job queue (BullMQ), which must never evict a key. */
export const twentyRedis: ServiceDefinition = () =>
  redisService({
    name: "twenty-redis",
    description: "Redis queue for Twenty",
    passwordSecret: "twenty-redis-password",
    options: ["--maxmemory-policy", "noeviction"],
  });
