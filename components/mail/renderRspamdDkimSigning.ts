/**
 * rspamd's local.d/dkim_signing.conf: sign outbound mail for the mail domains, and only those, with
 * the key the stack generates (components/mail/DkimKey.ts), mounted as a Podman secret.
 *
 * Who gets a signature (docs/mail.md §DKIM):
 * - authenticated senders (submission). They log in with names that are not addresses (`twenty`), so
 *   the login need not match the From domain; Postfix has already held the login to its own addresses;
 * - mail handed to sendmail (the email drain), which Postfix gives the milter as from 127.0.0.1. Named
 *   as `sign_networks` of loopback only, not `sign_local`: rspamd's "local" is also every private
 *   address (its `local_addrs`), and port 25's clients arrive from the rootless port forwarder's
 *   private address, so `sign_local` would sign a stranger's mail forged as ours.
 */

export interface DkimSigningConfig {
  /** The domains signed for; mail from any other domain is left unsigned. */
  domains: readonly string[];
  /** The private key (PEM), for every domain. */
  keyFile: string;
  selector: string;
}

const HOST = /^[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?$/;

export function renderRspamdDkimSigning(config: DkimSigningConfig): string {
  if (!/^\/[A-Za-z0-9._/-]+$/.test(config.keyFile)) throw new Error(`dkim_signing.conf: invalid key file ${config.keyFile}`);
  if (!/^[a-z0-9-]+$/.test(config.selector)) throw new Error(`dkim_signing.conf: invalid selector ${config.selector}`);
  if (config.domains.length === 0) throw new Error("dkim_signing.conf: at least one domain is needed");
  for (const domain of config.domains) if (!HOST.test(domain)) throw new Error(`dkim_signing.conf: invalid domain ${domain}`);
  return [
    "# Managed by paperclip-harness (Pulumi). Local edits are overwritten on the next deployment.",
    `selector = "${config.selector}";`,
    "# The listed domains only: no key path to fall back to for any other.",
    "try_fallback = false;",
    "sign_authenticated = true;",
    "allow_username_mismatch = true;",
    "# Mail handed to sendmail (the email drain) reaches the milter as from 127.0.0.1. Not sign_local:",
    "# rspamd counts private addresses as local too, and port 25's clients come from one.",
    "sign_local = false;",
    'sign_networks = ["127.0.0.0/8", "::1/128"];',
    'use_domain = "header";',
    "domain {",
    ...config.domains.map((domain) => `  "${domain}" {\n    path = "${config.keyFile}";\n    selector = "${config.selector}";\n  }`),
    "}",
    "",
  ].join("\n");
}
