import { createPublicKey, generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { dkimTxtContent, dkimTxtValue } from "./dkimTxtRecord";

describe("dkimTxtRecord", () => {
  const { publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const pem = publicKey.export({ type: "spki", format: "pem" }).toString();

  it("publishes the key as v=DKIM1; k=rsa; p=<base64 DER SubjectPublicKeyInfo>", () => {
    const value = dkimTxtValue(pem);
    const match = /^v=DKIM1; k=rsa; p=([A-Za-z0-9+/=]+)$/.exec(value);
    expect(match).not.toBeNull();
    const key = createPublicKey({ key: Buffer.from(match![1]!, "base64"), format: "der", type: "spki" });
    expect(key.export({ format: "jwk" })).toEqual(publicKey.export({ format: "jwk" }));
  });

  it("is split into 255-byte strings for Cloudflare, which join back to the record", () => {
    const content = dkimTxtContent(pem);
    const strings = [...content.matchAll(/"([^"]*)"/g)].map((m) => m[1]!);
    expect(strings.length).toBe(2);
    expect(strings[0]).toHaveLength(255);
    expect(strings.join("")).toBe(dkimTxtValue(pem));
  });

  it("takes an RSA key only", () => {
    const ed = generateKeyPairSync("ed25519").publicKey.export({ type: "spki", format: "pem" }).toString();
    expect(() => dkimTxtValue(ed)).toThrow(/expected an RSA public key, got ed25519/);
  });
});
