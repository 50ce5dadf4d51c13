import { createPrivateKey, createPublicKey, createSign, createVerify } from "node:crypto";
import { describe, expect, it } from "vitest";
import { offlineRsaKey } from "./offlineRsaKey";

describe("offlineRsaKey", () => {
  const key = offlineRsaKey("fedora/dkim-key-rsa");

  it("is the same key for the same seed, another for another", () => {
    expect(offlineRsaKey("fedora/dkim-key-rsa")).toEqual(key);
    expect(offlineRsaKey("other/dkim-key-rsa").publicKeyPem).not.toBe(key.publicKeyPem);
  });

  it("is a working 2048-bit RSA pair in the tls provider's PEM forms", () => {
    expect(key.privateKeyPem).toMatch(/^-----BEGIN RSA PRIVATE KEY-----\n/);
    expect(key.publicKeyPem).toMatch(/^-----BEGIN PUBLIC KEY-----\n/);
    expect(createPrivateKey(key.privateKeyPem).asymmetricKeyDetails).toEqual({ modulusLength: 2048, publicExponent: 65537n });
    expect(createPublicKey(key.privateKeyPem).export({ type: "spki", format: "pem" })).toBe(key.publicKeyPem);
    const signature = createSign("sha256").update("message").sign(key.privateKeyPem);
    expect(createVerify("sha256").update("message").verify(key.publicKeyPem, signature)).toBe(true);
  });
});
