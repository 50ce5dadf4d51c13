/**
 * Everything the `fly` stack will be, computed from the configuration before any resource exists:
 * the four build files (fly.toml, Dockerfile, start script, seed config.json), the app's Fly secrets
 * as descriptions (never values), and the volume. Pure; user mistakes are ConfigErrors.
 */
import type { GeneratedSecretSpec } from "../../catalog/types";
import { rotationProblems } from "../generatedSecrets";
import * as pulumi from "@pulumi/pulumi";
import { DOCKERFILE_CONTEXT_FILES, renderDockerfile } from "../../../components/fly/renderDockerfile";
import { renderFlyToml } from "../../../components/fly/renderFlyToml";
import {
  FLY_IMAGE_PATHS,
  FLY_POSTGRES,
  FLY_VOLUME,
  PAPERCLIP_CONFIG_PATH,
  seedConnectionString,
  START_SCRIPT_SECRET_ENV,
  startScriptEnvironment,
} from "../../../components/fly/flyMachine";
import type { FlyBuildFileName } from "../../../components/fly/flyctlScripts";
import { renderClaudeCodeManagedSettings } from "../../../components/paperclip/claudeCodeManagedSettings";
import { unstageableReason } from "../../../components/fly/FlyApp";
import { startScript, startScriptRequiredEnv } from "../../../components/fly/startScript";
import {
  GATEWAY_KEY_ENV,
  PAPERCLIP_GENERATED_SECRETS,
  PAPERCLIP_HEALTH,
  PAPERCLIP_HOME,
  PAPERCLIP_PORT,
  PAPERCLIP_SECRET_ENV,
  PAPERCLIP_SECRET_ROLES,
  type PaperclipDeployment,
  paperclipConfigDocument,
  paperclipEnvironment,
} from "../../../components/paperclip/paperclipSettings";
import { generated, operator, type SecretValue } from "../../catalog/secretValue";
import { ConfigError, type ConfigProblem } from "../../config/ConfigError";
import { RenderRefusal } from "../../config/RenderRefusal";
import { PROJECT, stackFileOf, type ConfigValues } from "../../config/parse";

/** A Fly secret of the app: its name inside the machine and where its value comes from. */
export interface FlySecretPlan {
  name: string;
  value: SecretValue;
}

/** A 32-byte secret the stack generates (Secret32). */
/** Losing a protected one loses data: protected from deletion and replacement, and not rotatable by a token. */
export type FlyGeneratedSecret = GeneratedSecretSpec;

export interface FlyStackPlan {
  app: string;
  org: string;
  region: string;
  /** Paperclip's one URL: https://<app>.<tailnet DNS name>, served by `tailscale serve --https`. */
  publicUrl: string;
  volume: { name: string; sizeGb: number };
  files: Record<FlyBuildFileName, string>;
  /** Plain environment of the machine (fly.toml [env]); also inside `files["fly.toml"]`. */
  env: Record<string, string>;
  secrets: FlySecretPlan[];
  generatedSecrets: FlyGeneratedSecret[];
  /** The configured exception to Principle 3: Claude Code reaches Anthropic directly. */
  directClaudeSubscription: boolean;
}

/** Set by Fly in every machine, not by this stack. */
const FLY_RUNTIME_ENV = ["FLY_APP_NAME"];

export const FLY_GENERATED_SECRETS: readonly FlyGeneratedSecret[] = [
  ...PAPERCLIP_GENERATED_SECRETS.map(({ name, description, protect }) => ({ name, description, ...(protect ? { protect } : {}) })),
  { name: "paperclip-db-password", description: "Password of the paperclip role of the machine's PostgreSQL." },
];

const RENDERER = "infra/targets/fly/flyPlan.ts";

/** `stack` names the stack file in error messages (Pulumi's current stack by default). */
export function planFly(config: ConfigValues, stack: string = pulumi.getStack()): FlyStackPlan {
  const stackFile = stackFileOf(stack);
  const problems = [
    ...directAccessProblems(config),
    ...rotationProblems(config.rotations ?? {}, FLY_GENERATED_SECRETS),
    ...stagingProblems(config),
  ];
  if (problems.length > 0) throw new ConfigError(stackFile, problems);

  const app = config.flyApp!;
  const direct = config.directClaudeSubscription ?? false;
  const deployment: PaperclipDeployment = {
    publicUrl: `https://${app}.${config.tailnetDnsName!}`,
    exposure: "private",
    gatewayBaseUrl: config.gatewayBaseUrl!,
    configPath: PAPERCLIP_CONFIG_PATH,
  };

  const paperclipEnv = paperclipEnvironment(deployment);
  // The exception: Claude Code goes to Anthropic itself, so it must not be pointed at the gateway
  // (it would send the subscription token there). Everything else still uses the gateway.
  if (direct) delete paperclipEnv.ANTHROPIC_BASE_URL;
  const env = mergeDisjoint(paperclipEnv, startScriptEnvironment());

  const password = generated("paperclip-db-password");
  const gatewayKey = operator("gatewayKey");
  const secrets: FlySecretPlan[] = [
    // The generated secrets by role (auth secret, secrets master key), under PAPERCLIP_* names, which
    // Paperclip drops from what agents inherit. The start script writes the database URL into
    // config.json from the password and removes the password before Paperclip starts.
    ...PAPERCLIP_GENERATED_SECRETS.map((spec) => ({ name: PAPERCLIP_SECRET_ENV[spec.role], value: generated(spec.name) })),
    { name: START_SCRIPT_SECRET_ENV.postgresPassword, value: password },
    { name: START_SCRIPT_SECRET_ENV.tailscaleAuthKey, value: operator("tailscaleAuthKey") },
    // The gateway key is the only model credential agents hold (Principle 3).
    // Direct: Claude Code must not hold the gateway's key, which it would send to Anthropic.
    ...PAPERCLIP_SECRET_ROLES.gatewayKey
      .filter((name) => !(direct && (GATEWAY_KEY_ENV as readonly string[]).includes(name)))
      .map((name) => ({ name, value: gatewayKey })),
    ...(direct ? [{ name: "CLAUDE_CODE_OAUTH_TOKEN", value: operator("claudeCodeOauthToken") }] : []),
  ].sort((a, b) => a.name.localeCompare(b.name));

  const clash = secrets.find((s) => s.name in env);
  if (clash) throw new RenderRefusal("the Fly machine's environment", RENDERER, "a variable or a secret, not both", { value: clash.name });
  const missing = startScriptRequiredEnv().filter(
    (name) => !(name in env) && !secrets.some((s) => s.name === name) && !FLY_RUNTIME_ENV.includes(name),
  );
  if (missing.length > 0)
    throw new RenderRefusal(
      "components/fly/start.sh",
      RENDERER,
      `its require_env variables provided; nothing provides ${missing.join(", ")}`,
    );

  const files: Record<FlyBuildFileName, string> = {
    "fly.toml": renderFlyToml({
      app,
      primaryRegion: config.flyRegion!,
      env,
      internalPort: PAPERCLIP_PORT,
      healthPath: PAPERCLIP_HEALTH.path,
      volume: { source: FLY_VOLUME.name, destination: FLY_VOLUME.mountPath },
      vm: { size: config.flyVmSize!, memoryMb: config.flyVmMemoryMb! },
    }),
    Dockerfile: renderDockerfile({
      baseImage: config.flyNodeImage!,
      tailscaleImage: config.flyTailscaleImage!,
      postgresMajor: FLY_POSTGRES.major,
      npmPackages: [`paperclipai@${config.flyPaperclipVersion!}`, ...(config.flyAgentPackages ?? [])],
      nodeHome: PAPERCLIP_HOME,
      seedConfigPath: FLY_IMAGE_PATHS.seedConfig,
      startScriptPath: FLY_IMAGE_PATHS.startScript,
    }),
    "start.sh": startScript(),
    "config.json": `${JSON.stringify(paperclipConfigDocument(deployment, seedConnectionString()), null, 2)}\n`,
    [DOCKERFILE_CONTEXT_FILES.claudeCodeSettings]: renderClaudeCodeManagedSettings(direct ? undefined : deployment.gatewayBaseUrl),
  };

  return {
    app,
    org: config.flyOrg!,
    region: config.flyRegion!,
    publicUrl: deployment.publicUrl,
    volume: { name: FLY_VOLUME.name, sizeGb: config.flyVolumeSizeGb! },
    files,
    env,
    secrets,
    generatedSecrets: [...FLY_GENERATED_SECRETS],
    directClaudeSubscription: direct,
  };
}

function mergeDisjoint(a: Record<string, string>, b: Record<string, string>): Record<string, string> {
  const overlap = Object.keys(b).find((k) => k in a);
  if (overlap) throw new RenderRefusal("the Fly machine's environment", RENDERER, "each variable once", { value: overlap });
  return { ...a, ...b };
}

const key = (name: string) => `${PROJECT}:${name}`;

/** The subscription token is an explicit, two-key opt-in: the token alone is refused, and so is the switch alone. */
function directAccessProblems(config: ConfigValues): ConfigProblem[] {
  const direct = config.directClaudeSubscription ?? false;
  if (config.claudeCodeOauthToken !== undefined && !direct) {
    return [
      {
        key: key("claudeCodeOauthToken"),
        found: "(secret)",
        expected:
          "is set but directClaudeSubscription is false: agents reach models through the gateway (gatewayKey); to accept the exception to Principle 3, also set directClaudeSubscription: true, or remove the token",
      },
    ];
  }
  if (direct && config.claudeCodeOauthToken === undefined) {
    return [
      {
        key: key("claudeCodeOauthToken"),
        expected:
          "missing: directClaudeSubscription is true, which needs the subscription token. Set it with `pulumi config set --secret claudeCodeOauthToken <value>` (claude setup-token), or set directClaudeSubscription to false.",
      },
    ];
  }
  return [];
}

/** Operator credentials must survive `flyctl secrets import`'s NAME=VALUE parser unchanged. */
function stagingProblems(config: ConfigValues): ConfigProblem[] {
  const operatorKeys = ["tailscaleAuthKey", "gatewayKey", "claudeCodeOauthToken"] as const;
  return operatorKeys.flatMap((name): ConfigProblem[] => {
    const value = config[name];
    const reason = value === undefined ? undefined : unstageableReason(value);
    return reason ? [{ key: key(name), found: "(secret)", expected: `cannot be staged as a Fly secret: the value ${reason}` }] : [];
  });
}
