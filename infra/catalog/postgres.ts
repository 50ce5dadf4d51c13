import { NIGHTLY } from "./backupPolicy";
import { generated } from "./secretValue";
import type { BackupPolicy, ContainerService } from "./types";

export interface PostgresSidecar {
  name: string;
  description: string;
  image: string;
  database: string;
  user: string;
  /** Name of the generated secret that is the password; the app composes its URL from it. */
  passwordSecret: string;
  /** How its dump is kept. Default: nightly (backupPolicy.ts). */
  backup?: BackupPolicy;
}

/**
 * A PostgreSQL sidecar as every app of the harness uses it: its own volume, a generated password,
 * reachable only by the services that declare it in `reaches`, healthy once it accepts connections (dependents wait for that).
 */
export function postgresService(sidecar: PostgresSidecar): ContainerService {
  return {
    name: sidecar.name,
    description: sidecar.description,
    image: sidecar.image,
    ports: [{ container: 5432, posture: "internal", purpose: "PostgreSQL" }],
    env: { POSTGRES_USER: sidecar.user, POSTGRES_DB: sidecar.database, PGDATA: "/var/lib/postgresql/data/pgdata" },
    secretEnv: { POSTGRES_PASSWORD: generated(sidecar.passwordSecret) },
    generatedSecrets: [{ name: sidecar.passwordSecret, description: `Password of ${sidecar.user} on ${sidecar.name}.` }],
    volumes: [{ kind: "volume", name: `${sidecar.name}-data`, mountPath: "/var/lib/postgresql/data" }],
    health: {
      command: ["CMD", "pg_isready", "-U", sidecar.user, "-d", sidecar.database],
      interval: "10s",
      timeout: "5s",
      retries: 5,
      startPeriod: "30s",
    },
    restart: "always",
    backup: { ...(sidecar.backup ?? NIGHTLY), kind: "postgres", database: sidecar.database, user: sidecar.user },
  };
}
