import { NIGHTLY } from "./backupPolicy";
import { generated } from "./secretValue";
import type { CatalogContext, ServiceDefinition, ServiceGate } from "./types";

const PORT = 80;
/** piler's own SMTP listener, where Postfix sends the archive copy. */
export const PILER_SMTP_PORT = 25;

/** The archive must wait until every employee has been told (CNIL): the operator confirms it. */
export function pilerGate(context: CatalogContext): ServiceGate {
  return {
    enabled: context.settings.pilerTransparencyNoticeConfirmed,
    reason: "the mail archive stays off until the employee-transparency notice is confirmed",
    key: "pilerTransparencyNoticeConfirmed",
  };
}

/** The address Postfix copies every message to (piler archives whatever it receives). */
export function pilerArchiveAddress(context: CatalogContext): string {
  return `archive@${context.hostname("archive")}`;
}

/**
 * Piler, the full-text mail archive. The seeds' setup stalled at boot ("MYSQL localhost not ready"):
 * the image expects an external MySQL, so piler-mysql is its sidecar and MYSQL_HOSTNAME names it.
 */
export const piler: ServiceDefinition = (context) => ({
  name: "piler",
  description: "Piler mail archive",
  image: "docker.io/sutoj/piler:1.4.5",
  gate: pilerGate(context),
  ports: [
    { container: PORT, posture: "cloudflared", purpose: "archive UI" },
    { container: PILER_SMTP_PORT, posture: "internal", purpose: "archive copies from Postfix (their edge network)" },
  ],
  route: { subdomain: "archive", upstream: { port: PORT } },
  env: {
    PILER_HOSTNAME: context.hostname("archive"),
    MYSQL_HOSTNAME: "piler-mysql",
    MYSQL_DATABASE: "piler",
    MYSQL_USER: "piler",
  },
  secretEnv: { MYSQL_PASSWORD: generated("piler-mysql-password") },
  volumes: [
    { kind: "volume", name: "piler-etc", mountPath: "/etc/piler" },
    { kind: "volume", name: "piler-data", mountPath: "/var/piler" },
  ],
  reaches: ["piler-mysql"],
  dependsOn: ["piler-mysql"],
  health: {
    command: ["CMD", "curl", "-s", `smtp://localhost:${PILER_SMTP_PORT}/`],
    interval: "30s",
    timeout: "5s",
    retries: 3,
    startPeriod: "60s",
  },
  restart: "always",
  // The archive and its configuration, which holds piler.key: without the key the archive is unreadable.
  backup: { ...NIGHTLY, kind: "files", volumes: ["piler-etc", "piler-data"] },
});
