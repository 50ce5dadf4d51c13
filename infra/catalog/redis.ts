import { generated } from "./secretValue";
import type { ContainerService } from "./types";

export interface RedisSidecar {
  name: string;
  description: string;
  /** Name of the generated secret that is the password; the app composes its URL from it. */
  passwordSecret: string;
  /** Extra redis-server options (for example BullMQ's `--maxmemory-policy noeviction`). */
  options?: readonly string[];
}

/**
 * A Redis sidecar as the harness's apps use it: a generated password that reaches Redis through its
 * environment (never its command line), no persistence (a cache and a queue broker that apps refill),
 * reachable only by the services that declare it in `reaches`.
 */
export function redisService(sidecar: RedisSidecar): ContainerService {
  const options = sidecar.options ?? [];
  if (options.some((o) => !/^--?[a-z0-9-]+$|^[a-z0-9-]+$/.test(o)))
    throw new Error(`redis ${sidecar.name}: invalid option in ${options.join(" ")}`);
  return {
    name: sidecar.name,
    description: sidecar.description,
    image: "docker.io/library/redis:7-alpine",
    ports: [{ container: 6379, posture: "internal", purpose: "Redis" }],
    secretEnv: {
      REDIS_PASSWORD: generated(sidecar.passwordSecret),
      // redis-cli (the health check) reads its password from here.
      REDISCLI_AUTH: generated(sidecar.passwordSecret),
    },
    generatedSecrets: [{ name: sidecar.passwordSecret, description: `Password of ${sidecar.name}.` }],
    command: ["sh", "-c", `exec redis-server --requirepass "$REDIS_PASSWORD" --save ""${options.map((o) => ` ${o}`).join("")}`],
    health: { command: ["CMD-SHELL", "redis-cli ping | grep -q PONG"], interval: "10s", timeout: "5s", retries: 5 },
    restart: "always",
  };
}
