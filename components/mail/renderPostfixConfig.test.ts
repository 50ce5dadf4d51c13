import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { postconfValidator } from "../../cli/validators/postconfValidator";
import { requireTool } from "../../cli/validators/testSupport";
import { renderPostfixConfig, type PostfixConfig } from "./renderPostfixConfig";

const CONFIG: PostfixConfig = {
  hostname: "mail.sodimo.eu",
  domains: ["sodimo.eu", "sodimonet.fr", "yallafood.eu", "cavisteduliban.fr"],
  lmtp: { host: "dovecot", port: 24 },
  sasl: { host: "dovecot", port: 12345 },
  milter: { host: "rspamd", port: 11332 },
  tls: { certificateFile: "/run/secrets/mail-tls-cert.pem", keyFile: "/run/secrets/mail-tls-key.pem" },
  internalSubmissionPort: 10587,
  submitterSenders: [
    { address: "crm@sodimo.eu", login: "twenty" },
    { address: "vault@sodimo.eu", login: "vaultwarden" },
  ],
};

const directories: string[] = [];
afterAll(() => directories.forEach((d) => rmSync(d, { recursive: true, force: true })));

function writeConfig(files: { mainCf: string; masterCf: string }): string {
  const directory = mkdtempSync(path.join(os.tmpdir(), "postfix-"));
  directories.push(directory);
  writeFileSync(path.join(directory, "main.cf"), files.mainCf);
  writeFileSync(path.join(directory, "master.cf"), files.masterCf);
  return directory;
}

/** main.cf as parameter → value. */
function parameters(mainCf: string): Map<string, string> {
  return new Map(
    mainCf
      .split("\n")
      .filter((line) => /^[a-z_]+ =/.test(line))
      .map((line) => [line.slice(0, line.indexOf(" =")), line.slice(line.indexOf("=") + 1).trim()]),
  );
}

describe("renderPostfixConfig", () => {
  const files = renderPostfixConfig(CONFIG);
  const main = parameters(files.mainCf);

  it("renders main.cf and master.cf", () => {
    expect(files.mainCf).toMatchSnapshot();
    expect(files.masterCf).toMatchSnapshot();
  });

  it("Postfix's own parser accepts both files without a warning", async (context) => {
    requireTool(context, "postconf");
    expect(await postconfValidator({ directory: writeConfig(files) })).toMatchObject({ status: "passed" });
  });

  it("receives for the mail domains and delivers them to Dovecot over LMTP", () => {
    expect(main.get("virtual_mailbox_domains")).toBe("sodimo.eu sodimonet.fr yallafood.eu cavisteduliban.fr");
    expect(main.get("virtual_transport")).toBe("lmtp:inet:dovecot:24");
    expect(main.get("mydestination")).toBe("");
    expect(main.get("smtpd_recipient_restrictions")).toContain("reject_unverified_recipient");
  });

  it("relays only for authenticated clients; only the container's loopback is trusted", () => {
    expect(main.get("mynetworks")).toBe("127.0.0.0/8");
    expect(main.get("smtpd_relay_restrictions")).toBe("permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination");
    expect(main.get("smtpd_sasl_auth_enable")).toBe("no");
    expect(main.get("smtpd_sasl_path")).toBe("inet:dovecot:12345");
    expect(main.get("smtpd_tls_auth_only")).toBe("yes");
  });

  it("lets an authenticated login send only as the addresses it owns, in the mail domains only", () => {
    expect(main.get("harness_submission_sender_restrictions")).toBe(
      "reject_non_fqdn_sender, reject_sender_login_mismatch, check_sender_access inline:{ sodimo.eu=OK, sodimonet.fr=OK, yallafood.eu=OK, cavisteduliban.fr=OK }, reject",
    );
    // A service's address belongs to its login; any other address to the mailbox login of that name.
    expect(main.get("smtpd_sender_login_maps")).toBe(
      "inline:{ crm@sodimo.eu=twenty, vault@sodimo.eu=vaultwarden }, regexp:{ {/(.+)/ $$1} }",
    );
    expect(parameters(renderPostfixConfig({ ...CONFIG, submitterSenders: [] }).mainCf).get("smtpd_sender_login_maps")).toBe(
      "regexp:{ {/(.+)/ $$1} }",
    );
    for (const service of ["submission", "submissions", "10587"]) {
      const block = files.masterCf.split("\n").slice(files.masterCf.split("\n").findIndex((l) => l.startsWith(`${service} `)));
      const options = block.slice(
        1,
        block.findIndex((l, i) => i > 0 && !l.startsWith("  -o")),
      );
      expect(options, service).toContain("  -o smtpd_sasl_auth_enable=yes");
      expect(options, service).toContain("  -o smtpd_sender_restrictions=$harness_submission_sender_restrictions");
      expect(options, service).toContain("  -o smtpd_relay_restrictions=permit_sasl_authenticated,reject");
    }
  });

  it("requires TLS on the published submission ports; the internal one offers none", () => {
    expect(files.masterCf).toMatch(/^submission inet[^\n]*\n(?: {2}-o [^\n]*\n)*? {2}-o smtpd_tls_security_level=encrypt$/m);
    expect(files.masterCf).toMatch(/^submissions inet[^\n]*\n(?: {2}-o [^\n]*\n)*? {2}-o smtpd_tls_wrappermode=yes$/m);
    expect(files.masterCf).toMatch(/^10587 {6}inet[^\n]*\n(?: {2}-o [^\n]*\n)*? {2}-o smtpd_tls_auth_only=no$/m);
  });

  it("sends SMTP mail and sendmail mail through rspamd's milter", () => {
    expect(main.get("smtpd_milters")).toBe("inet:rspamd:11332");
    expect(main.get("non_smtpd_milters")).toBe("$smtpd_milters");
  });

  it("copies every message to the archive only when the archive is enabled", async (context) => {
    expect(main.has("always_bcc")).toBe(false);
    const archived = renderPostfixConfig({
      ...CONFIG,
      archive: { address: "archive@archive.sodimo.eu", nextHop: { host: "piler", port: 25 } },
    });
    const archivedMain = parameters(archived.mainCf);
    expect(archivedMain.get("always_bcc")).toBe("archive@archive.sodimo.eu");
    expect(archivedMain.get("transport_maps")).toBe("inline:{ archive.sodimo.eu=smtp:[piler]:25 }");
    requireTool(context, "postconf");
    expect(await postconfValidator({ directory: writeConfig(archived) })).toMatchObject({ status: "passed" });
  });

  it("refuses values that would break the file", () => {
    expect(() => renderPostfixConfig({ ...CONFIG, domains: ["sodimo.eu\nmynetworks = 0.0.0.0/0"] })).toThrow(/invalid domain/);
    expect(() => renderPostfixConfig({ ...CONFIG, domains: [] })).toThrow(/at least one mail domain/);
    expect(() => renderPostfixConfig({ ...CONFIG, internalSubmissionPort: 70000 })).toThrow(/invalid internal submission port/);
  });
});
