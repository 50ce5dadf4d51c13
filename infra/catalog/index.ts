// Generated from the files of infra/catalog by `npm run generate` (cli/catalogIndex.ts); do not edit by hand.
/**
 * The service catalogue: one file per harness service, every file of this folder that exports a
 * ServiceDefinition. The unit, secrets, route, tunnel rule, DNS record and Access gate follow from it.
 */
import { caddy } from "./caddy";
import { cloudflared } from "./cloudflared";
import { cockpit } from "./cockpit";
import { dovecot } from "./dovecot";
import { egressProxy } from "./egress-proxy";
import { emailDrain } from "./email-drain";
import { litellmDb } from "./litellm-db";
import { litellmKeys } from "./litellm-keys";
import { litellmRedis } from "./litellm-redis";
import { litellm } from "./litellm";
import { llamaSwap } from "./llama-swap";
import { openwebuiDb } from "./openwebui-db";
import { openwebuiRedis } from "./openwebui-redis";
import { openwebui } from "./openwebui";
import { paperclipDb } from "./paperclip-db";
import { paperclip } from "./paperclip";
import { pilerMysql } from "./piler-mysql";
import { piler } from "./piler";
import { postfix } from "./postfix";
import { rspamd } from "./rspamd";
import { sodiwinEtl } from "./sodiwin-etl";
import { twentyDb } from "./twenty-db";
import { twentyRedis } from "./twenty-redis";
import { twentyWorker } from "./twenty-worker";
import { twenty } from "./twenty";
import { vaultwarden } from "./vaultwarden";
import type { ServiceDefinition } from "./types";

export const CATALOG: readonly ServiceDefinition[] = [
  caddy,
  cloudflared,
  cockpit,
  dovecot,
  egressProxy,
  emailDrain,
  litellmDb,
  litellmKeys,
  litellmRedis,
  litellm,
  llamaSwap,
  openwebuiDb,
  openwebuiRedis,
  openwebui,
  paperclipDb,
  paperclip,
  pilerMysql,
  piler,
  postfix,
  rspamd,
  sodiwinEtl,
  twentyDb,
  twentyRedis,
  twentyWorker,
  twenty,
  vaultwarden,
];
