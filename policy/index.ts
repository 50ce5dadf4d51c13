/**
 * The paperclip-harness policy pack. This module only constructs the pack: constructing it starts
 * the analyzer's gRPC server (one pack per process), so the policies live in their own modules and
 * tests and `npm run check` import those instead. Run it with
 *   pulumi preview --stack <stack> --policy-pack policy
 */
import { PolicyPack } from "@pulumi/policy";
import { PACK_NAME, POLICIES } from "./policies";

new PolicyPack(PACK_NAME, {
  policies: POLICIES,
  enforcementLevel: "mandatory",
  description:
    "Principle 3 (agents reach models and mail only through the gateways a human would use) and the seeds' hardening lessons, judged on every target's leaf resources.",
});
