/**
 * What is where on the Fly machine: the volume, the image's own paths, PostgreSQL and Tailscale.
 * Declared once here; the Dockerfile, fly.toml, the seed config.json and the start script's
 * environment are all rendered from these values, so they cannot disagree.
 */
import { PAPERCLIP_HOME, PAPERCLIP_INSTANCE_ID } from "../paperclip/paperclipSettings";

/** The one volume, mounted over Paperclip's home (upstream's image keeps everything there). */
export const FLY_VOLUME = { name: "paperclip_data", mountPath: PAPERCLIP_HOME } as const;

/**
 * Paths in the image, outside the volume: the mounted volume hides whatever the image put under
 * /paperclip, so the seed config waits here and the start script copies it on first boot.
 */
export const FLY_IMAGE_PATHS = {
  seedConfig: "/etc/paperclip/config.json",
  startScript: "/usr/local/bin/paperclip-start",
} as const;

/** Where Paperclip reads its config: its instance directory on the volume. */
export const PAPERCLIP_CONFIG_PATH = `${PAPERCLIP_HOME}/instances/${PAPERCLIP_INSTANCE_ID}/config.json`;

/** Tailscale's state directory (`tailscaled --statedir`) on the volume, so the node survives restarts. */
export const TAILSCALE_STATE_DIR = `${PAPERCLIP_HOME}/tailscale`;

/**
 * System PostgreSQL inside the machine. It listens on loopback only; its Unix socket lives in a
 * directory only the postgres user can enter, which is why local connections may be trusted.
 * trixie ships PostgreSQL 17: the image pins that major so the data on the volume always matches.
 */
export const FLY_POSTGRES = {
  major: 17,
  host: "127.0.0.1",
  port: 5432,
  user: "paperclip",
  database: "paperclip",
  dataDir: `${PAPERCLIP_HOME}/postgres`,
  socketDir: "/var/run/postgresql",
} as const;

/**
 * The connection string of the seed config.json. It has no password, because the image must hold
 * none: the start script writes the URL with the generated password into the copy on the volume.
 */
export function seedConnectionString(): string {
  return `postgres://${FLY_POSTGRES.user}@${FLY_POSTGRES.host}:${FLY_POSTGRES.port}/${FLY_POSTGRES.database}`;
}

/** Secrets the start script itself reads (Paperclip's own are in paperclipSettings). */
export const START_SCRIPT_SECRET_ENV = {
  /** Reusable Tailscale auth key; the script removes it from the environment before Paperclip starts. */
  tailscaleAuthKey: "TAILSCALE_AUTH_KEY",
  /**
   * Password of the paperclip database role; the script puts it into config.json and removes it.
   * Under a PAPERCLIP_* name so that Paperclip's spawn path would drop it from agents' environment even if it stayed.
   */
  postgresPassword: "PAPERCLIP_HARNESS_PG_PASSWORD",
} as const;

/**
 * The start script's plain settings (fly.toml [env]). The script has no value of its own: it reads
 * these, so a test can run it against a temporary "volume" by changing them, and nothing differs.
 */
export function startScriptEnvironment(): Record<string, string> {
  return {
    HARNESS_SEED_CONFIG: FLY_IMAGE_PATHS.seedConfig,
    HARNESS_TAILSCALE_STATE_DIR: TAILSCALE_STATE_DIR,
    HARNESS_PG_DATA: FLY_POSTGRES.dataDir,
    HARNESS_PG_SOCKET_DIR: FLY_POSTGRES.socketDir,
    HARNESS_PG_HOST: FLY_POSTGRES.host,
    HARNESS_PG_PORT: String(FLY_POSTGRES.port),
    HARNESS_PG_USER: FLY_POSTGRES.user,
    HARNESS_PG_DATABASE: FLY_POSTGRES.database,
  };
}
