/**
 * The mail DNS the fedora stack publishes (docs/mail.md §DNS): for every mail domain an MX to the mail
 * host, SPF, the DKIM record of the key the stack generates, and DMARC. Only while Postfix runs (no MX
 * without the host it names); the DKIM key while rspamd signs. The stack's zone is the zone of
 * `domain`, so a mail domain is in it when it is the domain or a name under it; the others' records
 * are an output the operator publishes where those zones are.
 */
import type { ResolvedCatalog } from "../../catalog/resolveCatalog";
import { DKIM_SELECTOR } from "../../catalog/mail";
import type { CatalogSettings } from "../../catalog/types";
import type { ConfigValues } from "../../config/parse";
import type { MailDomainDns } from "../../../components/mail/mailDnsRecords";
import type { MailDnsPlan } from "./edge";

export function planMailDns(
  config: ConfigValues,
  settings: Pick<CatalogSettings, "mailDomains" | "mailHostname">,
  catalog: Pick<ResolvedCatalog, "services">,
): MailDnsPlan | undefined {
  const enabled = new Set(catalog.services.map((s) => s.name));
  if (!enabled.has("postfix")) return undefined;
  const zone = config.domain!.toLowerCase();
  const domains: MailDomainDns[] = settings.mailDomains.map((domain) => ({
    domain: domain.toLowerCase(),
    mailHostname: settings.mailHostname,
    mxPriority: config.mailMxPriority!,
    spfAll: config.mailSpfAll!,
    dmarcPolicy: config.mailDmarcPolicy!,
    ...(config.mailDmarcReportAddress === undefined ? {} : { dmarcReportAddress: config.mailDmarcReportAddress }),
    dkimSelector: DKIM_SELECTOR,
  }));
  const inZone = (d: MailDomainDns) => d.domain === zone || d.domain.endsWith(`.${zone}`);
  return { dkimKey: enabled.has("rspamd"), inZone: domains.filter(inZone), elsewhere: domains.filter((d) => !inZone(d)) };
}
