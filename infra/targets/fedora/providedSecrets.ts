/**
 * Where the `provided(...)` secrets of the catalogue come from. They are what the Cloudflare edge
 * produces (the tunnel token, queue and database ids, scoped API tokens); until its components
 * provide them, each one is an operator credential (infra/config/keys/edgeInputs.ts).
 */
import type { ConfigKeyName } from "../../config/keys";

export const PROVIDED_SECRET_SOURCES: Readonly<Record<string, ConfigKeyName>> = {
  "cloudflare-tunnel-token": "cloudflareTunnelToken",
  "cloudflare-account-id": "cloudflareAccountId",
  "email-outbox-queue-id": "emailOutboxQueueId",
  "email-dlq-queue-id": "emailDeadLetterQueueId",
  "email-drain-api-token": "emailDrainApiToken",
  "etl-d1-database-id": "etlD1DatabaseId",
  "etl-d1-api-token": "etlApiToken",
};
