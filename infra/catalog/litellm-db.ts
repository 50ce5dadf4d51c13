import { postgresService } from "./postgres";
import type { ServiceDefinition } from "./types";

/** LiteLLM's database (spend logs, keys); pgvector image as in the seeds. */
export const litellmDb: ServiceDefinition = () =>
  postgresService({
    name: "litellm-db",
    description: "PostgreSQL (pgvector) for LiteLLM",
    image: "docker.io/pgvector/pgvector:pg16",
    database: "litellm",
    user: "litellm",
    passwordSecret: "litellm-db-password",
  });
