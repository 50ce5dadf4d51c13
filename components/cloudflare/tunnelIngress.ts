/**
 * The ingress rules of the remotely-managed Tunnel configuration, as pure data. cloudflared matches
 * rules top to bottom and requires a last rule without a hostname; ours answers 404, so a hostname the
 * edge routes here but we did not declare reaches nothing.
 */

/** Caddy on the host's loopback: it routes by Host to the containers (system.md §4). */
export const DEFAULT_TUNNEL_ORIGIN = "http://127.0.0.1:80";

/** The last rule: anything no hostname rule matched. */
export const CATCH_ALL_SERVICE = "http_status:404";

/** One hostname rule, in the shape of `ZeroTrustTunnelCloudflaredConfig`'s `config.ingresses[]`. */
export interface HostnameIngressRule {
  hostname: string;
  service: string;
  originRequest: {
    /** The public hostname, explicitly: Caddy routes by it (cloudflared's default keeps it too; this says so on the leaf). */
    httpHostHeader: string;
    /** HTTP/1.1 to the origin: WebSockets (Paperclip's live updates, Vaultwarden's hub) upgrade over it (RFC 6455). */
    http2Origin: false;
    /** cloudflared itself rejects a request without a valid Access token for this hostname's application. */
    access: { required: true; teamName: string; audTags: string[] };
  };
}

export type IngressRule = HostnameIngressRule | { service: typeof CATCH_ALL_SERVICE };

export interface HostnameIngressOptions {
  hostname: string;
  /** The origin every hostname goes to: Caddy. */
  origin: string;
  /** Zero Trust team name (`<team>.cloudflareaccess.com`). */
  teamName: string;
  /** AUD tag of the hostname's Access application. */
  accessAud: string;
}

/** cloudflared's origin for every hostname: an http(s) URL without a path. Throws otherwise (a bug). */
export function checkTunnelOrigin(origin: string): string {
  if (!/^https?:\/\/[^/\s]+$/.test(origin)) throw new Error(`tunnel origin must be an http(s) URL without a path, got ${origin}`);
  return origin;
}

export function hostnameIngressRule(options: HostnameIngressOptions): HostnameIngressRule {
  checkTunnelOrigin(options.origin);
  return {
    hostname: options.hostname,
    service: options.origin,
    originRequest: {
      httpHostHeader: options.hostname,
      http2Origin: false,
      access: { required: true, teamName: options.teamName, audTags: [options.accessAud] },
    },
  };
}

/** The hostname rules in the order given, then the catch-all. Throws on a duplicated hostname (a bug). */
export function tunnelIngressRules(rules: readonly HostnameIngressRule[]): IngressRule[] {
  const seen = new Set<string>();
  for (const rule of rules) {
    if (seen.has(rule.hostname)) throw new Error(`tunnel ingress: hostname ${rule.hostname} appears twice`);
    seen.add(rule.hostname);
  }
  return [...rules, { service: CATCH_ALL_SERVICE }];
}
