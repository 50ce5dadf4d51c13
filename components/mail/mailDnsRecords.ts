import { txtContent } from "../cloudflare/txtContent";

/**
 * The DNS a mail domain needs so other hosts deliver to it and accept what it sends (docs/mail.md
 * §DNS): its MX, its SPF policy, the DKIM key rspamd signs with, and its DMARC policy. Pure: the
 * records as Cloudflare takes them (TXT content quoted, txtContent.ts), the DKIM content given by the
 * caller because it comes from the generated key.
 */

export type DmarcPolicy = "none" | "quarantine" | "reject";
/** SPF's final mechanism: `-all` fails every other host, `~all` only soft-fails it. */
export type SpfAll = "-all" | "~all";

export interface MailDomainDns {
  domain: string;
  /** The MX target: the mail host's public name. */
  mailHostname: string;
  mxPriority: number;
  spfAll: SpfAll;
  dmarcPolicy: DmarcPolicy;
  /** Where receivers send DMARC aggregate reports (`rua=mailto:`); none when absent. */
  dmarcReportAddress?: string;
  /** The DKIM selector (`<selector>._domainkey.<domain>`). */
  dkimSelector: string;
}

export type MailRecordRole = "mx" | "spf" | "dkim" | "dmarc";

export interface MailDnsRecord<Content = string> {
  role: MailRecordRole;
  name: string;
  type: "MX" | "TXT";
  content: Content;
  priority?: number;
}

const HOST = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$/;
// No `,` `;` `!` or space: they are separators in a DMARC tag value (RFC 7489 §6.4).
const REPORT_ADDRESS = /^[a-z0-9._+-]+@[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?$/;

function check(pattern: RegExp, value: string, what: string): string {
  if (!pattern.test(value)) throw new Error(`mail DNS: invalid ${what}: ${JSON.stringify(value)}`);
  return value;
}

/** The four records of one domain, the DKIM record's content as given (a string, or a Pulumi Output). */
export function mailDnsRecords<Dkim>(dns: MailDomainDns, dkimContent: Dkim): MailDnsRecord<string | Dkim>[] {
  const domain = check(HOST, dns.domain, "domain");
  if (!Number.isInteger(dns.mxPriority) || dns.mxPriority < 0 || dns.mxPriority > 65535) {
    throw new Error(`mail DNS: invalid MX priority ${dns.mxPriority}`);
  }
  const dmarc = [
    "v=DMARC1",
    `p=${dns.dmarcPolicy}`,
    ...(dns.dmarcReportAddress === undefined
      ? []
      : [`rua=mailto:${check(REPORT_ADDRESS, dns.dmarcReportAddress, "DMARC report address")}`]),
  ].join("; ");
  return [
    { role: "mx", name: domain, type: "MX", content: check(HOST, dns.mailHostname, "mail host name"), priority: dns.mxPriority },
    // `mx`: the hosts the MX names are the domain's only senders; every message leaves through Postfix there.
    { role: "spf", name: domain, type: "TXT", content: txtContent(`v=spf1 mx ${dns.spfAll}`) },
    {
      role: "dkim",
      name: `${check(/^[a-z0-9-]+$/, dns.dkimSelector, "DKIM selector")}._domainkey.${domain}`,
      type: "TXT",
      content: dkimContent,
    },
    { role: "dmarc", name: `_dmarc.${domain}`, type: "TXT", content: txtContent(dmarc) },
  ];
}
