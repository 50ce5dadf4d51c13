import { configErrorOf } from "../../../test/support/configErrors";
import { describe, expect, it } from "vitest";
import { parseStackConfig } from "../parse";

const P = "paperclip-harness:";
const VALID: Record<string, string> = {
  [`${P}target`]: "fedora",
  [`${P}domain`]: "sodimo.eu",
  [`${P}sshHost`]: "harness.sodimo.eu",
  [`${P}sshUser`]: "sodimo",
  [`${P}sshPrivateKey`]: "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXk\n-----END OPENSSH PRIVATE KEY-----",
  [`${P}cloudflareAccountId`]: "5d1c7a3e9b2f4e6a8c0d1b3f5a7e9c2d",
  [`${P}cloudflareZoneId`]: "8e2a4c6f0b1d3e5a7c9f1b3d5e7a9c0b",
  [`${P}cloudflareApiToken`]: "Vw3kq9ZtY7mR2xPc8LsN4bHf6JdG1aTe0uQoXyEi",
  [`${P}cloudflareAccessTeam`]: "sodimo",
};
const SECRET_KEYS = new Set([`${P}sshPrivateKey`, `${P}cloudflareApiToken`]);

const parse = (values: Record<string, string>) =>
  parseStackConfig({ stack: "fedora", values, secretKeys: SECRET_KEYS, implementedTargets: ["fedora"] });

/** The one problem line a user sees for `key = value`. */
function problemFor(key: string, value: string | undefined): string {
  const values = { ...VALID };
  if (value === undefined) delete values[`${P}${key}`];
  else values[`${P}${key}`] = value;
  const lines = configErrorOf(() => parse(values)).split("\n");
  expect(lines[0]).toBe("stacks/Pulumi.fedora.yaml: 1 configuration problem:");
  return lines[1]!;
}

describe("Cloudflare configuration keys", () => {
  it("accepts the required keys and applies the session default", () => {
    expect(parse(VALID)).toMatchObject({
      cloudflareAccountId: "5d1c7a3e9b2f4e6a8c0d1b3f5a7e9c2d",
      cloudflareZoneId: "8e2a4c6f0b1d3e5a7c9f1b3d5e7a9c0b",
      cloudflareAccessTeam: "sodimo",
      accessSessionDuration: "24h",
    });
  });

  it("accepts identities and addresses", () => {
    const config = parse({
      ...VALID,
      [`${P}accessEmailDomains`]: '["sodimo.eu","sodimonet.fr"]',
      [`${P}accessIdentityProviderId`]: "2f6b8d0e-4a1c-4e3b-9d5f-7a0c2e4b6d8f",
      [`${P}accessSessionDuration`]: "2h45m",
      [`${P}deadLetterSummaryTo`]: "ops+dlq@sodimo.eu",
    });
    expect(config.accessEmailDomains).toEqual(["sodimo.eu", "sodimonet.fr"]);
    expect(config.accessSessionDuration).toBe("2h45m");
  });

  it.each([
    [
      "cloudflareAccountId",
      undefined,
      "  - paperclip-harness:cloudflareAccountId: missing: Cloudflare account that holds the Tunnel, Access applications, Queues, D1 databases and the Worker. Set it with `pulumi config set cloudflareAccountId <value>`.",
    ],
    [
      "cloudflareAccountId",
      "5D1C7A3E9B2F4E6A8C0D1B3F5A7E9C2D",
      '  - paperclip-harness:cloudflareAccountId = "5D1C7A3E9B2F4E6A8C0D1B3F5A7E9C2D": expected the account id: 32 lower-case hex characters (dashboard → Account home → Account ID)',
    ],
    [
      "cloudflareZoneId",
      "sodimo.eu",
      '  - paperclip-harness:cloudflareZoneId = "sodimo.eu": expected the zone id: 32 lower-case hex characters (dashboard → the domain\'s Overview → Zone ID)',
    ],
    [
      "cloudflareApiToken",
      undefined,
      "  - paperclip-harness:cloudflareApiToken: missing: Scoped Cloudflare API token for Pulumi and the D1 migrations: Account · Cloudflare Tunnel, Access: Apps and Policies, Queues, D1, Workers Scripts (Edit); Zone · DNS (Edit). Set it with `pulumi config set --secret cloudflareApiToken <value>`.",
    ],
    [
      "cloudflareApiToken",
      "0123456789abcdef0123456789abcdef01234",
      "  - paperclip-harness:cloudflareApiToken = (secret): looks like the account's Global API Key; create a scoped API token instead",
    ],
    [
      "cloudflareApiToken",
      "CHANGEME",
      "  - paperclip-harness:cloudflareApiToken = (secret): is a placeholder (such as CHANGEME), not a real credential; set the real value with --secret",
    ],
    [
      "cloudflareAccessTeam",
      "sodimo.cloudflareaccess.com",
      '  - paperclip-harness:cloudflareAccessTeam = "sodimo.cloudflareaccess.com": expected the team name only, such as "sodimo" for sodimo.cloudflareaccess.com',
    ],
    [
      "cloudflareAccessTeam",
      "Sodimo Team",
      '  - paperclip-harness:cloudflareAccessTeam = "Sodimo Team": expected a DNS label: lower-case letters, digits and "-", 1-63 characters, such as "paperclip"',
    ],
    [
      "accessEmailDomains",
      "[]",
      "  - paperclip-harness:accessEmailDomains = []: expected at least one email domain; remove the key to use accessIdentityProviderId alone",
    ],
    [
      "accessEmailDomains",
      '["sodimo.eu","Sodimo.EU"]',
      '  - paperclip-harness:accessEmailDomains.1 = "Sodimo.EU": expected a lower-case DNS name such as "example.com"',
    ],
    [
      "accessEmailDomains",
      '["sodimo.eu","sodimo.eu"]',
      '  - paperclip-harness:accessEmailDomains = ["sodimo.eu","sodimo.eu"]: expected each domain once',
    ],
    [
      "accessIdentityProviderId",
      "google-workspace",
      '  - paperclip-harness:accessIdentityProviderId = "google-workspace": expected the identity provider\'s id, a UUID (Zero Trust → Settings → Authentication → the provider)',
    ],
    [
      "accessSessionDuration",
      "1 day",
      '  - paperclip-harness:accessSessionDuration = "1 day": expected a non-zero duration such as "24h", "30m" or "2h45m" (units: ns, us, ms, s, m, h)',
    ],
    [
      "accessSessionDuration",
      "0h",
      '  - paperclip-harness:accessSessionDuration = "0h": expected a non-zero duration such as "24h", "30m" or "2h45m" (units: ns, us, ms, s, m, h)',
    ],
    [
      "deadLetterSummaryTo",
      "admin",
      '  - paperclip-harness:deadLetterSummaryTo = "admin": expected an email address such as "admin@example.com"',
    ],
  ])("%s = %s", (key, value, expected) => {
    expect(problemFor(key, value)).toBe(expected);
  });

  it("never prints the API token it rejects", () => {
    const globalKey = "0123456789abcdef0123456789abcdef01234";
    let message = "";
    try {
      parse({ ...VALID, [`${P}cloudflareApiToken`]: globalKey });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain("cloudflareApiToken");
    expect(message).not.toContain(globalKey);
  });
});
