import * as cloudflare from "@pulumi/cloudflare";
import * as pulumi from "@pulumi/pulumi";
import type { MailDnsRecord } from "../mail/mailDnsRecords";

export interface MailDnsArgs {
  /** The zone the records go in (the stack's zone). */
  zoneId: pulumi.Input<string>;
  /** One domain's records (components/mail/mailDnsRecords.ts): MX, SPF, DKIM, DMARC. */
  records: readonly MailDnsRecord<pulumi.Input<string>>[];
}

/**
 * A mail domain's DNS records in Cloudflare. Never proxied (Cloudflare proxies HTTP only; MX and TXT
 * answer as they are), automatic TTL.
 */
export class MailDns extends pulumi.ComponentResource {
  /** Record ids by role (`mx`, `spf`, `dkim`, `dmarc`). */
  readonly recordIds: Record<string, pulumi.Output<string>>;

  constructor(name: string, args: MailDnsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("harness:cloudflare:MailDns", name, {}, opts);
    this.recordIds = {};
    for (const record of args.records) {
      const dns = new cloudflare.DnsRecord(
        `${name}-${record.role}`,
        {
          zoneId: args.zoneId,
          name: record.name,
          type: record.type,
          content: record.content,
          ...(record.priority === undefined ? {} : { priority: record.priority }),
          proxied: false,
          ttl: 1,
          comment: `paperclip-harness: mail (${record.role}), docs/mail.md`,
        },
        { parent: this },
      );
      this.recordIds[record.role] = dns.id;
    }
    this.registerOutputs({ recordIds: this.recordIds });
  }
}
