/**
 * `provided(...)` secrets of the catalogue that come from operator configuration: the scoped API
 * tokens of the host programs. Everything else provided — the tunnel token, the account, queue and
 * database ids — comes from the Cloudflare edge (EDGE_PROVIDED_SECRETS in ./edge).
 */
import type { ConfigKeyName } from "../../config/keys";

export const PROVIDED_SECRET_SOURCES: Readonly<Record<string, ConfigKeyName>> = {
  "email-drain-api-token": "emailDrainApiToken",
  "etl-d1-api-token": "etlApiToken",
};
