/**
 * cockpit.conf for Cockpit behind Caddy and the Tunnel: TLS ends at Cloudflare, so cockpit-ws must
 * accept plain HTTP that says (X-Forwarded-Proto) it was HTTPS, and only from its public origin.
 * `LoginTo = false` hides the login page's "Connect to" field: the cockpit/ws image ships cockpit-ssh
 * and offers it by default, which would make the admin page a jump host to any SSH server it can reach.
 */

export function renderCockpitConf(publicHostname: string): string {
  if (!/^[a-z0-9.-]+$/.test(publicHostname)) throw new Error(`cockpit.conf: invalid hostname ${publicHostname}`);
  return [
    "# Managed by paperclip-harness (Pulumi). Local edits are overwritten on the next deployment.",
    "[WebService]",
    `Origins = https://${publicHostname} wss://${publicHostname}`,
    "ProtocolHeader = X-Forwarded-Proto",
    "LoginTo = false",
    "",
  ].join("\n");
}
