/**
 * Settings of the Fedora harness's services (system.md §4): mail, the mail archive, Twenty's Google
 * sign-in, and the extra Podman networks that isolate mail and the local models.
 */
import { z } from "zod";
import { key } from "../keySpec";
import { dnsName, egressHostPattern, ipv4Cidr, isDnsName } from "../formats";
import { parseMailUsers, renderDovecotUsers } from "../../../components/mail/dovecotUsers";

/** The pasted mailbox list, validated and rendered into the passwd-file Dovecot reads (docs/mail.md). */
const mailUsersFile = z.string().transform((text, context) => {
  const parsed = parseMailUsers(text);
  if (parsed.ok) return renderDovecotUsers(parsed.users);
  for (const problem of parsed.problems) context.addIssue({ code: "custom", message: problem });
  return z.NEVER;
});

export const harnessKeys = {
  mailDomains: key({
    kind: "array",
    items: "string",
    description: "Domains Postfix receives mail for and accepts as senders on submission. Default: the stack's domain only.",
    targets: ["fedora"],
    schema: z.array(dnsName, { error: "expected a list of DNS names" }).min(1, { error: "expected at least one domain" }).optional(),
    example: "[sodimo.eu, sodimonet.fr, yallafood.eu, cavisteduliban.fr]",
  }),
  mailHostname: key({
    kind: "string",
    description: "Public name of the mail host (MX target, Postfix myhostname, TLS certificate name). Default: mail.<domain>.",
    targets: ["fedora"],
    schema: dnsName.optional(),
  }),
  mailMxPriority: key({
    kind: "integer",
    description:
      "Priority of the MX record the stack publishes for each mail domain in its zone (lower is tried first; the only MX, so it matters only beside another).",
    targets: ["fedora"],
    default: 10,
    schema: z
      .number({ error: "expected a whole number from 0 to 65535" })
      .int({ error: "expected a whole number from 0 to 65535" })
      .min(0, { error: "expected a whole number from 0 to 65535" })
      .max(65535, { error: "expected a whole number from 0 to 65535" })
      .default(10),
  }),
  mailSpfAll: key({
    kind: "string",
    description:
      "How the SPF record (`v=spf1 mx …`) ends: `-all` (default) fails mail from any host but the MX, `~all` only soft-fails it (while another service still sends for the domain).",
    targets: ["fedora"],
    default: "-all",
    schema: z.enum(["-all", "~all"], { error: 'expected "-all" or "~all"' }).default("-all"),
  }),
  mailDmarcPolicy: key({
    kind: "string",
    description:
      "DMARC policy for mail that fails DKIM and SPF alignment: none, quarantine (default: the spam folder, recoverable) or reject (docs/mail.md §DNS).",
    targets: ["fedora"],
    default: "quarantine",
    schema: z.enum(["none", "quarantine", "reject"], { error: 'expected "none", "quarantine" or "reject"' }).default("quarantine"),
  }),
  mailDmarcReportAddress: key({
    kind: "string",
    description: "Address receivers send DMARC aggregate reports to (`rua=mailto:`). Default: no reports.",
    targets: ["fedora"],
    schema: z
      .string()
      .regex(/^[a-z0-9._+-]+@[a-z0-9.-]+$/, { error: 'expected a lower-case address such as "dmarc@example.com" (no , ; ! or spaces)' })
      .refine((v) => isDnsName(v.slice(v.lastIndexOf("@") + 1)), { error: 'expected a lower-case address such as "dmarc@example.com"' })
      .optional(),
  }),
  mailTlsCertificate: key({
    kind: "string",
    description:
      "PEM certificate chain for mailHostname, used by Postfix (STARTTLS, submissions) and Dovecot (IMAP). Required while postfix or dovecot is enabled.",
    targets: ["fedora"],
    secret: true,
    schema: z.string(),
  }),
  mailTlsPrivateKey: key({
    kind: "string",
    description: "PEM private key of mailTlsCertificate. Required while postfix or dovecot is enabled.",
    targets: ["fedora"],
    secret: true,
    schema: z.string(),
  }),
  mailUsers: key({
    kind: "string",
    description:
      "The mailboxes: one `address:{SHA512-CRYPT}$6$…` line per user (the address, a colon, then what `doveadm pw -s SHA512-CRYPT` prints); blank and `#` lines are ignored, so a comment alone means no mailbox yet. Required while dovecot is enabled.",
    targets: ["fedora"],
    secret: true,
    schema: mailUsersFile,
    offlineStandIn: (standIn) => `# ${standIn}`,
  }),
  mailNetworkSubnet: key({
    kind: "string",
    description: "An address block the fedora networks' subnets are carved from (docs/fedora.md §Networks).",
    targets: ["fedora"],
    default: "10.89.1.0/24",
    schema: ipv4Cidr.default("10.89.1.0/24"),
  }),
  agentsNetworkSubnet: key({
    kind: "string",
    description: "An address block the fedora networks' subnets are carved from (docs/fedora.md §Networks).",
    targets: ["fedora"],
    default: "10.89.3.0/24",
    schema: ipv4Cidr.default("10.89.3.0/24"),
  }),
  egressNetworkSubnet: key({
    kind: "string",
    description: "An address block the fedora networks' subnets are carved from (docs/fedora.md §Networks).",
    targets: ["fedora"],
    default: "10.89.4.0/24",
    schema: ipv4Cidr.default("10.89.4.0/24"),
  }),
  egressAllowHosts: key({
    kind: "array",
    items: "string",
    description:
      "Hosts agents may reach through the egress proxy even though the shipped model-provider list or egressDenyHosts refuses them (`.example.com`: the domain and every host under it). With homelab's egressMode cilium: the names agents may reach besides their default hosts, none of which may admit a model provider's host.",
    targets: ["fedora", "homelab"],
    schema: z.array(egressHostPattern, { error: "expected a list of host names" }).optional(),
    example: "[docs.anthropic.com, git.internal.example]",
  }),
  egressDenyHosts: key({
    kind: "array",
    items: "string",
    description:
      "Hosts the egress proxy refuses to agents, besides the shipped model-provider list (`.example.com`: the domain and every host under it). With homelab's egressMode cilium, where every name not allowed is refused: it removes the agents' default hosts it covers.",
    targets: ["fedora", "homelab"],
    schema: z.array(egressHostPattern, { error: "expected a list of host names" }).optional(),
    example: "[.pastebin.com]",
  }),
  modelsNetworkSubnet: key({
    kind: "string",
    description: "An address block the fedora networks' subnets are carved from (docs/fedora.md §Networks).",
    targets: ["fedora"],
    default: "10.89.2.0/24",
    schema: ipv4Cidr.default("10.89.2.0/24"),
  }),
  cockpitImageDigest: key({
    kind: "string",
    description:
      "The digest Cockpit's image is pinned to (`sha256:<64 hex>`): quay.io/cockpit/ws publishes only the floating tag latest, so the stack runs `quay.io/cockpit/ws:latest@<digest>` once given one. Read it on a machine with registry access (`skopeo inspect --format '{{.Digest}}' docker://quay.io/cockpit/ws:latest`, docs/fedora.md §Cockpit).",
    targets: ["fedora"],
    schema: z
      .string()
      .regex(/^sha256:[a-f0-9]{64}$/, { error: 'expected an image digest "sha256:" followed by 64 lower-case hex digits' })
      .optional(),
    example: "sha256:<64 hex digits>",
  }),
  pilerTransparencyNoticeConfirmed: key({
    kind: "boolean",
    description:
      "Set to true only once every employee has received the mail archive's transparency notice (CNIL). Until then Piler and its database are not deployed.",
    targets: ["fedora"],
    default: false,
    schema: z.boolean({ error: "expected true or false" }).default(false),
  }),
  googleOAuthClientId: key({
    kind: "string",
    description: "Google OAuth client id for Twenty's Google sign-in (with googleOAuthClientSecret). Without both, Google sign-in is off.",
    targets: ["fedora"],
    schema: z
      .string()
      .regex(/^[A-Za-z0-9._-]+$/, { error: 'expected a client id such as "1234-abc.apps.googleusercontent.com"' })
      .optional(),
  }),
  googleOAuthClientSecret: key({
    kind: "string",
    description: "Google OAuth client secret for Twenty's Google sign-in (with googleOAuthClientId).",
    targets: ["fedora"],
    secret: true,
    schema: z.string(),
  }),
};
