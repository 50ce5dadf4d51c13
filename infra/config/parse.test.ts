import { configErrorOf } from "../../test/support/configErrors";
import { describe, expect, it } from "vitest";
import { CONFIG_KEYS } from "./keys";
import { parseStackConfig } from "./parse";

const P = "paperclip-harness:";
const VALID_FEDORA: Record<string, string> = {
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
const SECRET_KEYS = [`${P}sshPrivateKey`, `${P}anthropicApiKey`, `${P}openaiApiKey`, `${P}extraSecrets`, `${P}cloudflareApiToken`];

function parse(values: Record<string, string>, secretKeys: string[] = SECRET_KEYS, stack = "fedora") {
  return parseStackConfig({ stack, values, secretKeys: new Set(secretKeys), implementedTargets: ["fedora"] });
}

/** The error message a user sees for this configuration. */
function messageFor(values: Record<string, string>, secretKeys: string[] = SECRET_KEYS): string {
  return configErrorOf(() => parse(values, secretKeys));
}

describe("stack config validation", () => {
  it("accepts a complete fedora stack and applies defaults", () => {
    const config = parse(VALID_FEDORA);
    expect(config).toMatchObject({
      target: "fedora",
      domain: "sodimo.eu",
      sshPort: 22,
      podmanVersion: "5.4",
      networkName: "harness",
      networkSubnet: "10.89.0.0/24",
      targetUnit: "harness",
      services: {},
      rotations: {},
    });
  });

  it("rejects an unknown target with a suggestion", () => {
    expect(messageFor({ ...VALID_FEDORA, [`${P}target`]: "fedroa" })).toBe(
      [
        "stacks/Pulumi.fedora.yaml: 1 configuration problem:",
        '  - paperclip-harness:target = "fedroa": unknown target; expected one of fedora, fly, sealos, homelab (did you mean "fedora"?)',
      ].join("\n"),
    );
  });

  it("says a target that is not built yet is not implemented, instead of deploying nothing", () => {
    expect(messageFor({ [`${P}target`]: "sealos" })).toBe(
      [
        "stacks/Pulumi.fedora.yaml: 1 configuration problem:",
        '  - paperclip-harness:target = "sealos": the sealos target is not implemented yet (implemented: fedora)',
      ].join("\n"),
    );
  });

  it("names a missing key and how to set it", () => {
    const { [`${P}sshUser`]: _omitted, ...values } = VALID_FEDORA;
    expect(messageFor(values)).toBe(
      [
        "stacks/Pulumi.fedora.yaml: 1 configuration problem:",
        "  - paperclip-harness:sshUser: missing: The unprivileged user that owns the rootless Podman harness (linger enabled); units go to its ~/.config. Set it with `pulumi config set sshUser <value>`.",
      ].join("\n"),
    );
  });

  it("says how to set a missing credential encrypted", () => {
    const { [`${P}sshPrivateKey`]: _omitted, ...values } = VALID_FEDORA;
    expect(messageFor(values)).toContain(
      "paperclip-harness:sshPrivateKey: missing: Private key that logs in as sshUser (the file without .pub). Set it with `pulumi config set --secret sshPrivateKey <value>`.",
    );
  });

  it("suggests the intended key for a misspelt one", () => {
    expect(messageFor({ ...VALID_FEDORA, [`${P}domian`]: "sodimo.eu" })).toBe(
      [
        "stacks/Pulumi.fedora.yaml: 1 configuration problem:",
        '  - paperclip-harness:domian: unknown key (did you mean "paperclip-harness:domain"?)',
      ].join("\n"),
    );
  });

  it("catches a misspelt project namespace", () => {
    expect(messageFor({ ...VALID_FEDORA, "paperclip-harnes:domain": "sodimo.eu" })).toContain(
      '  - paperclip-harnes:domain: unknown namespace "paperclip-harnes" (did you mean "paperclip-harness:domain"?)',
    );
  });

  it("leaves provider namespaces alone", () => {
    expect(() => parse({ ...VALID_FEDORA, "cloudflare:apiToken": "x", "kubernetes:context": "y" })).not.toThrow();
  });

  it("rejects a bad DNS name", () => {
    expect(messageFor({ ...VALID_FEDORA, [`${P}domain`]: "Sodimo..eu" })).toBe(
      [
        "stacks/Pulumi.fedora.yaml: 1 configuration problem:",
        '  - paperclip-harness:domain = "Sodimo..eu": expected a lower-case DNS name such as "example.com"',
      ].join("\n"),
    );
  });

  it("rejects a bad port, numeric or not", () => {
    expect(messageFor({ ...VALID_FEDORA, [`${P}sshPort`]: "70000" })).toContain(
      "  - paperclip-harness:sshPort = 70000: expected a port number (an integer from 1 to 65535)",
    );
    expect(messageFor({ ...VALID_FEDORA, [`${P}sshPort`]: "ssh" })).toContain(
      '  - paperclip-harness:sshPort = "ssh": expected a port number (an integer from 1 to 65535)',
    );
  });

  it("rejects an image reference that is not fully qualified", () => {
    const services = JSON.stringify({ paperclip: { image: "paperclip:latest" } });
    expect(messageFor({ ...VALID_FEDORA, [`${P}services`]: services })).toBe(
      [
        "stacks/Pulumi.fedora.yaml: 1 configuration problem:",
        '  - paperclip-harness:services.paperclip.image = "paperclip:latest": expected a fully-qualified image reference with a tag or digest, such as "docker.io/library/postgres:16" or "ghcr.io/org/app@sha256:<64 hex>"',
      ].join("\n"),
    );
  });

  it("rejects a CHANGEME placeholder where a secret belongs, without printing it", () => {
    const message = messageFor({ ...VALID_FEDORA, [`${P}anthropicApiKey`]: "CHANGEME-ANTHROPIC-KEY" });
    expect(message).toBe(
      [
        "stacks/Pulumi.fedora.yaml: 1 configuration problem:",
        "  - paperclip-harness:anthropicApiKey = (secret): is a placeholder (such as CHANGEME), not a real credential; set the real value with --secret",
      ].join("\n"),
    );
    expect(message).not.toContain("CHANGEME-ANTHROPIC-KEY");
  });

  it("rejects placeholders inside a structured secret, naming the entry", () => {
    const extraSecrets = JSON.stringify({ braveApiKey: "real-looking-value-123", resendApiKey: "<your resend key>" });
    expect(messageFor({ ...VALID_FEDORA, [`${P}extraSecrets`]: extraSecrets })).toContain(
      "  - paperclip-harness:extraSecrets.resendApiKey = (secret): is a placeholder (such as CHANGEME), not a real credential; set the real value with --secret",
    );
  });

  it("rejects a credential set in plain text", () => {
    expect(messageFor({ ...VALID_FEDORA, [`${P}openaiApiKey`]: "sk-proj-abc123" }, [`${P}sshPrivateKey`, `${P}cloudflareApiToken`])).toBe(
      [
        "stacks/Pulumi.fedora.yaml: 1 configuration problem:",
        "  - paperclip-harness:openaiApiKey = (plain text): is a credential: set it encrypted with `pulumi config set --secret openaiApiKey <value>`",
      ].join("\n"),
    );
  });

  it("rejects a credential placeholder in a plain environment override", () => {
    const services = JSON.stringify({ paperclip: { env: { BRAVE_API_KEY: "CHANGEME" } } });
    expect(messageFor({ ...VALID_FEDORA, [`${P}services`]: services })).toContain(
      '  - paperclip-harness:services.paperclip.env.BRAVE_API_KEY = "CHANGEME": is a credential placeholder in plain environment; declare it under secrets ({fromConfig: <extraSecrets name>} or {generate: hex32}) instead',
    );
  });

  it("suggests the intended override setting", () => {
    const services = JSON.stringify({ paperclip: { imgae: "docker.io/x/y:1" } });
    expect(messageFor({ ...VALID_FEDORA, [`${P}services`]: services })).toContain(
      '  - paperclip-harness:services.paperclip.imgae: unknown setting (did you mean "image"?)',
    );
  });

  it("reports every problem at once", () => {
    const message = messageFor({
      ...VALID_FEDORA,
      [`${P}domain`]: "bad domain",
      [`${P}sshPort`]: "0",
      [`${P}networkSubnet`]: "10.89.0.1/24",
      [`${P}podmanVersion`]: "latest",
    });
    expect(message.split("\n")[0]).toBe("stacks/Pulumi.fedora.yaml: 4 configuration problems:");
    expect(message).toContain(
      'paperclip-harness:networkSubnet = "10.89.0.1/24": expected an IPv4 network in CIDR notation with host bits zero',
    );
    expect(message).toContain(
      'paperclip-harness:podmanVersion = "latest": expected a Podman major.minor version the Quadlet key table knows: 4.4, 4.5,',
    );
  });

  it("keeps the SSH private key's value out of every message, and spots a pasted public key", () => {
    const message = messageFor({ ...VALID_FEDORA, [`${P}sshPrivateKey`]: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5 me@laptop" });
    expect(message).toContain(
      "  - paperclip-harness:sshPrivateKey = (secret): is a public key; expected the private key (the file without .pub)",
    );
    expect(message).not.toContain("AAAAC3");
  });
});

describe("the key registry", () => {
  it("defines each key once, for every target that shares it", () => {
    // Loading the registry ran mergeKeyAreas, which throws on a name defined by two areas.
    expect(CONFIG_KEYS.gatewayBaseUrl.targets).toEqual(["fly", "sealos", "homelab"]);
  });
});
