import { NIGHTLY } from "./backupPolicy";
import { MAIL_PORTS, mailSubmitter, submitterAddress, submitterPassword } from "./mail";
import { generated } from "./secretValue";
import type { ServiceDefinition } from "./types";

const PORT = 80;

/**
 * The password vault. Since Vaultwarden 1.31 its WebSocket notifications (`/notifications/hub`) are
 * served on the main port — the separate :3012 server of older releases is gone — and Caddy's
 * reverse_proxy upgrades WebSockets on the one route, so the seeds' second route to :3012 is not
 * needed (it would only fail).
 */
export const vaultwarden: ServiceDefinition = (context) => ({
  name: "vaultwarden",
  description: "Vaultwarden password vault",
  image: "docker.io/vaultwarden/server:1.32.7",
  ports: [{ container: PORT, posture: "cloudflared", purpose: "vault UI + API + WebSocket notifications" }],
  route: { subdomain: "vault", upstream: { port: PORT } },
  env: {
    DOMAIN: `https://${context.hostname("vault")}`,
    SIGNUPS_ALLOWED: "false",
    // Password resets and invitations through Postfix, with Vaultwarden's own login.
    SMTP_HOST: "postfix",
    SMTP_PORT: String(MAIL_PORTS.internalSubmission),
    SMTP_SECURITY: "off",
    SMTP_USERNAME: mailSubmitter("vaultwarden").login,
    SMTP_FROM: submitterAddress("vaultwarden", context.domain),
  },
  secretEnv: {
    // 32 random bytes as 64 hex characters.
    ADMIN_TOKEN: generated("vaultwarden-admin-token"),
    SMTP_PASSWORD: submitterPassword("vaultwarden"),
  },
  generatedSecrets: [
    { name: "vaultwarden-admin-token", description: "ADMIN_TOKEN: opens Vaultwarden's /admin page." },
    { name: mailSubmitter("vaultwarden").passwordSecret, description: "Vaultwarden's SMTP password (its SASL login on Postfix)." },
  ],
  volumes: [{ kind: "volume", name: "vaultwarden-data", mountPath: "/data" }],
  reaches: ["postfix"],
  internet: "site icons (Vaultwarden fetches them for the vault's entries)",
  dependsOn: ["postfix"],
  health: { command: ["CMD", "/healthcheck.sh"], interval: "30s", timeout: "10s", retries: 3, startPeriod: "30s" },
  restart: "always",
  // The seeds' nightly SQLite backup, made consistent (SQLite's online backup, not a file copy of a
  // database in WAL mode), with the attachments, sends and the RSA key beside it.
  backup: { ...NIGHTLY, kind: "sqlite", volume: "vaultwarden-data", database: "db.sqlite3" },
});
