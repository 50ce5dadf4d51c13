import * as cloudflare from "@pulumi/cloudflare";
import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import type { D1MigrationFile } from "../../apps/d1/migrations";
import { d1MigrationBundle, d1MigrationsScript, WRANGLER_ENVIRONMENT } from "./d1Migrations";

export interface D1Args {
  accountId: pulumi.Input<string>;
  /** The database's name in the account (lower-case letters, digits, "-"). */
  databaseName: string;
  /** Its versioned schema, in order (`listD1Migrations()`); applied at deploy time, each file once. */
  migrations: readonly D1MigrationFile[];
  /** API token with D1 Edit, for wrangler (goes to the command's environment, secret). */
  apiToken: pulumi.Input<string>;
  /**
   * Protect the database from deletion and replacement: for data that cannot be recomputed (the run
   * ledger is the record of every gateway crossing). Default: false.
   */
  protect?: boolean;
}

/**
 * A D1 database with its schema applied from the repository's migrations. The migrations run as a
 * `command:local:Command` with the pinned wrangler (`d1 migrations apply --remote`), replaced when the
 * database or any migration's hash changes; wrangler skips files already recorded in `d1_migrations`,
 * so a re-run applies only what is new. Why wrangler rather than the D1 HTTP API: it is the tool the
 * migrations are tested with (twice, on a local D1), with the same bookkeeping, so deploy and test
 * cannot disagree on what "applied" means.
 */
export class D1 extends pulumi.ComponentResource {
  /** The database's UUID, resolved only once its migrations are applied (bind Workers to this). */
  readonly databaseId: pulumi.Output<string>;
  readonly databaseName: pulumi.Output<string>;

  constructor(name: string, args: D1Args, opts?: pulumi.ComponentResourceOptions) {
    super("harness:cloudflare:D1", name, {}, opts);

    const database = new cloudflare.D1Database(
      `${name}-database`,
      { accountId: args.accountId, name: args.databaseName },
      { parent: this, protect: args.protect ?? false },
    );

    const migrations = new command.local.Command(
      `${name}-migrations`,
      {
        create: d1MigrationsScript(args.databaseName),
        stdin: database.uuid.apply((id) => JSON.stringify(d1MigrationBundle(args.databaseName, id, args.migrations))),
        environment: {
          ...WRANGLER_ENVIRONMENT,
          CLOUDFLARE_ACCOUNT_ID: args.accountId,
          CLOUDFLARE_API_TOKEN: pulumi.secret(args.apiToken),
        },
        triggers: [database.uuid, ...args.migrations.map((file) => `${file.name}:${file.sha256}`)],
      },
      { parent: this },
    );

    this.databaseId = pulumi.all([database.uuid, migrations.id]).apply(([id]) => id);
    this.databaseName = database.name;
    this.registerOutputs({ databaseId: this.databaseId, databaseName: this.databaseName });
  }
}
