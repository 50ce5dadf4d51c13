import { pilerGate } from "./piler";
import { NIGHTLY } from "./backupPolicy";
import { generated } from "./secretValue";
import type { ServiceDefinition } from "./types";

/** Piler's MariaDB (the sidecar the seeds lacked); off with Piler. */
export const pilerMysql: ServiceDefinition = (context) => ({
  name: "piler-mysql",
  description: "MariaDB for Piler",
  image: "docker.io/library/mariadb:11.4.5",
  gate: pilerGate(context),
  ports: [{ container: 3306, posture: "internal", purpose: "MySQL" }],
  env: { MARIADB_DATABASE: "piler", MARIADB_USER: "piler" },
  secretEnv: {
    MARIADB_PASSWORD: generated("piler-mysql-password"),
    MARIADB_ROOT_PASSWORD: generated("piler-mysql-root-password"),
  },
  generatedSecrets: [
    { name: "piler-mysql-password", description: "Password of piler on piler-mysql." },
    { name: "piler-mysql-root-password", description: "Root password of piler-mysql." },
  ],
  volumes: [{ kind: "volume", name: "piler-mysql-data", mountPath: "/var/lib/mysql" }],
  command: ["--character-set-server=utf8mb4", "--collation-server=utf8mb4_unicode_ci"],
  health: {
    command: ["CMD", "healthcheck.sh", "--connect", "--innodb_initialized"],
    interval: "10s",
    timeout: "5s",
    retries: 5,
    startPeriod: "30s",
  },
  restart: "always",
  backup: { ...NIGHTLY, kind: "mariadb", database: "piler", passwordEnv: "MARIADB_ROOT_PASSWORD" },
});
