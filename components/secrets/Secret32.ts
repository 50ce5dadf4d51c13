import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";

export interface Secret32Args {
  /**
   * Protect the secret from deletion and replacement. Use it for master keys whose loss loses data
   * (Paperclip's PAPERCLIP_SECRETS_MASTER_KEY). Default: false.
   */
  protect?: boolean;
  /**
   * Arbitrary values that, when changed, generate new bytes: deliberate rotation. Default: none, so
   * the value never changes by accident.
   */
  keepers?: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

/**
 * 32 random bytes from @pulumi/random, exposed as lower-case hex (64 characters) and base64, both
 * secret. Every 32-byte secret of the harness comes from here; none is ever asked of the operator.
 */
export class Secret32 extends pulumi.ComponentResource {
  /** The bytes as 64 lower-case hex characters (secret). */
  readonly hex: pulumi.Output<string>;
  /** The bytes as standard base64 (secret). */
  readonly base64: pulumi.Output<string>;

  constructor(name: string, args: Secret32Args = {}, opts?: pulumi.ComponentResourceOptions) {
    super("harness:secrets:Secret32", name, {}, opts);
    const bytes = new random.RandomBytes(
      `${name}-bytes`,
      { length: 32, ...(args.keepers === undefined ? {} : { keepers: args.keepers }) },
      { parent: this, protect: args.protect ?? false },
    );
    this.hex = pulumi.secret(bytes.hex);
    this.base64 = pulumi.secret(bytes.base64);
    this.registerOutputs({ hex: this.hex, base64: this.base64 });
  }
}
