import { describe, expect, it } from "vitest";
import { mailDnsRecords, type MailDomainDns } from "./mailDnsRecords";

const DOMAIN: MailDomainDns = {
  domain: "sodimo.eu",
  mailHostname: "mail.sodimo.eu",
  mxPriority: 10,
  spfAll: "-all",
  dmarcPolicy: "quarantine",
  dkimSelector: "dkim",
};

describe("mailDnsRecords", () => {
  it("renders MX, SPF, DKIM and DMARC, TXT content quoted as Cloudflare takes it", () => {
    expect(mailDnsRecords(DOMAIN, '"v=DKIM1; k=rsa; p=KEY"')).toEqual([
      { role: "mx", name: "sodimo.eu", type: "MX", content: "mail.sodimo.eu", priority: 10 },
      { role: "spf", name: "sodimo.eu", type: "TXT", content: '"v=spf1 mx -all"' },
      { role: "dkim", name: "dkim._domainkey.sodimo.eu", type: "TXT", content: '"v=DKIM1; k=rsa; p=KEY"' },
      { role: "dmarc", name: "_dmarc.sodimo.eu", type: "TXT", content: '"v=DMARC1; p=quarantine"' },
    ]);
  });

  it("follows the settings: priority, soft-fail SPF, the DMARC policy and its report address", () => {
    const records = mailDnsRecords(
      { ...DOMAIN, mxPriority: 0, spfAll: "~all", dmarcPolicy: "reject", dmarcReportAddress: "dmarc@sodimo.eu" },
      "",
    );
    expect(records.find((r) => r.role === "mx")?.priority).toBe(0);
    expect(records.find((r) => r.role === "spf")?.content).toBe('"v=spf1 mx ~all"');
    expect(records.find((r) => r.role === "dmarc")?.content).toBe('"v=DMARC1; p=reject; rua=mailto:dmarc@sodimo.eu"');
  });

  it("refuses values that would make another record", () => {
    expect(() => mailDnsRecords({ ...DOMAIN, dmarcReportAddress: "a@b.eu; p=none" }, "")).toThrow(/DMARC report address/);
    expect(() => mailDnsRecords({ ...DOMAIN, dmarcReportAddress: "a@b.eu,mailto:x@y.eu" }, "")).toThrow(/DMARC report address/);
    expect(() => mailDnsRecords({ ...DOMAIN, mailHostname: "mail sodimo.eu" }, "")).toThrow(/mail host name/);
    expect(() => mailDnsRecords({ ...DOMAIN, domain: "Sodimo.eu" }, "")).toThrow(/invalid domain/);
    expect(() => mailDnsRecords({ ...DOMAIN, mxPriority: 70000 }, "")).toThrow(/MX priority/);
    expect(() => mailDnsRecords({ ...DOMAIN, dkimSelector: "a.b" }, "")).toThrow(/DKIM selector/);
  });
});
