/**
 * The mail DNS plan on the shipped fedora configuration: which domains get records in the stack's
 * zone, what the settings change, when there is no DNS or no DKIM key, and the problems bad settings
 * give; then the records as the edge declares them (offline mocks, test/support/recordComponents.ts).
 */
import { describe, expect, it } from "vitest";
import { configErrorOf } from "../../../test/support/configErrors";
import { fedoraConfig } from "../../../test/support/fedoraConfig";
import { P } from "../../../test/support/fedoraStack";
import { recordComponents, resourcesOfType, unsecret } from "../../../test/support/recordComponents";
import type { ResolvedCatalog } from "../../catalog/resolveCatalog";
import { DKIM_PRIVATE_KEY_SECRET } from "../../catalog/mail";
import { deployCloudflareEdge, planCloudflareEdge } from "./edge";
import { planMailDns } from "./mailDnsPlan";

const catalogOf = (...names: string[]) => ({ services: names.map((name) => ({ name })) }) as unknown as Pick<ResolvedCatalog, "services">;
const settingsOf = (config: ReturnType<typeof fedoraConfig>) => ({
  mailDomains: config.mailDomains ?? [config.domain!],
  mailHostname: config.mailHostname ?? `mail.${config.domain!}`,
});

describe("planMailDns", () => {
  it("creates records for the mail domains in the stack's zone and lists the others", () => {
    const config = fedoraConfig({ [`${P}mailDomains`]: JSON.stringify(["sodimo.eu", "lists.sodimo.eu", "yallafood.eu"]) });
    const plan = planMailDns(config, settingsOf(config), catalogOf("postfix", "rspamd"));
    expect(plan?.dkimKey).toBe(true);
    expect(plan?.inZone.map((d) => d.domain)).toEqual(["sodimo.eu", "lists.sodimo.eu"]);
    expect(plan?.elsewhere.map((d) => d.domain)).toEqual(["yallafood.eu"]);
    expect(plan?.inZone[0]).toEqual({
      domain: "sodimo.eu",
      mailHostname: "mail.sodimo.eu",
      mxPriority: 10,
      spfAll: "-all",
      dmarcPolicy: "quarantine",
      dkimSelector: "dkim",
    });
  });

  it("follows the settings", () => {
    const config = fedoraConfig({
      [`${P}mailHostname`]: "mx.sodimo.eu",
      [`${P}mailMxPriority`]: "5",
      [`${P}mailSpfAll`]: "~all",
      [`${P}mailDmarcPolicy`]: "reject",
      [`${P}mailDmarcReportAddress`]: "dmarc@sodimo.eu",
    });
    expect(planMailDns(config, settingsOf(config), catalogOf("postfix", "rspamd"))?.inZone[0]).toMatchObject({
      mailHostname: "mx.sodimo.eu",
      mxPriority: 5,
      spfAll: "~all",
      dmarcPolicy: "reject",
      dmarcReportAddress: "dmarc@sodimo.eu",
    });
  });

  it("has no mail DNS without Postfix, and no DKIM key without rspamd", () => {
    const config = fedoraConfig();
    expect(planMailDns(config, settingsOf(config), catalogOf("rspamd", "dovecot"))).toBeUndefined();
    expect(planMailDns(config, settingsOf(config), catalogOf("postfix"))?.dkimKey).toBe(false);
  });

  it("names the key and what was expected for a bad setting", () => {
    const problem = (key: string, value: string) => configErrorOf(() => fedoraConfig({ [`${P}${key}`]: value })).split("\n")[1];
    expect(problem("mailDmarcPolicy", "strict")).toContain(`${P}mailDmarcPolicy`);
    expect(problem("mailDmarcPolicy", "strict")).toContain('expected "none", "quarantine" or "reject"');
    expect(problem("mailSpfAll", "+all")).toContain('expected "-all" or "~all"');
    expect(problem("mailMxPriority", "70000")).toContain("expected a whole number from 0 to 65535");
    expect(problem("mailDmarcReportAddress", "a@sodimo.eu;p=none")).toContain("no , ; ! or spaces");
  });
});

describe("the edge's mail DNS", () => {
  it("declares the four records in the zone, unproxied, the DKIM one from the generated key, and hands rspamd the key", async () => {
    const config = fedoraConfig();
    const plan = planCloudflareEdge(config, { routes: [] }).plan;
    const mail = planMailDns(config, settingsOf(config), catalogOf("postfix", "rspamd"))!;
    let providedKey: unknown;
    const recording = await recordComponents(() => {
      const edge = deployCloudflareEdge({ ...plan, mail }, { apiToken: config.cloudflareApiToken! });
      providedKey = edge.providedSecrets.get(DKIM_PRIVATE_KEY_SECRET);
      return { mailDns: edge.outputs.mailDns };
    }, "fedora");
    const records = resourcesOfType(recording.resources, "cloudflare:index/dnsRecord:DnsRecord").filter((r) =>
      r.name.startsWith("mail-dns-"),
    );
    records.sort(
      (a, b) =>
        ["mx", "spf", "dkim", "dmarc"].indexOf(a.name.split("-").at(-1)!) -
        ["mx", "spf", "dkim", "dmarc"].indexOf(b.name.split("-").at(-1)!),
    );
    expect(records.map((r) => [r.name, r.inputs.type, r.inputs.name, r.inputs.proxied, r.inputs.zoneId])).toEqual([
      ["mail-dns-sodimo-eu-mx", "MX", "sodimo.eu", false, config.cloudflareZoneId],
      ["mail-dns-sodimo-eu-spf", "TXT", "sodimo.eu", false, config.cloudflareZoneId],
      ["mail-dns-sodimo-eu-dkim", "TXT", "dkim._domainkey.sodimo.eu", false, config.cloudflareZoneId],
      ["mail-dns-sodimo-eu-dmarc", "TXT", "_dmarc.sodimo.eu", false, config.cloudflareZoneId],
    ]);
    const key = resourcesOfType(recording.resources, "tls:index/privateKey:PrivateKey");
    expect(key.map((r) => r.inputs)).toEqual([{ algorithm: "RSA", rsaBits: 2048 }]);
    expect(String(records[2]!.inputs.content)).toMatch(/^"v=DKIM1; k=rsa; p=MIIB[A-Za-z0-9+/]{233}" "[A-Za-z0-9+/=]+"$/);
    expect(providedKey).toBeDefined();
    // The other mail domains' records, DKIM content included, for the operator to publish.
    const outputs = unsecret(recording.outputs.mailDns) as { publishElsewhere: { name: string; content: string }[] };
    expect(outputs.publishElsewhere.map((r) => r.name)).toContain("dkim._domainkey.yallafood.eu");
    expect(outputs.publishElsewhere.find((r) => r.name === "dkim._domainkey.yallafood.eu")?.content).toBe(records[2]!.inputs.content);
  });
});
