/**
 * The `sendmail` the email drain runs on the host: it hands the message, arguments unchanged, to
 * Postfix's own sendmail inside the postfix container, so mail the drain sends is queued, filtered
 * and signed exactly like mail submitted over SMTP. Its exit status is Postfix's (75 = try later).
 */
import { shellQuote } from "../podman/hostCommands";

export function renderSendmailWrapper(containerName: string): string {
  if (!/^[a-z0-9][a-z0-9_.-]*$/.test(containerName)) throw new Error(`sendmail wrapper: invalid container name ${containerName}`);
  return [
    "#!/bin/sh",
    "# Managed by paperclip-harness (Pulumi). The email drain's SENDMAIL_PATH.",
    `exec /usr/bin/podman exec -i ${shellQuote(containerName)} /usr/sbin/sendmail "$@"`,
    "",
  ].join("\n");
}
