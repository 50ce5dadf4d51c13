/**
 * The Caddyfile for the harness's reverse proxy, derived from the catalogue's public routes.
 * cloudflared (on the host) sends every public hostname to Caddy on 127.0.0.1:80 with the original
 * Host header; Caddy routes by Host to containers by name. TLS ends at Cloudflare, so sites are
 * plain `http://`. reverse_proxy keeps the Host header and upgrades WebSockets by default, which
 * Paperclip's board guard and live events need. Since every public request was HTTPS until
 * Cloudflare, upstreams are told so (X-Forwarded-Proto): secure cookies, and Cockpit's origin check.
 *
 * Only the Tunnel's requests are routed. Caddy shares an edge network with every routed service, so
 * any of them could otherwise ask Caddy for another service's hostname, around Access. Rootless
 * Podman's port forwarding connects from inside Caddy's own network namespace, from one of Caddy's
 * own addresses to that same address, while a neighbour connects from its own address: each site
 * answers 403 to any connection not from Caddy's own addresses (`tunnelSources`). A neighbour cannot
 * forge one of them: the handshake's reply would go to Caddy itself.
 */

export interface CaddyRoute {
  hostname: string;
  /** `host:port` to proxy to. */
  upstream: string;
  /** Path-specific upstreams, matched before the default one. */
  paths?: readonly { path: string; upstream: string }[];
}

const HOSTNAME = /^[a-z0-9.-]+$/;
const UPSTREAM = /^[a-z0-9.-]+:\d{1,5}$/;
const PATH = /^\/[A-Za-z0-9._~/-]*$/;
const IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

export interface CaddyfileOptions {
  /**
   * Caddy's own addresses, the only sources whose requests are routed (the Tunnel's, through Podman's
   * port forwarding). None known: every public request is refused.
   */
  tunnelSources: readonly string[];
}

function assertMatches(pattern: RegExp, value: string, what: string): string {
  if (!pattern.test(value)) throw new Error(`Caddyfile: invalid ${what}: ${JSON.stringify(value)}`);
  return value;
}

function proxy(target: string): string[] {
  return [`\treverse_proxy ${target} {`, "\t\theader_up X-Forwarded-Proto https", "\t}"];
}

export function renderCaddyfile(routes: readonly CaddyRoute[], options: CaddyfileOptions): string {
  const sources = [...new Set(options.tunnelSources.map((address) => assertMatches(IPV4, address, "tunnel source")))].sort();
  const sorted = [...routes].sort((a, b) => a.hostname.localeCompare(b.hostname));
  const sites = sorted.map((route) => {
    const lines = [`http://${assertMatches(HOSTNAME, route.hostname, "hostname")} {`, "\timport tunnel_only"];
    for (const { path, upstream } of route.paths ?? []) {
      // `path*` so that sub-paths route too.
      lines.push(...proxy(`${assertMatches(PATH, path, "path")}* ${assertMatches(UPSTREAM, upstream, "upstream")}`));
    }
    lines.push(...proxy(assertMatches(UPSTREAM, route.upstream, "upstream")), "}");
    return lines.join("\n");
  });
  return [
    "# Managed by paperclip-harness (Pulumi). Local edits are overwritten on the next deployment.",
    "{",
    "\t# No admin API: the configuration is this file, delivered by Pulumi.",
    "\tadmin off",
    "\tauto_https off",
    "}",
    "",
    "# Routes answer the Tunnel only: connections from Caddy's own addresses (Podman's port forwarding).",
    "(tunnel_only) {",
    ...(sources.length > 0
      ? [`\t@around_tunnel not remote_ip ${sources.join(" ")}`, '\trespond @around_tunnel "Forbidden: only through the Tunnel" 403']
      : ['\trespond "Forbidden: only through the Tunnel" 403']),
    "}",
    "",
    ...sites.flatMap((site) => [site, ""]),
    "# Caddy's own health check, from inside its container.",
    "http://localhost {",
    '\trespond "ok" 200',
    "}",
    "",
    "# Any other host: nothing here.",
    "http:// {",
    '\trespond "Not found" 404',
    "}",
    "",
  ].join("\n");
}
