import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";
import { dkimTxtContent } from "./dkimTxtRecord";

/**
 * The key rspamd DKIM-signs with (RSA 2048, the size RFC 8301 asks signers for and every verifier
 * takes), made by the stack and kept in its state: the private key goes to rspamd as a Podman secret,
 * the public key into the domains' DKIM records. No one has to run `rspamadm dkim_keygen` or copy a
 * TXT record by hand, and a new key reaches DNS in the same update that hands it to rspamd.
 */
export class DkimKey extends pulumi.ComponentResource {
  /** PEM (PKCS#1), secret. */
  readonly privateKeyPem: pulumi.Output<string>;
  /** The DKIM TXT record's content, as Cloudflare takes it (dkimTxtRecord.ts). */
  readonly txtContent: pulumi.Output<string>;

  constructor(name: string, args: Record<string, never> = {}, opts?: pulumi.ComponentResourceOptions) {
    super("harness:mail:DkimKey", name, args, opts);
    const key = new tls.PrivateKey(`${name}-rsa`, { algorithm: "RSA", rsaBits: 2048 }, { parent: this });
    this.privateKeyPem = pulumi.secret(key.privateKeyPem);
    this.txtContent = key.publicKeyPem.apply(dkimTxtContent);
    this.registerOutputs({ txtContent: this.txtContent });
  }
}
