import { createPublicKey } from "node:crypto";
import { txtContent } from "../cloudflare/txtContent";

/**
 * The DKIM key record of an RSA public key (RFC 6376 §3.6.1): `v=DKIM1; k=rsa; p=<base64 of the DER
 * SubjectPublicKeyInfo>`, as Cloudflare TXT content. A 2048-bit key's value is about 410 bytes, so it
 * is split into 255-byte strings, which the verifier joins back.
 */
export function dkimTxtValue(publicKeyPem: string): string {
  const key = createPublicKey(publicKeyPem);
  if (key.asymmetricKeyType !== "rsa") throw new Error(`DKIM record: expected an RSA public key, got ${key.asymmetricKeyType}`);
  return `v=DKIM1; k=rsa; p=${key.export({ type: "spki", format: "der" }).toString("base64")}`;
}

export function dkimTxtContent(publicKeyPem: string): string {
  return txtContent(dkimTxtValue(publicKeyPem));
}
