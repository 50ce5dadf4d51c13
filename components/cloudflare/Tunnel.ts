import * as cloudflare from "@pulumi/cloudflare";
import * as pulumi from "@pulumi/pulumi";
import { Secret32 } from "../secrets/Secret32";
import { PublicHostname } from "./PublicHostname";
import { checkTunnelOrigin, DEFAULT_TUNNEL_ORIGIN, tunnelIngressRules } from "./tunnelIngress";

/** A hostname the tunnel serves, and the catalogue service it belongs to (names its resources). */
export interface TunnelHostname {
  service: string;
  hostname: string;
}

export interface TunnelArgs {
  accountId: pulumi.Input<string>;
  /** Zone of the hostnames' DNS records. */
  zoneId: pulumi.Input<string>;
  /** The tunnel's name in Zero Trust. */
  tunnelName: pulumi.Input<string>;
  /**
   * Every public hostname, in rule order. Each gets its Access gate, its CNAME and its ingress rule
   * (PublicHostname); there is no other way to route a hostname through this tunnel.
   */
  hostnames: readonly TunnelHostname[];
  /** Where every hostname's requests go. Default: "http://127.0.0.1:80" (Caddy on the host). */
  origin?: string;
  /** Zero Trust team name (`<team>.cloudflareaccess.com`). */
  accessTeam: pulumi.Input<string>;
  /** Email domains allowed through every hostname's gate. Empty only when `identityProviderId` is set. */
  emailDomains: readonly string[];
  /** Identity provider every login must go through. Default: none. */
  identityProviderId?: string;
  /** Access session length on every hostname. Default: "24h". */
  sessionDuration?: pulumi.Input<string>;
}

/**
 * One named, remotely-managed Cloudflare Tunnel (system.md §5): its secret from Secret32, one
 * PublicHostname per hostname, and its configuration — the hostnames' rules in order, then the
 * catch-all `http_status:404`. The connector is the host's `cloudflared` unit, which needs only
 * `token` (secret). Gates and records are created before the configuration that routes to them.
 */
export class Tunnel extends pulumi.ComponentResource {
  readonly tunnelId: pulumi.Output<string>;
  /** `<tunnel-id>.cfargotunnel.com`, what every hostname's CNAME points at. */
  readonly cnameTarget: pulumi.Output<string>;
  /** The connector token for `cloudflared tunnel run --token` (secret). */
  readonly token: pulumi.Output<string>;
  readonly publicHostnames: readonly PublicHostname[];

  constructor(name: string, args: TunnelArgs, opts?: pulumi.ComponentResourceOptions) {
    super("harness:cloudflare:Tunnel", name, {}, opts);
    // Checked now, not inside an apply where the error would surface late.
    const origin = checkTunnelOrigin(args.origin ?? DEFAULT_TUNNEL_ORIGIN);

    const secret = new Secret32(`${name}-secret`, {}, { parent: this });
    const tunnel = new cloudflare.ZeroTrustTunnelCloudflared(
      `${name}-tunnel`,
      {
        accountId: args.accountId,
        name: args.tunnelName,
        // Remotely managed: the ingress rules live in Cloudflare (the config below), not on the host.
        configSrc: "cloudflare",
        tunnelSecret: secret.base64,
      },
      { parent: this, additionalSecretOutputs: ["tunnelSecret"] },
    );

    const services = new Set<string>();
    this.publicHostnames = args.hostnames.map(({ service, hostname }) => {
      if (services.has(service)) throw new Error(`Tunnel ${name}: service ${service} has two hostnames`);
      services.add(service);
      return new PublicHostname(
        `${name}-${service}`,
        {
          accountId: args.accountId,
          zoneId: args.zoneId,
          hostname,
          tunnelId: tunnel.id,
          origin,
          accessTeam: args.accessTeam,
          emailDomains: args.emailDomains,
          ...(args.identityProviderId === undefined ? {} : { identityProviderId: args.identityProviderId }),
          ...(args.sessionDuration === undefined ? {} : { sessionDuration: args.sessionDuration }),
        },
        { parent: this },
      );
    });

    new cloudflare.ZeroTrustTunnelCloudflaredConfig(
      `${name}-config`,
      {
        accountId: args.accountId,
        tunnelId: tunnel.id,
        source: "cloudflare",
        config: {
          ingresses: pulumi.all(this.publicHostnames.map((h) => h.ingressRule)).apply(tunnelIngressRules),
        },
      },
      { parent: this, dependsOn: [...this.publicHostnames] },
    );

    const token = cloudflare.getZeroTrustTunnelCloudflaredTokenOutput(
      { accountId: args.accountId, tunnelId: tunnel.id },
      { parent: this },
    ).token;

    this.tunnelId = tunnel.id;
    this.cnameTarget = pulumi.interpolate`${tunnel.id}.cfargotunnel.com`;
    this.token = pulumi.secret(token);
    this.registerOutputs({ tunnelId: this.tunnelId, cnameTarget: this.cnameTarget, token: this.token });
  }
}
