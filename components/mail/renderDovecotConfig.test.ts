import { describe, expect, it } from "vitest";
import { renderDovecotConfig, type DovecotConfig } from "./renderDovecotConfig";

const CONFIG: DovecotConfig = {
  postmasterAddress: "postmaster@sodimo.eu",
  tls: { certificateFile: "/run/secrets/mail-tls-cert.pem", keyFile: "/run/secrets/mail-tls-key.pem" },
  mailUsersFile: "/run/secrets/dovecot-mail-users",
  submittersFile: "/run/secrets/dovecot-submitters",
  passwdFilesGroup: "shadow",
  mailOwner: { uid: 1000, gid: 1000 },
  mailRoot: "/srv/mail",
  lmtpPort: 24,
  saslPort: 12345,
};

describe("renderDovecotConfig", () => {
  const text = renderDovecotConfig(CONFIG);

  it("renders dovecot.conf", () => {
    expect(text).toMatchSnapshot();
  });

  it("requires TLS for IMAP logins and replaces the image's test passdb", () => {
    expect(text).toMatch(/^ssl = required$/m);
    expect(text).not.toContain("driver = static");
    expect(text).not.toMatch(/password=/);
  });

  it("serves LMTP and SASL on their ports, mailboxes only for the operator's users", () => {
    expect(text).toMatch(/service lmtp \{\n {2}inet_listener lmtp \{\n {4}port = 24\n/);
    expect(text).toMatch(/service auth \{\n(?: {2}#.*\n)? {2}extra_groups = shadow\n {2}inet_listener sasl \{\n {4}port = 12345\n/);
    // One userdb, on the mailbox file: the submitters' logins have no mailbox.
    expect(text.match(/userdb \{/g)).toHaveLength(1);
    expect(text).toContain("args = username_format=%Lu /run/secrets/dovecot-mail-users");
    expect(text.match(/passdb \{/g)).toHaveLength(2);
  });

  it("refuses paths and addresses that would break the file", () => {
    expect(() => renderDovecotConfig({ ...CONFIG, submittersFile: "/run/x }\nssl = no" })).toThrow(/invalid submitters file/);
    expect(() => renderDovecotConfig({ ...CONFIG, postmasterAddress: "postmaster" })).toThrow(/invalid postmaster address/);
  });
});
