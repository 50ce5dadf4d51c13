/**
 * A compliant fly stack as flyctl commands (the contract lib/fly.ts documents): the deploy command
 * writes fly.toml and the Dockerfile with here-documents, and the secrets command stages them from
 * stdin and lists their names in FLY_SECRET_NAMES.
 */
import type { AnalyzerResource } from "../runAnalyzer";
import { resource, secret } from "./wire";
import { PAPERCLIP_NPM_PACKAGE } from "../../components/paperclip/paperclipRelease";

const COMMAND = "command:local:Command";

export interface FlySpec {
  toml: string;
  dockerfile: string;
  /** Claude Code's managed settings, a build-context file the Dockerfile copies. */
  claudeSettings: string;
  deployFlags: string;
  secrets: Record<string, string>;
}

export function flySpec(): FlySpec {
  return {
    toml: [
      'app = "sodimo-paperclip"',
      'primary_region = "cdg"',
      "",
      "[build]",
      '  dockerfile = "Dockerfile"',
      "",
      "[env]",
      '  PAPERCLIP_DEPLOYMENT_MODE = "authenticated"',
      '  PAPERCLIP_DEPLOYMENT_EXPOSURE = "private"',
      '  PAPERCLIP_PUBLIC_URL = "https://sodimo-paperclip.tail1234.ts.net"',
      '  PAPERCLIP_ALLOWED_HOSTNAMES = "sodimo-paperclip.tail1234.ts.net"',
      '  ANTHROPIC_BASE_URL = "http://litellm.internal:4000"',
      '  OPENAI_BASE_URL = "http://litellm.internal:4000"',
      "",
      "[[mounts]]",
      '  source = "paperclip_data"',
      '  destination = "/paperclip"',
      "",
      "[[vm]]",
      '  size = "shared-cpu-1x"',
      '  memory = "1gb"',
      "",
      "[checks.health]",
      '  type = "http"',
      "  port = 3100",
      '  path = "/api/health"',
      '  interval = "30s"',
      '  timeout = "10s"',
      '  grace_period = "120s"',
      '  headers = { Host = "localhost" }',
      "",
    ].join("\n"),
    dockerfile: [
      "FROM docker.io/library/node:22.12.0-bookworm-slim",
      `RUN npm install -g ${PAPERCLIP_NPM_PACKAGE} @anthropic-ai/claude-code@2.0.14`,
      "COPY claude-managed-settings.json /etc/claude-code/managed-settings.json",
      'CMD ["/start.sh"]',
      "",
    ].join("\n"),
    claudeSettings: JSON.stringify({
      env: { ANTHROPIC_BASE_URL: "http://litellm.internal:4000", CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1" },
    }),
    deployFlags: "--remote-only",
    secrets: {
      PAPERCLIP_AGENT_JWT_SECRET: "4e7a1d0c3f6b9e2a5d8c1f4b7e0a3d6c9f2b5e8a1d4c7f0b3e6a9d2c5f8b1e4a",
      OPENAI_API_KEY: "sk-7d0a3c6f9b2e5d8a1c4f7b0e3d6a9c2f7d0a3c6f9b2e5d8a1c4f7b0e3d6a9c2f",
      ANTHROPIC_AUTH_TOKEN: "sk-7d0a3c6f9b2e5d8a1c4f7b0e3d6a9c2f7d0a3c6f9b2e5d8a1c4f7b0e3d6a9c2f",
    },
  };
}

export function flyResources(spec: FlySpec): AnalyzerResource[] {
  const deploy = [
    "set -eu",
    "cat > fly.toml <<'TOML'",
    spec.toml.trimEnd(),
    "TOML",
    `flyctl deploy --config fly.toml --app sodimo-paperclip ${spec.deployFlags}`,
    "",
  ].join("\n");
  const stage = "set -eu\nflyctl secrets import --stage --app sodimo-paperclip\n";
  return [
    resource(COMMAND, "fly-secrets", {
      create: stage,
      update: stage,
      stdin: secret(
        Object.entries(spec.secrets)
          .map(([k, v]) => `${k}=${v}`)
          .join("\n"),
      ),
      environment: { FLY_SECRET_NAMES: Object.keys(spec.secrets).join(" ") },
    }),
    resource(COMMAND, "fly-deploy", {
      create: deploy,
      update: deploy,
      triggers: ["d41d8cd98f00b204e9800998ecf8427e"],
      // The build context as the deploy command's environment carries it (components/fly/flyctlScripts.ts).
      environment: { FLY_BUILD_DOCKERFILE: spec.dockerfile, FLY_BUILD_CLAUDE_MANAGED_SETTINGS_JSON: spec.claudeSettings },
    }),
  ];
}
