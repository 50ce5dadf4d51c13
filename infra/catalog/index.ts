/**
 * The service catalogue: one file per harness service. Adding a service is adding its file and one
 * line here; the unit, secrets, route, tunnel rule, DNS record and Access gate follow from it.
 */
import { caddy } from "./caddy";
import { cloudflared } from "./cloudflared";
import { cockpit } from "./cockpit";
import { dovecot } from "./dovecot";
import { egressProxy } from "./egress-proxy";
import { emailDrain } from "./email-drain";
import { litellm } from "./litellm";
import { litellmDb } from "./litellm-db";
import { litellmRedis } from "./litellm-redis";
import { llamaSwap } from "./llama-swap";
import { openwebui } from "./openwebui";
import { openwebuiDb } from "./openwebui-db";
import { openwebuiRedis } from "./openwebui-redis";
import { paperclip } from "./paperclip";
import { paperclipDb } from "./paperclip-db";
import { piler } from "./piler";
import { pilerMysql } from "./piler-mysql";
import { postfix } from "./postfix";
import { rspamd } from "./rspamd";
import { sodiwinEtl } from "./sodiwin-etl";
import { twenty } from "./twenty";
import { twentyDb } from "./twenty-db";
import { twentyRedis } from "./twenty-redis";
import { twentyWorker } from "./twenty-worker";
import type { ServiceDefinition } from "./types";
import { vaultwarden } from "./vaultwarden";

export const CATALOG: readonly ServiceDefinition[] = [
  caddy,
  litellm,
  litellmDb,
  litellmRedis,
  paperclip,
  paperclipDb,
  egressProxy,
  cockpit,
  openwebui,
  openwebuiDb,
  openwebuiRedis,
  llamaSwap,
  twenty,
  twentyWorker,
  twentyDb,
  twentyRedis,
  vaultwarden,
  postfix,
  dovecot,
  rspamd,
  piler,
  pilerMysql,
  sodiwinEtl,
  cloudflared,
  emailDrain,
];
