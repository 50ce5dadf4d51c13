/**
 * Dovecot's dovecot.conf for the harness: IMAP for the people's mailboxes, LMTP for Postfix's
 * deliveries, and the authentication service Postfix's SASL asks. Pure; the image's own
 * configuration (with its test passdb, `password=pass` for every user) is replaced entirely.
 * - IMAP logins need TLS (`ssl = required`): STARTTLS on 143, implicit TLS on 993;
 * - Postfix's SASL lookups arrive over the mail network on the auth listener, where plaintext
 *   mechanisms are allowed (Postfix itself enforces TLS on the public submission ports);
 * - mailboxes come from the operator's passwd-file (hashes only); the services that submit mail
 *   (Twenty, Vaultwarden) have SASL logins in a second passwd-file without a mailbox;
 * - both files hold hashes and are readable by a group, not by everyone: the auth process (user
 *   `dovecot`) reads them and joins that group, the login and mail processes do not.
 */

export interface DovecotConfig {
  /** Address of the postmaster, for LMTP rejections. */
  postmasterAddress: string;
  /** Container paths of the secrets Podman mounts. */
  tls: { certificateFile: string; keyFile: string };
  /** passwd-file of the mailboxes (operator-supplied). Dovecot needs a userdb, so it is required. */
  mailUsersFile: string;
  /** passwd-file of the SASL-only logins of the services that submit mail. */
  submittersFile: string;
  /** The group (by name, as the image's /etc/group has it) the two passwd-files are readable by. */
  passwdFilesGroup: string;
  /** uid/gid owning the mail (`vmail` in the image). */
  mailOwner: { uid: number; gid: number };
  /** Where mailboxes live in the container. */
  mailRoot: string;
  lmtpPort: number;
  saslPort: number;
}

const PATH = /^\/[A-Za-z0-9._/-]+$/;
const ADDRESS = /^[a-z0-9._+-]+@[a-z0-9.-]+$/;

function check(pattern: RegExp, value: string, what: string): string {
  if (!pattern.test(value)) throw new Error(`dovecot.conf: invalid ${what}: ${JSON.stringify(value)}`);
  return value;
}

export function renderDovecotConfig(config: DovecotConfig): string {
  const mailRoot = check(PATH, config.mailRoot, "mail root");
  const home = `${mailRoot}/%Lu`;
  const owner = `uid=${config.mailOwner.uid} gid=${config.mailOwner.gid}`;
  const lines = [
    "# Managed by paperclip-harness (Pulumi). Local edits are overwritten on the next deployment.",
    "protocols = imap lmtp",
    "listen = *",
    "log_path = /dev/stderr",
    "info_log_path = /dev/stdout",
    "",
    `mail_home = ${home}`,
    "mail_location = maildir:~/Maildir",
    `mail_uid = ${config.mailOwner.uid}`,
    `mail_gid = ${config.mailOwner.gid}`,
    `first_valid_uid = ${config.mailOwner.uid}`,
    `last_valid_uid = ${config.mailOwner.uid}`,
    "namespace inbox {",
    "  inbox = yes",
    "  separator = /",
    "}",
    "",
    "# IMAP logins only over TLS; the auth listener below serves Postfix on the mail network.",
    "ssl = required",
    `ssl_cert = <${check(PATH, config.tls.certificateFile, "certificate path")}`,
    `ssl_key = <${check(PATH, config.tls.keyFile, "key path")}`,
    "ssl_min_protocol = TLSv1.2",
    "# Plaintext mechanisms for Postfix's SASL lookups (the mail network's port too); IMAP offers none",
    "# before TLS (LOGINDISABLED), so no client sends a password in the clear to be refused.",
    "disable_plaintext_auth = no",
    "auth_mechanisms = plain login",
    "protocol imap {",
    "  disable_plaintext_auth = yes",
    "}",
    "",
  ];
  const file = check(PATH, config.mailUsersFile, "mail users file");
  lines.push(
    "# The mailboxes: address:{SHA512-CRYPT}hash:::::: lines (empty userdb fields; default_fields fills them).",
    "passdb {",
    "  driver = passwd-file",
    `  args = scheme=SHA512-CRYPT username_format=%Lu ${file}`,
    "}",
    "userdb {",
    "  driver = passwd-file",
    `  args = username_format=%Lu ${file}`,
    `  default_fields = ${owner} home=${home}`,
    "}",
    "# SASL logins of the services that submit mail: no userdb entry, so no mailbox and no IMAP.",
    "passdb {",
    "  driver = passwd-file",
    `  args = ${check(PATH, config.submittersFile, "submitters file")}`,
    "}",
    "",
    "service lmtp {",
    "  inet_listener lmtp {",
    `    port = ${config.lmtpPort}`,
    "  }",
    "}",
    "service auth {",
    "  # The passwd-files are readable by this group only.",
    `  extra_groups = ${check(/^[a-z_][a-z0-9_-]*$/, config.passwdFilesGroup, "passwd-files group")}`,
    "  inet_listener sasl {",
    `    port = ${config.saslPort}`,
    "  }",
    "}",
    "protocol lmtp {",
    `  postmaster_address = ${check(ADDRESS, config.postmasterAddress, "postmaster address")}`,
    "}",
    "",
  );
  return lines.join("\n");
}
