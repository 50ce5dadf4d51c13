/**
 * Who an Access gate lets through, as the include/require rules of a Zero Trust Access policy.
 * Pure, so the rule a policy pack reads on the leaf is the rule tested here.
 */

/** The company's identities: email domains and/or the Google Workspace identity provider. */
export interface AccessIdentities {
  /** Email domains whose users may pass (`sodimo.eu`). May be empty when an identity provider is set. */
  emailDomains: readonly string[];
  /** Id of the Zero Trust identity provider (Google Workspace) users must log in through. */
  identityProviderId?: string;
}

export interface AccessRules {
  /** Any one of these lets a user through (OR). */
  includes: Array<{ emailDomain: { domain: string } } | { loginMethod: { id: string } }>;
  /** Every one of these must also hold (AND). */
  requires: Array<{ loginMethod: { id: string } }>;
}

/**
 * - domains only: anyone with an address in one of them (Access verifies it through whichever login
 *   methods the account offers, e.g. a one-time PIN);
 * - identity provider only: anyone who logs in through it (a Google Workspace provider admits only the
 *   workspace's users);
 * - both: an address in one of the domains, *and* logged in through the provider.
 * Never `everyone`: a gate with no identity is a bug, and this throws.
 */
export function accessRules(identities: AccessIdentities): AccessRules {
  const domains = [...new Set(identities.emailDomains)];
  const provider = identities.identityProviderId;
  if (domains.length === 0 && !provider) {
    throw new Error("an Access gate needs at least one email domain or an identity provider");
  }
  if (domains.length === 0) return { includes: [{ loginMethod: { id: provider! } }], requires: [] };
  return {
    includes: domains.map((domain) => ({ emailDomain: { domain } })),
    requires: provider ? [{ loginMethod: { id: provider } }] : [],
  };
}
