import { createHash } from "node:crypto";
import * as cloudflare from "@pulumi/cloudflare";
import * as pulumi from "@pulumi/pulumi";

/**
 * Cloudflare's permission groups for objects in one R2 bucket ("Workers R2 Storage Bucket Item
 * Read" / "… Write", `GET /user/tokens/permission_groups`), scoped by the resource
 * `com.cloudflare.edge.r2.bucket.<account>_default_<bucket>`.
 */
export const R2_BUCKET_ITEM_READ = "6a018a9f2fc74eb6b293b0c548f38b39";
export const R2_BUCKET_ITEM_WRITE = "2efd5506f9c8494dacb1fa10a3e7d5b6";

export interface BackupBucketArgs {
  accountId: string;
  bucketName: string;
  /** R2 location hint (`weur`, `eeur`, …). Default: Cloudflare's choice. */
  location?: pulumi.Input<string>;
}

/**
 * The off-site backup bucket (docs/backups.md): an R2 bucket, protected (its objects are the only
 * copy off the premises), and an API token that may read and write objects in that bucket and
 * nothing else. R2's S3 credentials are derived from the token: its id is the access key id, the
 * SHA-256 of its value the secret access key (R2 docs, Authentication).
 */
export class BackupBucket extends pulumi.ComponentResource {
  readonly bucketName: pulumi.Output<string>;
  readonly accessKeyId: pulumi.Output<string>;
  readonly secretAccessKey: pulumi.Output<string>;

  constructor(name: string, args: BackupBucketArgs, opts?: pulumi.ComponentResourceOptions) {
    super("harness:cloudflare:BackupBucket", name, {}, opts);
    const bucket = new cloudflare.R2Bucket(
      `${name}-bucket`,
      { accountId: args.accountId, name: args.bucketName, ...(args.location === undefined ? {} : { location: args.location }) },
      { parent: this, protect: true },
    );
    const token = new cloudflare.ApiToken(
      `${name}-token`,
      {
        name: `harness backups (${args.bucketName})`,
        policies: [
          {
            effect: "allow",
            permissionGroups: [{ id: R2_BUCKET_ITEM_READ }, { id: R2_BUCKET_ITEM_WRITE }],
            resources: bucket.name.apply((bucketName) =>
              JSON.stringify({ [`com.cloudflare.edge.r2.bucket.${args.accountId}_default_${bucketName}`]: "*" }),
            ),
          },
        ],
      },
      { parent: this, dependsOn: [bucket], additionalSecretOutputs: ["value"] },
    );
    this.bucketName = bucket.name;
    this.accessKeyId = pulumi.secret(token.id);
    this.secretAccessKey = pulumi.secret(token.value.apply((value) => createHash("sha256").update(value).digest("hex")));
    this.registerOutputs({ bucketName: this.bucketName });
  }
}
