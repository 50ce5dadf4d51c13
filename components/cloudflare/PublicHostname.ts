import * as cloudflare from "@pulumi/cloudflare";
import * as pulumi from "@pulumi/pulumi";
import { AccessGate } from "./AccessGate";
import { hostnameIngressRule, type HostnameIngressRule } from "./tunnelIngress";

export interface PublicHostnameArgs {
  accountId: pulumi.Input<string>;
  /** Zone the hostname's DNS record goes in. */
  zoneId: pulumi.Input<string>;
  /** `<subdomain>.<domain>`. */
  hostname: string;
  /** UUID of the tunnel the hostname is routed through. */
  tunnelId: pulumi.Input<string>;
  /** Where cloudflared sends the hostname's requests (Caddy). */
  origin: string;
  /** Zero Trust team name, for cloudflared's own check of the Access token. */
  accessTeam: pulumi.Input<string>;
  /** Who may pass the hostname's Access gate (see AccessGate). */
  emailDomains: readonly string[];
  identityProviderId?: string;
  /** Default: "24h". */
  sessionDuration?: pulumi.Input<string>;
}

/**
 * One public hostname of the Tunnel, and the only way to make one: its Access gate, its proxied CNAME
 * to the tunnel, and the ingress rule the Tunnel's configuration takes from it. There is no way to get
 * a record or a rule without the gate, and both wait for it, so the hostname is never routed ungated.
 */
export class PublicHostname extends pulumi.ComponentResource {
  readonly hostname: string;
  /** The rule for the tunnel configuration; it carries the gate's AUD tag, so it exists only after the gate. */
  readonly ingressRule: pulumi.Output<HostnameIngressRule>;
  readonly gate: AccessGate;
  readonly recordId: pulumi.Output<string>;

  constructor(name: string, args: PublicHostnameArgs, opts?: pulumi.ComponentResourceOptions) {
    super("harness:cloudflare:PublicHostname", name, {}, opts);
    this.hostname = args.hostname;

    this.gate = new AccessGate(
      `${name}-access`,
      {
        accountId: args.accountId,
        hostname: args.hostname,
        emailDomains: args.emailDomains,
        ...(args.identityProviderId === undefined ? {} : { identityProviderId: args.identityProviderId }),
        ...(args.sessionDuration === undefined ? {} : { sessionDuration: args.sessionDuration }),
      },
      { parent: this },
    );

    const record = new cloudflare.DnsRecord(
      `${name}-record`,
      {
        zoneId: args.zoneId,
        name: args.hostname,
        type: "CNAME",
        content: pulumi.interpolate`${args.tunnelId}.cfargotunnel.com`,
        // Proxied: the name resolves to Cloudflare's edge, where Access runs; the tunnel is not reachable otherwise.
        proxied: true,
        // Proxied records always have automatic TTL.
        ttl: 1,
        comment: "paperclip-harness: routed through the Tunnel, gated by Access",
      },
      { parent: this, dependsOn: [this.gate] },
    );

    this.recordId = record.id;
    this.ingressRule = pulumi
      .all([args.accessTeam, this.gate.aud])
      .apply(([teamName, accessAud]) => hostnameIngressRule({ hostname: args.hostname, origin: args.origin, teamName, accessAud }));
    this.registerOutputs({ hostname: this.hostname, ingressRule: this.ingressRule, recordId: this.recordId });
  }
}
