/**
 * rspamd's local.d/dkim_signing.conf: sign outbound mail with the keys kept in rspamd's data volume
 * (`<domain>.<selector>.key`, made once with `rspamadm dkim_keygen`). Authenticated senders log in
 * with names that are not addresses (`twenty`), so the login need not match the From domain; the
 * domains rspamd signs for are still only those it has a key for.
 */

export interface DkimSigningConfig {
  keyDirectory: string;
  selector: string;
}

export function renderRspamdDkimSigning(config: DkimSigningConfig): string {
  if (!/^\/[A-Za-z0-9._/-]+$/.test(config.keyDirectory)) throw new Error(`dkim_signing.conf: invalid key directory ${config.keyDirectory}`);
  if (!/^[a-z0-9-]+$/.test(config.selector)) throw new Error(`dkim_signing.conf: invalid selector ${config.selector}`);
  return [
    "# Managed by paperclip-harness (Pulumi). Local edits are overwritten on the next deployment.",
    `path = "${config.keyDirectory}/$domain.$selector.key";`,
    `selector = "${config.selector}";`,
    "sign_authenticated = true;",
    "# Mail handed to sendmail (the email drain) arrives as local mail.",
    "sign_local = true;",
    "allow_username_mismatch = true;",
    'use_domain = "header";',
    "",
  ].join("\n");
}
