import { postgresService } from "./postgres";
import type { ServiceDefinition } from "./types";

/** OpenWebUI's database, also its vector store (pgvector). */
export const openwebuiDb: ServiceDefinition = () =>
  postgresService({
    name: "openwebui-db",
    description: "PostgreSQL (pgvector) for OpenWebUI",
    image: "docker.io/pgvector/pgvector:pg16",
    database: "openwebui",
    user: "openwebui",
    passwordSecret: "openwebui-db-password",
  });
