import { describe, expect, it } from "vitest";
import { accessRules } from "./accessRules";

const IDP = "2f6b8d0e-4a1c-4e3b-9d5f-7a0c2e4b6d8f";

describe("accessRules", () => {
  it.each([
    [
      "email domains only: any address in one of them",
      { emailDomains: ["sodimo.eu", "sodimonet.fr"] },
      { includes: [{ emailDomain: { domain: "sodimo.eu" } }, { emailDomain: { domain: "sodimonet.fr" } }], requires: [] },
    ],
    [
      "identity provider only: anyone who logs in through it",
      { emailDomains: [], identityProviderId: IDP },
      { includes: [{ loginMethod: { id: IDP } }], requires: [] },
    ],
    [
      "both: an address in the domain, and logged in through the provider",
      { emailDomains: ["sodimo.eu"], identityProviderId: IDP },
      { includes: [{ emailDomain: { domain: "sodimo.eu" } }], requires: [{ loginMethod: { id: IDP } }] },
    ],
    [
      "a domain listed twice is one rule",
      { emailDomains: ["sodimo.eu", "sodimo.eu"] },
      { includes: [{ emailDomain: { domain: "sodimo.eu" } }], requires: [] },
    ],
  ])("%s", (_case, identities, expected) => {
    expect(accessRules(identities)).toEqual(expected);
  });

  it("refuses a gate that would let nobody in particular through", () => {
    expect(() => accessRules({ emailDomains: [] })).toThrow("an Access gate needs at least one email domain or an identity provider");
  });

  it("never produces an everyone rule", () => {
    const rules = accessRules({ emailDomains: ["sodimo.eu"], identityProviderId: IDP });
    expect(JSON.stringify(rules)).not.toMatch(/everyone|anyValidServiceToken/);
  });
});
