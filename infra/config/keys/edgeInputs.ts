/**
 * Scoped Cloudflare API tokens the operator creates for the host programs (the email drain and the
 * nightly ETL): each may do one thing, so neither can touch the rest of the account. The Tunnel token,
 * account, queue and database ids come from the Cloudflare edge itself (infra/targets/fedora/edge.ts).
 */
import { z } from "zod";
import { key } from "../keySpec";

const credential = (description: string) => key({ kind: "string", description, targets: ["fedora"], secret: true, schema: z.string() });

export const edgeInputKeys = {
  emailDrainApiToken: credential("Cloudflare API token of the email drain (Queues consumer scope only)."),
  etlApiToken: credential("Cloudflare API token of the nightly ETL (D1 write scope only)."),
};
