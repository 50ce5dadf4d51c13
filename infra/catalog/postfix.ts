import { renderPostfixConfig } from "../../components/mail/renderPostfixConfig";
import { MAIL_PORTS, MAIL_SUBMITTERS, MAIL_TLS, submitterAddress } from "./mail";
import { PILER_SMTP_PORT, pilerArchiveAddress } from "./piler";
import type { ServiceDefinition } from "./types";

/**
 * Postfix: the MX for the mail domains and the outbound relay for those who submit mail as people do.
 * It shares a network only with the mail system and its declared submitters — never an agent runtime, so
 * agents send mail through the email_outbox Queue (Principle 3). The image serves as a Postfix
 * distribution: its env-driven setup script is replaced by this project's main.cf / master.cf and
 * `postfix start-fg`.
 */
export const postfix: ServiceDefinition = (context) => {
  const files = renderPostfixConfig({
    hostname: context.settings.mailHostname,
    domains: context.settings.mailDomains,
    lmtp: { host: "dovecot", port: MAIL_PORTS.lmtp },
    sasl: { host: "dovecot", port: MAIL_PORTS.sasl },
    milter: { host: "rspamd", port: MAIL_PORTS.milter },
    tls: { certificateFile: MAIL_TLS.certificate.mountPath, keyFile: MAIL_TLS.key.mountPath },
    internalSubmissionPort: MAIL_PORTS.internalSubmission,
    submitterSenders: MAIL_SUBMITTERS.filter((s) => context.enabledServices.has(s.service)).map((s) => ({
      address: submitterAddress(s.service, context.domain),
      login: s.login,
    })),
    ...(context.enabledServices.has("piler")
      ? { archive: { address: pilerArchiveAddress(context), nextHop: { host: "piler", port: PILER_SMTP_PORT } } }
      : {}),
  });
  return {
    name: "postfix",
    description: "Postfix MTA (MX and submission)",
    image: "docker.io/boky/postfix:4.3.0",
    ports: [
      { container: 25, host: 25, posture: "direct", purpose: "SMTP (MX)" },
      { container: 587, host: 587, posture: "direct", purpose: "submission (STARTTLS + login)" },
      { container: 465, host: 465, posture: "direct", purpose: "submissions (TLS + login)" },
      {
        container: MAIL_PORTS.internalSubmission,
        posture: "internal",
        purpose: "submission for Twenty and Vaultwarden (their edge networks)",
      },
    ],
    reaches: ["dovecot", "rspamd", ...(context.enabledServices.has("piler") ? ["piler"] : [])],
    internet: "mail to other domains' MX hosts",
    configFiles: [
      { name: "main.cf", mountPath: "/etc/postfix/main.cf", content: files.mainCf },
      { name: "master.cf", mountPath: "/etc/postfix/master.cf", content: files.masterCf },
    ],
    secretFiles: [
      { name: "tls-cert", mountPath: MAIL_TLS.certificate.mountPath, content: MAIL_TLS.certificate.value, mode: "0444" },
      // Read by the master process as root before it drops privileges.
      { name: "tls-key", mountPath: MAIL_TLS.key.mountPath, content: MAIL_TLS.key.value, mode: "0400" },
    ],
    volumes: [{ kind: "volume", name: "postfix-spool", mountPath: "/var/spool/postfix" }],
    command: ["/usr/sbin/postfix", "start-fg"],
    dependsOn: ["rspamd", "dovecot"],
    health: { command: ["CMD", "/usr/sbin/postfix", "status"], interval: "30s", timeout: "10s", retries: 3, startPeriod: "30s" },
    restart: "always",
  };
};
