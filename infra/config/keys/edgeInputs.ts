/**
 * Values the Cloudflare edge (system.md §5) produces, taken from the operator until the edge
 * components provide them: the tunnel token for the host's cloudflared, the queue and D1 identifiers
 * and scoped API tokens for the email drain and the nightly ETL. Each one fills a `provided(...)`
 * secret of the catalogue (see infra/targets/fedora/providedSecrets.ts).
 */
import { z } from "zod";
import { key } from "../keySpec";

const credential = (description: string) =>
  key({ kind: "string", description, targets: ["fedora"], secret: true, schema: z.string() });

export const edgeInputKeys = {
  cloudflareTunnelToken: credential("Token of the named Cloudflare Tunnel, run by the host's cloudflared unit."),
  cloudflareAccountId: credential("Cloudflare account id, for the email drain's and the ETL's API calls."),
  emailOutboxQueueId: credential("Id of the email_outbox Queue the email drain consumes."),
  emailDeadLetterQueueId: credential("Id of the email_dlq Queue the email drain sends undeliverable messages to."),
  emailDrainApiToken: credential("Cloudflare API token of the email drain (Queues consumer scope only)."),
  etlD1DatabaseId: credential("Id of the D1 database the nightly ETL loads the Sodiwin dump into."),
  etlApiToken: credential("Cloudflare API token of the nightly ETL (D1 write scope only)."),
};
