import { NIGHTLY } from "./backupPolicy";
import { MAIL_PORTS, mailSubmitter, submitterAddress, submitterPassword } from "./mail";
import { generated, operator, secretTemplate, type SecretValue } from "./secretValue";
import type { CatalogContext, ContainerService, ServiceDefinition } from "./types";

/** Twenty's image, fully qualified: short names fail non-interactive pulls (seeds). */
export const TWENTY_IMAGE = "docker.io/twentycrm/twenty:v2.0.0";
const PORT = 3000;
const STORAGE = "/app/packages/twenty-server/.local-storage";

/** Google sign-in is on when the operator configured both halves of the OAuth client. */
function googleSignIn(context: CatalogContext): boolean {
  return context.settings.googleOAuthClientId !== undefined && context.operatorKeys.has("googleOAuthClientSecret");
}

/** What the server and the worker share: database, queue, secrets, storage and mail settings. */
export function twentyShared(context: CatalogContext): Pick<ContainerService, "env" | "secretEnv" | "volumes" | "reaches" | "internet"> {
  const google = googleSignIn(context);
  const serverUrl = `https://${context.hostname("crm")}`;
  const secretEnv: Record<string, SecretValue> = {
    APP_SECRET: generated("twenty-app-secret"),
    PG_DATABASE_URL: secretTemplate`postgres://twenty:${generated("twenty-db-password")}@twenty-db:5432/twenty`,
    REDIS_URL: secretTemplate`redis://:${generated("twenty-redis-password")}@twenty-redis:6379`,
    EMAIL_SMTP_PASSWORD: submitterPassword("twenty"),
    ...(google ? { AUTH_GOOGLE_CLIENT_SECRET: operator("googleOAuthClientSecret") } : {}),
  };
  return {
    env: {
      SERVER_URL: serverUrl,
      STORAGE_TYPE: "local",
      AUTH_GOOGLE_ENABLED: google ? "true" : "false",
      ...(google
        ? { AUTH_GOOGLE_CLIENT_ID: context.settings.googleOAuthClientId!, AUTH_GOOGLE_CALLBACK_URL: `${serverUrl}/auth/google/redirect` }
        : {}),
      // Mail as people send it: Postfix's submission port on the mail network, with Twenty's own login.
      EMAIL_DRIVER: "smtp",
      EMAIL_SMTP_HOST: "postfix",
      EMAIL_SMTP_PORT: String(MAIL_PORTS.internalSubmission),
      EMAIL_SMTP_USER: mailSubmitter("twenty").login,
      EMAIL_FROM_ADDRESS: submitterAddress("twenty", context.domain),
      EMAIL_FROM_NAME: "CRM",
      EMAIL_SYSTEM_ADDRESS: submitterAddress("twenty", context.domain),
    },
    secretEnv,
    volumes: [{ kind: "volume", name: "twenty-data", mountPath: STORAGE, owner: { uid: 1000, gid: 1000 } }],
    reaches: ["twenty-db", "twenty-redis", "postfix"],
    internet: "Google sign-in and the integrations people connect",
  };
}

/** Twenty, the CRM: the server (UI, API, migrations). */
export const twenty: ServiceDefinition = (context) => {
  const shared = twentyShared(context);
  return {
    name: "twenty",
    description: "Twenty CRM server",
    image: TWENTY_IMAGE,
    ports: [{ container: PORT, posture: "cloudflared", purpose: "CRM UI + API" }],
    route: { subdomain: "crm", upstream: { port: PORT } },
    ...shared,
    env: { ...shared.env, NODE_PORT: String(PORT) },
    generatedSecrets: [
      { name: "twenty-app-secret", description: "APP_SECRET: signs Twenty's tokens; rotating it logs everyone out." },
      { name: mailSubmitter("twenty").passwordSecret, description: "Twenty's SMTP password (its SASL login on Postfix)." },
    ],
    dependsOn: ["twenty-db", "twenty-redis", "postfix"],
    health: {
      command: ["CMD", "curl", "--fail", "-s", `http://localhost:${PORT}/healthz`],
      interval: "30s",
      timeout: "10s",
      retries: 5,
      startPeriod: "120s",
    },
    restart: "always",
    // Uploaded files (the records are in twenty-db). The worker shares the volume; Twenty owns it.
    backup: { ...NIGHTLY, kind: "files", volumes: ["twenty-data"] },
  };
};
