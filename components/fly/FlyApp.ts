import { createHash } from "node:crypto";
import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { RenderRefusal } from "../../infra/config/RenderRefusal";
import {
  APP_SCRIPT,
  DEPLOY_SCRIPT,
  FLY_BUILD_FILES,
  type FlyBuildFileName,
  PRIVATE_IP_SCRIPT,
  SECRETS_SCRIPT,
  VOLUME_SCRIPT,
} from "./flyctlScripts";

/** A Fly secret: staged with `flyctl secrets import --stage`, its value on stdin. */
export interface FlySecret {
  /** Environment variable name inside the machine. */
  name: string;
  /** The value (a Pulumi secret; it never reaches a command line, a plan or a log). */
  value: pulumi.Input<string>;
}

export interface FlyAppArgs {
  /** Fly app name (global on Fly). */
  app: string;
  /** Organization slug that owns the app. */
  org: string;
  /** Region of the volume, and so of the machine. */
  region: string;
  /** The volume fly.toml mounts; created once, never deleted by this component. */
  volume: { name: string; sizeGb: number };
  /** Fly API token for flyctl: in each command's environment (as a secret), never on a command line. */
  apiToken: pulumi.Input<string>;
  /** The app's secrets. Secrets the app has and this list does not are unset on the next deploy. */
  secrets: readonly FlySecret[];
  /** The build context: fly.toml, the Dockerfile and the files it copies. */
  buildFiles: Readonly<Record<FlyBuildFileName, string>>;
}

const sha256 = (text: string): string => createHash("sha256").update(text).digest("hex");
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const RENDERER = "components/fly/FlyApp.ts";

/**
 * Why a value cannot go through `flyctl secrets import` unchanged, or undefined. Its parser reads
 * NAME=VALUE lines, trims leading spaces, drops surrounding double quotes and starts a multi-line
 * value at `"""`.
 */
export function unstageableReason(value: string): string | undefined {
  if (/[\r\n]/.test(value)) return "contains a line break";
  if (/^[ \t]/.test(value)) return "starts with white space";
  if (value.startsWith('"')) return "starts with a double quote";
  if (value === "") return "is empty";
  return undefined;
}

/** The stdin of `flyctl secrets import`: one NAME=VALUE line per secret, sorted by name. */
export function secretsImportText(secrets: readonly { name: string; value: string }[]): string {
  return [...secrets]
    .sort((a, b) => a.name.localeCompare(b.name))
    .map(({ name, value }) => {
      const reason = unstageableReason(value);
      // Operator values are checked with the stack config; generated ones are hex.
      if (reason) throw new Error(`the Fly secret ${name} cannot be staged: its value ${reason}`);
      return `${name}=${value}\n`;
    })
    .join("");
}

/**
 * One Fly.io app running one machine, driven with flyctl (Fly has no maintained Pulumi provider):
 * - `${name}-app`: the app, created unless it exists;
 * - `${name}-volume`: the volume, created unless it exists (and checked against the declaration);
 * - `${name}-private-ip`: a private (Flycast) IPv6 address only; any public address is an error;
 * - `${name}-secrets`: the app's secrets, staged from stdin;
 * - `${name}-deploy`: the build context written from the command's environment into a temporary
 *   directory and deployed with --ha=false --no-public-ips. Its trigger is a digest of the build
 *   files and the staged secrets, so changing either redeploys and nothing else does.
 * Every script is a constant (components/fly/flyctlScripts.ts); values come in the environment.
 * Nothing is deleted on `pulumi destroy`: the app owns the volume and its data (remove them with
 * `flyctl apps destroy`).
 */
export class FlyApp extends pulumi.ComponentResource {
  /** The app name. */
  readonly app: pulumi.Output<string>;
  /** Digest of what the deployment deploys (build files and staged secrets); not secret. */
  readonly build: pulumi.Output<string>;

  constructor(name: string, args: FlyAppArgs, opts?: pulumi.ComponentResourceOptions) {
    super("harness:fly:FlyApp", name, {}, opts);

    const names = args.secrets.map((s) => s.name);
    for (const secretName of names) {
      if (!ENV_NAME.test(secretName))
        throw new RenderRefusal(`the Fly secrets of ${name}`, RENDERER, "a secret name ([A-Za-z_][A-Za-z0-9_]*)", { value: secretName });
    }
    const duplicate = names.find((n, i) => names.indexOf(n) !== i);
    if (duplicate) throw new RenderRefusal(`the Fly secrets of ${name}`, RENDERER, "each secret once", { value: duplicate });

    const apiToken = pulumi.secret(args.apiToken);
    const environment = (extra: Record<string, pulumi.Input<string>>) => ({ FLY_API_TOKEN: apiToken, FLY_APP: args.app, ...extra });

    const app = new command.local.Command(
      `${name}-app`,
      { create: APP_SCRIPT, environment: environment({ FLY_ORG: args.org }) },
      { parent: this },
    );
    const volume = new command.local.Command(
      `${name}-volume`,
      {
        create: VOLUME_SCRIPT,
        environment: environment({
          FLY_VOLUME: args.volume.name,
          FLY_REGION: args.region,
          FLY_VOLUME_SIZE_GB: String(args.volume.sizeGb),
        }),
      },
      { parent: this, dependsOn: [app] },
    );
    const privateIp = new command.local.Command(
      `${name}-private-ip`,
      { create: PRIVATE_IP_SCRIPT, environment: environment({}) },
      { parent: this, dependsOn: [app] },
    );

    const secretsText = pulumi.secret(
      pulumi
        .all(args.secrets.map((s) => pulumi.output(s.value)))
        .apply((values) => secretsImportText(args.secrets.map((s, i) => ({ name: s.name, value: values[i]! })))),
    );
    const secrets = new command.local.Command(
      `${name}-secrets`,
      {
        create: SECRETS_SCRIPT,
        // The names (never the values) are a leaf input: policies can see which secrets the app holds.
        environment: environment({ FLY_SECRET_NAMES: [...names].sort().join(" ") }),
        stdin: secretsText,
      },
      { parent: this, dependsOn: [app] },
    );

    // A digest, not a secret: SHA-256 over 32-byte random values and long tokens cannot be reversed,
    // and the plan, the logs and the deploy script may show it to say that a deployment is due.
    const deployHash = pulumi.unsecret(
      secretsText.apply((text) =>
        sha256(JSON.stringify({ files: FLY_BUILD_FILES.map((f) => [f.file, sha256(args.buildFiles[f.file])]), secrets: sha256(text) })),
      ),
    );
    new command.local.Command(
      `${name}-deploy`,
      {
        create: DEPLOY_SCRIPT,
        // The same script on update: it skips the deployment when the digest is unchanged.
        update: DEPLOY_SCRIPT,
        environment: environment({
          FLY_DEPLOY_HASH: deployHash,
          ...Object.fromEntries(FLY_BUILD_FILES.map((f) => [f.env, args.buildFiles[f.file]])),
        }),
        triggers: [deployHash],
      },
      { parent: this, dependsOn: [volume, privateIp, secrets] },
    );

    this.app = pulumi.output(args.app);
    this.build = deployHash;
    this.registerOutputs({ app: this.app, build: this.build });
  }
}
