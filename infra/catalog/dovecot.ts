import { renderDovecotConfig } from "../../components/mail/renderDovecotConfig";
import { NIGHTLY } from "./backupPolicy";
import { MAIL_PORTS, MAIL_SUBMITTERS, MAIL_TLS } from "./mail";
import { generated, operator, secretConcat, secretSha512Hex, type SecretValue } from "./secretValue";
import type { SecretFile, ServiceDefinition } from "./types";

const MAIL_USERS_PATH = "/run/secrets/dovecot-mail-users";
const SUBMITTERS_PATH = "/run/secrets/dovecot-submitters";
/**
 * The password hashes are readable by root and Debian's `shadow` group only (gid 42, fixed by
 * base-passwd in every Debian image, the one the Dovecot image starts from): Dovecot's auth process
 * joins that group (`extra_groups`); its login and mail processes do not, so they cannot read them.
 */
const PASSWD_FILES = { uid: 0, gid: 42, group: "shadow", mode: "0440" } as const;

/**
 * Dovecot: the people's mailboxes (IMAP) and Postfix's delivery (LMTP) and authentication (SASL).
 * The SASL logins of the enabled mail submitters are stored as SHA-512 digests of their generated
 * (256-bit random) passwords, never the passwords.
 */
export const dovecot: ServiceDefinition = (context) => {
  const submitters = MAIL_SUBMITTERS.filter((s) => context.enabledServices.has(s.service));
  const submittersFile: SecretValue = secretConcat(
    submitters.flatMap((s) => [`${s.login}:{SHA512.HEX}`, secretSha512Hex(generated(s.passwordSecret)), "\n"]),
  );
  const secretFiles: SecretFile[] = [
    { name: "tls-cert", mountPath: MAIL_TLS.certificate.mountPath, content: MAIL_TLS.certificate.value, mode: "0444" },
    // Read by Dovecot's config process, as root.
    { name: "tls-key", mountPath: MAIL_TLS.key.mountPath, content: MAIL_TLS.key.value, mode: "0400" },
    // Read by the auth process (user `dovecot`, in the `shadow` group).
    {
      name: "submitters",
      mountPath: SUBMITTERS_PATH,
      content: submittersFile,
      uid: PASSWD_FILES.uid,
      gid: PASSWD_FILES.gid,
      mode: PASSWD_FILES.mode,
    },
    // The mailUsers setting, already rendered into a passwd-file (components/mail/dovecotUsers.ts).
    {
      name: "mail-users",
      mountPath: MAIL_USERS_PATH,
      content: operator("mailUsers"),
      uid: PASSWD_FILES.uid,
      gid: PASSWD_FILES.gid,
      mode: PASSWD_FILES.mode,
    },
  ];
  return {
    name: "dovecot",
    description: "Dovecot IMAP, LMTP and SASL",
    image: "docker.io/dovecot/dovecot:2.3.21.1",
    ports: [
      { container: 143, host: 143, posture: "direct", purpose: "IMAP (STARTTLS)" },
      { container: 993, host: 993, posture: "direct", purpose: "IMAPS" },
      { container: MAIL_PORTS.lmtp, posture: "internal", purpose: "LMTP from Postfix" },
      { container: MAIL_PORTS.sasl, posture: "internal", purpose: "SASL for Postfix" },
    ],
    configFiles: [
      {
        name: "dovecot.conf",
        mountPath: "/etc/dovecot/dovecot.conf",
        content: renderDovecotConfig({
          postmasterAddress: `postmaster@${context.settings.mailDomains[0]!}`,
          tls: { certificateFile: MAIL_TLS.certificate.mountPath, keyFile: MAIL_TLS.key.mountPath },
          mailUsersFile: MAIL_USERS_PATH,
          submittersFile: SUBMITTERS_PATH,
          passwdFilesGroup: PASSWD_FILES.group,
          // `vmail` in the image.
          mailOwner: { uid: 1000, gid: 1000 },
          mailRoot: "/srv/mail",
          lmtpPort: MAIL_PORTS.lmtp,
          saslPort: MAIL_PORTS.sasl,
        }),
      },
    ],
    secretFiles,
    volumes: [{ kind: "volume", name: "dovecot-mail", mountPath: "/srv/mail", owner: { uid: 1000, gid: 1000 } }],
    restart: "always",
    // The seeds rsynced the maildir to the NAS nightly; maildir files are written whole and renamed
    // into place, so a copy of the running volume is consistent per message.
    backup: { ...NIGHTLY, kind: "files", volumes: ["dovecot-mail"] },
  };
};
