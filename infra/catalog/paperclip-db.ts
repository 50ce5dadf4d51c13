import { postgresService } from "./postgres";
import type { ServiceDefinition } from "./types";

/** Paperclip's PostgreSQL. Its migrations create pg_trgm, which the image's superuser may do. */
export const paperclipDb: ServiceDefinition = () => ({
  ...postgresService({
    name: "paperclip-db",
    description: "PostgreSQL for Paperclip",
    image: "docker.io/library/postgres:16",
    database: "paperclip",
    user: "paperclip",
    passwordSecret: "paperclip-db-password",
  }),
});
