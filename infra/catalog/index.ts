/**
 * The service catalogue: one file per harness service. Adding a service is adding its file and one
 * line here; the unit, secrets, route, tunnel rule, DNS record and Access gate follow from it.
 */
import { caddy } from "./caddy";
import { litellm } from "./litellm";
import { litellmDb } from "./litellm-db";
import { litellmRedis } from "./litellm-redis";
import { paperclip } from "./paperclip";
import { paperclipDb } from "./paperclip-db";
import type { ServiceDefinition } from "./types";

export const CATALOG: readonly ServiceDefinition[] = [
  caddy,
  litellm,
  litellmDb,
  litellmRedis,
  paperclip,
  paperclipDb,
];
