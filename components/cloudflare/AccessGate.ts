import * as cloudflare from "@pulumi/cloudflare";
import * as pulumi from "@pulumi/pulumi";
import { accessRules } from "./accessRules";

export interface AccessGateArgs {
  /** Cloudflare account the application and policy belong to. */
  accountId: pulumi.Input<string>;
  /** The hostname the gate protects (`paperclip.sodimo.eu`): the whole host, every path. */
  hostname: string;
  /** Email domains allowed through. Empty only when `identityProviderId` is set. */
  emailDomains: readonly string[];
  /**
   * Zero Trust identity provider (Google Workspace) users must log in through. When set, it is also the
   * application's only login method and users are sent straight to it. Default: none.
   */
  identityProviderId?: string;
  /** How long a login lasts (Go duration). Default: "24h". */
  sessionDuration?: pulumi.Input<string>;
  /**
   * Access service tokens that may also pass (machines, no login): a second policy, Service Auth
   * (`non_identity`), including exactly these tokens. Default: none, and no second policy.
   */
  serviceTokenIds?: ReadonlyArray<pulumi.Input<string>>;
}

/**
 * Cloudflare Access in front of one hostname: an allow policy for the company's identities and a
 * self-hosted application on the hostname that uses it. Everything a policy pack judges is on the two
 * leaves: the application's `type`, `domain`, `destinations` and `policies`; the policy's `decision`,
 * `includes` and `requires`. The policy is the application's only one, so nobody else gets through —
 * unless `serviceTokenIds` names service tokens, which get a second, Service Auth policy of their own.
 */
export class AccessGate extends pulumi.ComponentResource {
  /** Id of the Access application. */
  readonly applicationId: pulumi.Output<string>;
  /** The application's audience tag: what cloudflared checks each request's Access token against. */
  readonly aud: pulumi.Output<string>;
  /** Id of the allow policy. */
  readonly policyId: pulumi.Output<string>;

  constructor(name: string, args: AccessGateArgs, opts?: pulumi.ComponentResourceOptions) {
    super("harness:cloudflare:AccessGate", name, {}, opts);
    const rules = accessRules({
      emailDomains: args.emailDomains,
      ...(args.identityProviderId === undefined ? {} : { identityProviderId: args.identityProviderId }),
    });

    const policy = new cloudflare.ZeroTrustAccessPolicy(
      `${name}-policy`,
      {
        accountId: args.accountId,
        name: `${args.hostname}: company identities`,
        decision: "allow",
        includes: rules.includes,
        ...(rules.requires.length > 0 ? { requires: rules.requires } : {}),
      },
      { parent: this },
    );

    const serviceTokenIds = args.serviceTokenIds ?? [];
    // Service tokens carry no identity, so an allow policy never matches them: Access admits them only
    // through a Service Auth (non_identity) policy. It includes the listed tokens and no other.
    const servicePolicy =
      serviceTokenIds.length === 0
        ? undefined
        : new cloudflare.ZeroTrustAccessPolicy(
            `${name}-service-policy`,
            {
              accountId: args.accountId,
              name: `${args.hostname}: service tokens`,
              decision: "non_identity",
              includes: serviceTokenIds.map((tokenId) => ({ serviceToken: { tokenId } })),
            },
            { parent: this },
          );

    const provider = args.identityProviderId;
    const application = new cloudflare.ZeroTrustAccessApplication(
      `${name}-app`,
      {
        accountId: args.accountId,
        name: args.hostname,
        type: "self_hosted",
        domain: args.hostname,
        destinations: [{ type: "public", uri: args.hostname }],
        policies: [{ id: policy.id, precedence: 1 }, ...(servicePolicy ? [{ id: servicePolicy.id, precedence: 2 }] : [])],
        sessionDuration: args.sessionDuration ?? "24h",
        ...(provider === undefined ? {} : { allowedIdps: [provider], autoRedirectToIdentity: true }),
        // The session cookie is not readable by scripts and not sent on cross-site subrequests.
        httpOnlyCookieAttribute: true,
        sameSiteCookieAttribute: "lax",
        appLauncherVisible: true,
      },
      { parent: this },
    );

    this.applicationId = application.id;
    this.aud = application.aud;
    this.policyId = policy.id;
    this.registerOutputs({ applicationId: this.applicationId, aud: this.aud, policyId: this.policyId });
  }
}
