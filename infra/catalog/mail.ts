/**
 * The mail system's shared facts: ports on the mail network, the TLS certificate Postfix and Dovecot
 * share, and the services that submit mail the way people do (with a login and a password), which is
 * what the mail network's membership is made of.
 */
import { generated, operator, type SecretValue } from "./secretValue";

export const MAIL_PORTS = {
  lmtp: 24,
  /** Dovecot's authentication service, asked by Postfix's SASL. */
  sasl: 12345,
  /** Postfix's submission port for the services on the mail network (never published). */
  internalSubmission: 10587,
  /** rspamd's milter (proxy worker). */
  milter: 11332,
} as const;

/** The mail host's certificate and key (operator-supplied), as Podman secrets mounted here. */
export const MAIL_TLS = {
  certificate: { value: operator("mailTlsCertificate"), mountPath: "/run/secrets/mail-tls-cert.pem" },
  key: { value: operator("mailTlsPrivateKey"), mountPath: "/run/secrets/mail-tls-key.pem" },
} as const;

/**
 * DKIM: the selector every mail domain signs with, and the name under which the stack hands rspamd
 * the key it generates (components/mail/DkimKey.ts), a `provided(...)` secret.
 */
export const DKIM_SELECTOR = "dkim";
export const DKIM_PRIVATE_KEY_SECRET = "dkim-private-key";

/** A service that submits mail to Postfix with its own SASL login. */
export interface MailSubmitter {
  service: string;
  login: string;
  /** The generated secret the service owns; Dovecot stores only its SHA-512. */
  passwordSecret: string;
  /** Its sender address is `<localPart>@<domain>`: the only one Postfix lets this login send as. */
  localPart: string;
}

export const MAIL_SUBMITTERS: readonly MailSubmitter[] = [
  { service: "twenty", login: "twenty", passwordSecret: "twenty-smtp-password", localPart: "crm" },
  { service: "vaultwarden", login: "vaultwarden", passwordSecret: "vaultwarden-smtp-password", localPart: "vault" },
];

/** The address a submitter sends as, in the stack's domain. */
export function submitterAddress(service: string, domain: string): string {
  return `${mailSubmitter(service).localPart}@${domain}`;
}

export function mailSubmitter(service: string): MailSubmitter {
  const submitter = MAIL_SUBMITTERS.find((s) => s.service === service);
  if (!submitter) throw new Error(`catalogue: ${service} is not a mail submitter`);
  return submitter;
}

export function submitterPassword(service: string): SecretValue {
  return generated(mailSubmitter(service).passwordSecret);
}
