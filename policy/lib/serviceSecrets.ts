/**
 * Service secrets an agent must not hold: a database's credentials (a URL with a password, a
 * password variable) and the secrets that sign or check sessions and tokens. Paperclip passes its
 * whole environment to every agent CLI it spawns, so any of them there lets an agent read and
 * rewrite the orchestrator's database or forge its sessions and agent tokens.
 */

/** A connection URL carrying a password: `scheme://user:password@host`. */
const DATABASE_URL_WITH_PASSWORD =
  /\b(?:postgres(?:ql)?|mysql|mariadb|mongodb(?:\+srv)?|redis|rediss|amqps?|mssql|sqlserver|cockroachdb):\/\/[^\s:/@]*:[^\s@/]+@/i;

/** Variables that hold a database's connection string or password, whatever their value shows. */
export const DATABASE_CREDENTIAL_VARIABLES = [
  "DATABASE_URL",
  "DATABASE_PASSWORD",
  "DB_PASSWORD",
  "PGPASSWORD",
  "PG_PASSWORD",
  "POSTGRES_PASSWORD",
  "POSTGRES_URL",
  "MYSQL_PASSWORD",
  "MYSQL_ROOT_PASSWORD",
  "MARIADB_PASSWORD",
  "REDIS_PASSWORD",
  "REDIS_URL",
  "MONGODB_URI",
];

/** Variables that hold a secret that signs or checks sessions or tokens. */
export const AUTH_SECRET_VARIABLES = [
  "BETTER_AUTH_SECRET",
  "AUTH_SECRET",
  "NEXTAUTH_SECRET",
  "SESSION_SECRET",
  "JWT_SECRET",
  "COOKIE_SECRET",
];

/**
 * Names Paperclip's spawn path drops from the environment it hands an agent (paperclipai 2026.916.1,
 * docs/agent-environment.md): every `PAPERCLIP_*` name but these three. A server secret under such a
 * name stays with the server.
 */
const PAPERCLIP_NAMES_AGENTS_KEEP = ["PAPERCLIP_RUNTIME_API_URL", "PAPERCLIP_LISTEN_HOST", "PAPERCLIP_LISTEN_PORT"];

/** True when an agent Paperclip spawns inherits a server variable of this name. */
export function inheritedByAgents(name: string): boolean {
  return !name.startsWith("PAPERCLIP_") || PAPERCLIP_NAMES_AGENTS_KEEP.includes(name);
}

/** What kind of service secret a variable name is, matching listed names and `*_DB_PASSWORD` / `*_JWT_SECRET` ones. */
export function serviceSecretKindOfName(name: string, databaseNames: readonly string[], authNames: readonly string[]): string | undefined {
  const upper = name.toUpperCase();
  if (databaseNames.includes(upper) || /(^|_)(DB|DATABASE|PG|POSTGRES)_PASSWORD$/.test(upper)) return "a database credential";
  if (authNames.includes(upper) || /(^|_)JWT_SECRET$/.test(upper) || /(^|_)AUTH_SECRET$/.test(upper)) return "an auth secret";
  return undefined;
}

/** True when the text holds a connection URL with a password in it. */
export function hasDatabaseUrlWithPassword(text: string): boolean {
  return DATABASE_URL_WITH_PASSWORD.test(text);
}
