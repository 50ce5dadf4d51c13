import type { StackValidationPolicy } from "@pulumi/policy";
import { hostnameExceptions, settingsOf, type DefaultedSchema } from "../lib/config";
import { applicationDecisions, CF, hostnameCovered, ofType, protectedHostnames } from "../lib/cloudflare";
import { isUnknown, obj, stackResources, type Plain } from "../lib/plain";

interface Settings {
  domainOnlyHostnames: { hostname: string; reason: string }[];
}

const configSchema: DefaultedSchema = {
  properties: {
    domainOnlyHostnames: hostnameExceptions(
      'Hostnames whose Access gate may admit people by address alone (any login method the account offers, a one-time PIN included), each with the reason; "*" stands for every hostname. None by default.',
    ),
  },
};

/** Include rules that admit a person by an address, whichever way they proved it. */
const BY_ADDRESS = ["email", "emailDomain", "emailList", "everyone"];
/** Rules that name how a person logged in: a login method, or a selector only one identity provider can satisfy. */
const BY_PROVIDER = ["loginMethod", "gsuite", "azureAd", "okta", "githubOrganization", "saml", "oidc"];

const selectors = (rules: readonly Plain[]) => rules.flatMap((rule) => Object.keys(obj(rule) ?? {}));

/**
 * A person passes Access only by logging in through the company's identity provider: an email-domain
 * rule alone admits anyone who receives a one-time PIN at an address of the domain, so one mailbox (or a
 * forwarding rule in it) opens every hostname. Service-token policies name no person and are not judged.
 */
export const accessRequiresIdentityProvider: StackValidationPolicy = {
  name: "access-requires-identity-provider",
  description:
    "Every Access policy that admits people by address (email, email domain, email list) also requires a login through an identity provider (a loginMethod or provider rule in `requires`), or admits only by provider.",
  enforcementLevel: "mandatory",
  severity: "high",
  tags: ["hardening"],
  remediationSteps:
    "Add `requires: [{loginMethod: {id: <identity provider id>}}]` to the policy (the stack's accessIdentityProviderId does it), or list the hostname in this policy's domainOnlyHostnames with the reason.",
  configSchema,
  validateStack: (args, reportViolation) => {
    const { domainOnlyHostnames } = settingsOf<Settings>(args, configSchema);
    const resources = stackResources(args.resources);
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const applications = ofType(resources, CF.accessApplication);
    if (applications.length === 0) args.notApplicable("no Access application in this stack");
    const policies = ofType(resources, CF.accessPolicy);
    const excepted = (hostname: string) =>
      domainOnlyHostnames.some((e) => e.hostname === "*" || hostnameCovered(hostname.toLowerCase(), [e.hostname.toLowerCase()]));

    for (const application of applications) {
      const { hostnames } = protectedHostnames(application);
      if (hostnames.length > 0 && hostnames.every(excepted)) continue;
      const decisions = applicationDecisions(application, byUrn, policies);
      if (isUnknown(decisions)) continue;
      for (const decision of decisions) {
        if (decision.decision !== "allow") continue;
        const byAddress = selectors(decision.includes).filter((s) => BY_ADDRESS.includes(s));
        if (byAddress.length === 0) continue;
        if (selectors(decision.requires).some((s) => BY_PROVIDER.includes(s))) continue;
        reportViolation(
          `${hostnames.join(", ") || application.name}: ${decision.label} of ${application.name} admits people by ${[...new Set(byAddress)].join(", ")} with no identity provider required, so a one-time PIN to any such address passes.`,
          application.urn,
        );
      }
    }
  },
};
