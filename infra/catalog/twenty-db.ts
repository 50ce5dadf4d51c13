import { postgresService } from "./postgres";
import type { ServiceDefinition } from "./types";

export const twentyDb: ServiceDefinition = () =>
  postgresService({
    name: "twenty-db",
    description: "PostgreSQL for Twenty",
    image: "docker.io/library/postgres:16",
    database: "twenty",
    user: "twenty",
    passwordSecret: "twenty-db-password",
  });
