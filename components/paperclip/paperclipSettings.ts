/**
 * The target-neutral model of what Paperclip needs (paperclip-upstream.md §2-§3, system.md §4.1):
 * one place, rendered for every target, so the four stacks cannot drift apart.
 * Pure functions only; secrets are passed in as opaque leaves of type `S`.
 */

import { PAPERCLIP_IMAGE, PAPERCLIP_RELEASE } from "./paperclipRelease";

/** Where upstream's image and CLI expect things (upstream Dockerfile ENV). */
export const PAPERCLIP_HOME = "/paperclip";
export const PAPERCLIP_INSTANCE_ID = "default";
export const PAPERCLIP_PORT = 3100;
/** The upstream image every container target runs (paperclipRelease.ts: one pin for image and npm). */
export const PAPERCLIP_UPSTREAM_IMAGE = PAPERCLIP_IMAGE;
export const PAPERCLIP_UPSTREAM_CALVER = PAPERCLIP_RELEASE.version;
/** The server entry point of the upstream image (its CMD, run from /app). */
export const PAPERCLIP_SERVER_COMMAND = ["--import", "./server/node_modules/tsx/dist/loader.mjs", "server/dist/index.js"] as const;

/**
 * Names of the secret environment variables the Paperclip server reads, by role. Paperclip hands its
 * environment to every agent it spawns, dropping only `PAPERCLIP_*` names (but three);
 * docs/agent-environment.md. So every server secret travels under a `PAPERCLIP_*` name, or in
 * config.json: none under a name an agent inherits.
 */
export const PAPERCLIP_SECRET_ENV = {
  /**
   * Signs sessions and agents' run tokens. The server takes the session secret from
   * BETTER_AUTH_SECRET, else this variable, and the run-token secret from this variable, else
   * BETTER_AUTH_SECRET; `paperclipai doctor` wants this one. BETTER_AUTH_SECRET would reach every
   * agent, so only this name is set and one value serves both. Rotating it logs everyone out.
   */
  authSecret: "PAPERCLIP_AGENT_JWT_SECRET",
  /** Encrypts secrets stored in Paperclip's database: losing it loses them. */
  secretsMasterKey: "PAPERCLIP_SECRETS_MASTER_KEY",
} as const;

/**
 * The database connection string is never in the server's environment (DATABASE_URL would reach
 * every agent): it is config.json's `database.connectionString`, which the server reads when
 * DATABASE_URL is unset and which `paperclipai doctor` reads anyway. Only one-shot commands that
 * spawn no agent (the Kubernetes first-admin Job) get it as this variable.
 */
export const DATABASE_URL_ENV = "DATABASE_URL";

/** A secret the stack generates (32 random bytes), by role: its name in the stack and what it is for. */
export interface PaperclipGeneratedSecret {
  role: "authSecret" | "secretsMasterKey";
  name: string;
  description: string;
  /** Losing it loses data: protected from deletion and replacement, never rotated by a token. */
  protect?: boolean;
}

/** The secrets every target generates for Paperclip, with the same names and descriptions everywhere. */
export const PAPERCLIP_GENERATED_SECRETS: readonly PaperclipGeneratedSecret[] = [
  {
    role: "authSecret",
    // The name it had as BETTER_AUTH_SECRET: the value stays, so sessions survive the rename.
    name: "paperclip-better-auth-secret",
    description: "PAPERCLIP_AGENT_JWT_SECRET: signs sessions and agents' run tokens; rotating it logs everyone out.",
  },
  {
    role: "secretsMasterKey",
    name: "paperclip-secrets-master-key",
    description: "PAPERCLIP_SECRETS_MASTER_KEY: encrypts secrets stored in Paperclip's database.",
    protect: true,
  },
];

/**
 * The variable holding the gateway's key for the agent CLIs that are told where to find it
 * (codex's provider entry in PAPERCLIP_CODEX_PROVIDERS names it as its `env_key`). Not
 * OPENAI_API_KEY: the server sends that one to api.openai.com to list codex models.
 */
export const GATEWAY_KEY_FOR_PROVIDERS_ENV = "GATEWAY_API_KEY";

/**
 * Every secret role and the variables it is delivered as. Each target maps these roles onto its own
 * mechanism (Podman secret, Fly secret, Kubernetes Secret); test/paperclipRoles.test.ts compares them.
 */
export const PAPERCLIP_SECRET_ROLES = {
  authSecret: [PAPERCLIP_SECRET_ENV.authSecret],
  secretsMasterKey: [PAPERCLIP_SECRET_ENV.secretsMasterKey],
  gatewayKey: ["ANTHROPIC_API_KEY", GATEWAY_KEY_FOR_PROVIDERS_ENV],
} as const;
export type PaperclipSecretRole = keyof typeof PAPERCLIP_SECRET_ROLES;

/**
 * The health probe every target uses. The hostname guard (private exposure) answers 403 to any Host
 * not allowed, probes included, so probes send `Host: localhost`; /api/health answers 503 while the
 * database is unreachable.
 */
export const PAPERCLIP_HEALTH = { path: "/api/health", hostHeader: "localhost" } as const;

/** The memory floor of the container Paperclip and its agent CLIs share: at 512 MiB the agent CLI is OOM-killed. */
export const PAPERCLIP_MIN_MEMORY_MIB = 1024;

/**
 * The first-admin bootstrap: upstream's `paperclipai auth bootstrap-ceo` prints a one-time invite
 * URL while no instance admin exists, but exits 0 even when it created none (no config, database
 * down), so every target runs it through a check of its output. Invites expire: the targets ask
 * for the longest upstream allows and renew it while no admin exists (fly: on every start; Kubernetes:
 * a weekly CronJob, components/kubernetes/PaperclipBootstrapJob.ts).
 */
export const PAPERCLIP_BOOTSTRAP = {
  /** Upstream's maximum (1..720 hours). */
  expiresHours: 720,
  /** What the command prints with a new invite, and when an admin already exists. */
  inviteLine: "Invite URL: ",
  adminExistsLine: "Instance already has an admin user",
} as const;

/**
 * The only model credential an agent holds is a gateway key (Principle 3). Claude Code sends
 * ANTHROPIC_API_KEY to ANTHROPIC_BASE_URL, and Paperclip bills a claude run as "api" only when
 * ANTHROPIC_API_KEY is set (as "subscription", cost 0, otherwise). Codex reads the same key from
 * GATEWAY_KEY_FOR_PROVIDERS_ENV. Always the gateway's key, never a provider's.
 */
export const GATEWAY_KEY_ENV = ["ANTHROPIC_API_KEY"] as const;
/** OPENAI_BASE_URL too, so that any OpenAI SDK an agent runs goes to the gateway, not api.openai.com. */
export const GATEWAY_URL_ENV = ["ANTHROPIC_BASE_URL", "OPENAI_BASE_URL"] as const;

/** The gateway's id in PAPERCLIP_CODEX_PROVIDERS (codex's `[model_providers.<id>]`). */
export const CODEX_GATEWAY_PROVIDER = "gateway";

/**
 * PAPERCLIP_CODEX_PROVIDERS: the codex adapter (server side, before spawning codex) writes these
 * providers into codex's config.toml (@paperclipai/adapter-codex-local, runtime-config); codex
 * ignores OPENAI_API_KEY from the environment at this release. The gateway speaks OpenAI's
 * Responses API under /v1.
 */
export function codexProviders(gatewayBaseUrl: string): string {
  return JSON.stringify({
    providers: {
      [CODEX_GATEWAY_PROVIDER]: {
        name: "Model gateway (LiteLLM)",
        base_url: `${gatewayBaseUrl.replace(/\/+$/, "")}/v1`,
        env_key: GATEWAY_KEY_FOR_PROVIDERS_ENV,
        wire_api: "responses",
      },
    },
    model_provider: CODEX_GATEWAY_PROVIDER,
  });
}

export interface PaperclipDeployment {
  /** The canonical URL users reach (https://paperclip.example.com). */
  publicUrl: string;
  /** `private` keeps the hostname guard (every Host must be allowed); `public` drops it. */
  exposure: "private" | "public";
  /** Host names allowed besides the public URL's host (private exposure). */
  extraAllowedHostnames?: readonly string[];
  /** Base URL of the model gateway (LiteLLM) that agents must use. */
  gatewayBaseUrl: string;
  /** Path of config.json inside the container. */
  configPath: string;
  /** Refuse self sign-up (the first admin comes from a bootstrap invite). Default: false. */
  disableSignUp?: boolean;
  storage?: PaperclipS3Storage;
}

/**
 * Names of the storage variables (server/src/storage). S3 credentials come from the AWS SDK's default
 * chain only (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY), so a target that keeps the bucket name or
 * endpoint in a Secret sets these names itself.
 */
export const PAPERCLIP_STORAGE_ENV = {
  provider: "PAPERCLIP_STORAGE_PROVIDER",
  bucket: "PAPERCLIP_STORAGE_S3_BUCKET",
  region: "PAPERCLIP_STORAGE_S3_REGION",
  endpoint: "PAPERCLIP_STORAGE_S3_ENDPOINT",
  prefix: "PAPERCLIP_STORAGE_S3_PREFIX",
  forcePathStyle: "PAPERCLIP_STORAGE_S3_FORCE_PATH_STYLE",
} as const;

/** The agent JWT secret variable (it is the auth secret: PAPERCLIP_SECRET_ENV.authSecret). */
export const PAPERCLIP_AGENT_JWT_SECRET_ENV = PAPERCLIP_SECRET_ENV.authSecret;

/** Upstream's instance directory and config path (`$PAPERCLIP_HOME/instances/<id>/config.json`). */
export const PAPERCLIP_INSTANCE_DIR = `${PAPERCLIP_HOME}/instances/${PAPERCLIP_INSTANCE_ID}`;
export const PAPERCLIP_DEFAULT_CONFIG_PATH = `${PAPERCLIP_INSTANCE_DIR}/config.json`;

/**
 * Where Paperclip keeps its data, written into config.json: left to defaults, storage, backups and
 * logs land in a hidden `$HOME/.paperclip/instances/default/…` tree beside the instance directory.
 */
export const PAPERCLIP_DATA_PATHS = {
  storage: `${PAPERCLIP_INSTANCE_DIR}/data/storage`,
  backups: `${PAPERCLIP_INSTANCE_DIR}/data/backups`,
  logs: `${PAPERCLIP_INSTANCE_DIR}/logs`,
} as const;

export interface PaperclipS3Storage {
  bucket: string;
  region: string;
  endpoint?: string;
  prefix?: string;
  forcePathStyle?: boolean;
}

export function hostOf(url: string): string {
  return new URL(url).hostname;
}

export function allowedHostnames(deployment: PaperclipDeployment): string[] {
  return [...new Set([hostOf(deployment.publicUrl), ...(deployment.extraAllowedHostnames ?? [])])];
}

/**
 * Plain (non-secret) server environment. Paperclip passes it to every agent it spawns (less
 * `PAPERCLIP_*`), so nothing secret is in it; the server's secrets are PAPERCLIP_SECRET_ENV.
 */
export function paperclipEnvironment(deployment: PaperclipDeployment): Record<string, string> {
  const env: Record<string, string> = {
    NODE_ENV: "production",
    HOME: PAPERCLIP_HOME,
    HOST: "0.0.0.0",
    PORT: String(PAPERCLIP_PORT),
    SERVE_UI: "true",
    PAPERCLIP_HOME,
    PAPERCLIP_INSTANCE_ID,
    PAPERCLIP_CONFIG: deployment.configPath,
    PAPERCLIP_DEPLOYMENT_MODE: "authenticated",
    PAPERCLIP_DEPLOYMENT_EXPOSURE: deployment.exposure,
    PAPERCLIP_PUBLIC_URL: deployment.publicUrl,
    PAPERCLIP_ALLOWED_HOSTNAMES: allowedHostnames(deployment).join(","),
    // A config file's `server.bind` beats HOST; say it in the environment too.
    PAPERCLIP_BIND: "lan",
    PAPERCLIP_TELEMETRY_DISABLED: "1",
    DO_NOT_TRACK: "1",
    PAPERCLIP_MIGRATION_AUTO_APPLY: "true",
    ANTHROPIC_BASE_URL: deployment.gatewayBaseUrl,
    OPENAI_BASE_URL: deployment.gatewayBaseUrl,
    // Read by the codex adapter inside the server; stripped from what codex itself inherits.
    PAPERCLIP_CODEX_PROVIDERS: codexProviders(deployment.gatewayBaseUrl),
  };
  if (deployment.disableSignUp) env.PAPERCLIP_AUTH_DISABLE_SIGN_UP = "true";
  if (deployment.storage) {
    env[PAPERCLIP_STORAGE_ENV.provider] = "s3";
    env[PAPERCLIP_STORAGE_ENV.bucket] = deployment.storage.bucket;
    env[PAPERCLIP_STORAGE_ENV.region] = deployment.storage.region;
    if (deployment.storage.endpoint) env[PAPERCLIP_STORAGE_ENV.endpoint] = deployment.storage.endpoint;
    if (deployment.storage.prefix) env[PAPERCLIP_STORAGE_ENV.prefix] = deployment.storage.prefix;
    if (deployment.storage.forcePathStyle) env[PAPERCLIP_STORAGE_ENV.forcePathStyle] = "true";
  }
  return env;
}

/**
 * The minimal valid config.json (`paperclipConfigSchema`): `$meta.version` 1 is required,
 * the connection string is `database.connectionString` (never `url`), and
 * `server.deploymentMode: authenticated` is what `paperclipai auth bootstrap-ceo` checks for.
 * Generic in the connection string so targets can pass a secret of their own kind.
 */
export function paperclipConfigDocument<S>(deployment: PaperclipDeployment, connectionString: S) {
  return configDocument(deployment, { mode: "postgres", connectionString } as const);
}

/**
 * The same document with no secret in it, for a ConfigMap: the Kubernetes init container copies it
 * to the volume and sets `database.connectionString` there from the password Secret.
 */
export function paperclipConfigDocumentWithoutSecrets(deployment: PaperclipDeployment) {
  return configDocument(deployment, { mode: "postgres" } as const);
}

function configDocument<D>(deployment: PaperclipDeployment, database: D) {
  return {
    // A fixed timestamp: the file must not change (and restart Paperclip) on every deployment.
    $meta: { version: 1, updatedAt: "2026-01-01T00:00:00.000Z", source: "configure" },
    database: {
      ...database,
      backup: { enabled: true, intervalMinutes: 60, retentionDays: 7, dir: PAPERCLIP_DATA_PATHS.backups },
    },
    logging: { mode: "file", logDir: PAPERCLIP_DATA_PATHS.logs },
    // The local-disk directory stays explicit with S3 too (the environment selects S3).
    storage: { provider: "local_disk", localDisk: { baseDir: PAPERCLIP_DATA_PATHS.storage } },
    server: {
      deploymentMode: "authenticated",
      exposure: deployment.exposure,
      bind: "lan",
      host: "0.0.0.0",
      port: PAPERCLIP_PORT,
      allowedHostnames: allowedHostnames(deployment),
      serveUi: true,
    },
    auth: {
      baseUrlMode: "explicit",
      publicBaseUrl: deployment.publicUrl,
      disableSignUp: deployment.disableSignUp ?? false,
    },
    telemetry: { enabled: false },
    // `paperclipai run` and `doctor` would ask registry.npmjs.org for a newer release; the image is
    // upgraded by the stack (docs/upgrades.md), never in place.
    updates: { checkEnabled: false },
  } as const;
}
