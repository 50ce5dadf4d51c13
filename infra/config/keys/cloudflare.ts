/**
 * The Cloudflare edge of the `fedora` stack (system.md §5): the account and zone it lives in, the API
 * token Pulumi and the D1 migrations use, who Access lets through, and where the weekly dead-letter
 * summary goes. Rules that need two keys at once (at least one identity) are checked by the edge plan.
 */
import { z } from "zod";
import { dnsLabel, dnsName, isDnsName } from "../formats";
import { key } from "../keySpec";

const CLOUDFLARE_ID = /^[0-9a-f]{32}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** Go's time.Duration syntax, which Access parses (`300ms`, `2h45m`); at least one non-zero amount. */
const DURATION = /^(?:\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h))+$/;
/** The account-wide Global API Key: 37 lower-case hex characters. It can do anything; a scoped token cannot. */
const GLOBAL_API_KEY = /^[0-9a-f]{37}$/;

const cloudflareId = (what: string, where: string) =>
  z.string().regex(CLOUDFLARE_ID, { error: `expected the ${what}: 32 lower-case hex characters (${where})` });

/** An email address whose domain is a DNS name; enough to catch typos, the drain validates the rest. */
export function isEmailAddress(value: string): boolean {
  const at = value.lastIndexOf("@");
  if (at <= 0 || at > 64) return false;
  return /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+$/.test(value.slice(0, at)) && isDnsName(value.slice(at + 1));
}

const emailAddress = z.string().refine(isEmailAddress, { error: 'expected an email address such as "admin@example.com"' });

export const cloudflareKeys = {
  cloudflareAccountId: key({
    kind: "string",
    description: "Cloudflare account that holds the Tunnel, Access applications, Queues, D1 databases and the Worker.",
    targets: ["fedora"],
    required: true,
    schema: cloudflareId("account id", "dashboard → Account home → Account ID"),
  }),
  cloudflareZoneId: key({
    kind: "string",
    description: "Cloudflare zone of `domain`, where the proxied CNAME of every public hostname is created.",
    targets: ["fedora"],
    required: true,
    schema: cloudflareId("zone id", "dashboard → the domain's Overview → Zone ID"),
  }),
  cloudflareApiToken: key({
    kind: "string",
    description:
      "Scoped Cloudflare API token for Pulumi and the D1 migrations: Account · Cloudflare Tunnel, Access: Apps and Policies, Queues, D1, Workers Scripts (Edit); Zone · DNS (Edit).",
    targets: ["fedora"],
    required: true,
    secret: true,
    schema: z
      .string()
      .refine((v) => !/\s/.test(v), { error: "expected an API token (no spaces or line breaks)" })
      .refine((v) => !GLOBAL_API_KEY.test(v), {
        error: "looks like the account's Global API Key; create a scoped API token instead",
      }),
  }),
  cloudflareAccessTeam: key({
    kind: "string",
    description:
      "Zero Trust team name, the first label of `<team>.cloudflareaccess.com`; cloudflared checks every request's Access token against it.",
    targets: ["fedora"],
    required: true,
    schema: z
      .string()
      .refine((v) => !v.endsWith(".cloudflareaccess.com"), {
        error: 'expected the team name only, such as "sodimo" for sodimo.cloudflareaccess.com',
      })
      .pipe(dnsLabel),
    example: "sodimo",
  }),
  accessEmailDomains: key({
    kind: "array",
    items: "string",
    description:
      "Email domains Access lets through on every public hostname. With accessIdentityProviderId, users need both; alone it needs accessDomainOnlyReason.",
    targets: ["fedora"],
    schema: z
      .array(dnsName, { error: "expected a list of email domains such as [sodimo.eu]" })
      .min(1, { error: "expected at least one email domain; remove the key to use accessIdentityProviderId alone" })
      .refine((domains) => new Set(domains).size === domains.length, { error: "expected each domain once" }),
    example: "[sodimo.eu, sodimonet.fr]",
  }),
  accessIdentityProviderId: key({
    kind: "string",
    description:
      "Id of the Google Workspace identity provider in Zero Trust: Access requires a login through it (and offers no other). Required unless accessDomainOnlyReason says why the gate is domain-only.",
    targets: ["fedora"],
    schema: z.string().regex(UUID, {
      error: "expected the identity provider's id, a UUID (Zero Trust → Settings → Authentication → the provider)",
    }),
  }),
  accessDomainOnlyReason: key({
    kind: "string",
    description:
      "Why Access admits accessEmailDomains through any login method the account offers (a one-time PIN to the address included) instead of requiring accessIdentityProviderId. Without an identity provider the stack refuses to plan unless this is set.",
    targets: ["fedora"],
    schema: z.string().trim().min(20, { error: "expected a sentence saying why the gate may be domain-only (at least 20 characters)" }),
    example: "No Google Workspace yet; one-time PINs to company mailboxes only, until 2027-03.",
  }),
  accessSessionDuration: key({
    kind: "string",
    description: "How long an Access login lasts on the public hostnames (Go duration such as 24h or 30m).",
    targets: ["fedora"],
    default: "24h",
    schema: z
      .string()
      .refine((v) => DURATION.test(v) && /[1-9]/.test(v), {
        error: 'expected a non-zero duration such as "24h", "30m" or "2h45m" (units: ns, us, ms, s, m, h)',
      })
      .default("24h"),
  }),
  deadLetterSummaryTo: key({
    kind: "string",
    description: "Who receives the weekly summary of undeliverable mail (`email_dlq`). Default: `admin@<domain>`.",
    targets: ["fedora"],
    schema: emailAddress,
  }),
  deadLetterSummaryFrom: key({
    kind: "string",
    description:
      "Sender of the weekly summary: the one address the email drain lets the dead-letter Worker send as. Default: `harness@<domain>`.",
    targets: ["fedora"],
    schema: emailAddress,
  }),
  mcpAgentSenders: key({
    kind: "array",
    items: "string",
    description:
      "Addresses Paperclip's agents may send as through the MCP endpoint's email_send tool (exact addresses, each in mailDomains). Default: `[agents@<domain>]` (the first mail domain when the domain is not one).",
    targets: ["fedora"],
    schema: z
      .array(emailAddress, { error: "expected a list of email addresses such as [agents@sodimo.eu]" })
      .min(1, { error: "expected at least one address; agents send mail only through this endpoint" })
      .refine((senders) => new Set(senders).size === senders.length, { error: "expected each address once" }),
    example: "[agents@sodimo.eu]",
  }),
};
