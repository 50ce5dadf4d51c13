import { NIGHTLY } from "./backupPolicy";
import {
  PAPERCLIP_GENERATED_SECRETS,
  PAPERCLIP_HEALTH,
  PAPERCLIP_HOME,
  PAPERCLIP_PORT,
  PAPERCLIP_SECRET_ENV,
  PAPERCLIP_SECRET_ROLES,
  PAPERCLIP_SERVER_COMMAND,
  PAPERCLIP_UPSTREAM_CALVER,
  PAPERCLIP_UPSTREAM_IMAGE,
  type PaperclipDeployment,
  paperclipConfigDocument,
  paperclipEnvironment,
} from "../../components/paperclip/paperclipSettings";
import { PI_VERSION, renderPaperclipContainerfile } from "../../components/paperclip/renderPaperclipContainerfile";
import { BOOTSTRAP_ADMIN_SCRIPT } from "../../components/kubernetes/scripts";
import { parseImageReference } from "../config/formats";
import { generated, secretJson, secretTemplate } from "./secretValue";
import type { ServiceDefinition } from "./types";
import { litellmGatewayUrl } from "./litellm";
import { PAPERCLIP_GATEWAY_KEY } from "./litellm-keys";
import { CLAUDE_CODE_MANAGED_SETTINGS_PATH, renderClaudeCodeManagedSettings } from "../../components/paperclip/claudeCodeManagedSettings";
import { MCP_ENDPOINT_SECRET_ENV, mcpEndpointConfigFiles, mcpEndpointEnvironment } from "./mcpEndpoint";
import { egressProxyEnvironment } from "./egress-proxy";

/**
 * Podman mounts secrets of type=mount here; config.json is one because it holds the DB password
 * (the server's only copy of it: no DATABASE_URL, which agents would inherit).
 */
const CONFIG_PATH = "/run/secrets/paperclip-config.json";
/** The first-admin script (the Kubernetes first-admin Job's), mounted read-only into the container. */
const BOOTSTRAP_SCRIPT_PATH = "/etc/harness/paperclip/bootstrap-admin.sh";

export const PAPERCLIP_DATABASE_URL = secretTemplate`postgres://paperclip:${generated("paperclip-db-password")}@paperclip-db:5432/paperclip`;

/**
 * The derived image's tag: upstream's calendar version and the pi version (`v<calver>-pi<pi version>`).
 * Upstream tags commit SHAs; the calver is known for the pinned one. Another base (an override)
 * contributes its own tag, or its digest.
 */
export function derivedPaperclipTag(baseImage: string): string {
  const reference = parseImageReference(baseImage);
  const upstream =
    baseImage === PAPERCLIP_UPSTREAM_IMAGE
      ? `v${PAPERCLIP_UPSTREAM_CALVER}`
      : (reference?.tag ?? reference?.digest?.replace("sha256:", "sha256-").slice(0, 19) ?? "custom");
  return `localhost/paperclip:${upstream}-pi${PI_VERSION}`;
}

/** The agent orchestrator (system.md §4.1). */
export const paperclip: ServiceDefinition = (context) => {
  const deployment: PaperclipDeployment = {
    publicUrl: `https://${context.hostname("paperclip")}`,
    exposure: "private",
    gatewayBaseUrl: litellmGatewayUrl,
    configPath: CONFIG_PATH,
  };
  return {
    name: "paperclip",
    description: "Paperclip agent orchestrator (UI + API)",
    // The base of the image built on the host: upstream Paperclip plus the pi CLI.
    image: PAPERCLIP_UPSTREAM_IMAGE,
    build: { containerfile: (base) => renderPaperclipContainerfile(base), tag: derivedPaperclipTag },
    // Reached through Caddy only: its networks are Internal, where Podman's port forwarding does not work.
    ports: [{ container: PAPERCLIP_PORT, posture: "cloudflared", purpose: "UI + API" }],
    // No route out (no `internet`): the internet only through the egress proxy, models only through
    // LiteLLM (docs/egress.md). Caddy reaches it over its own edge network.
    reaches: ["litellm", "paperclip-db", "egress-proxy"],
    // Agent CLIs run inside this container; the Kubernetes targets' default limit, for one host's share.
    memory: "4g",
    route: { subdomain: "paperclip", upstream: { port: PAPERCLIP_PORT } },
    env: {
      ...paperclipEnvironment(deployment),
      ...mcpEndpointEnvironment(context),
      ...egressProxyEnvironment(["litellm", "paperclip-db"]),
    },
    secretEnv: {
      // The generated secrets by role (auth secret, secrets master key), under PAPERCLIP_* names,
      // which Paperclip drops from what agents inherit. The database URL is in config.json only.
      ...Object.fromEntries(PAPERCLIP_GENERATED_SECRETS.map((spec) => [PAPERCLIP_SECRET_ENV[spec.role], generated(spec.name)])),
      // Agents reach models only through LiteLLM, with their scoped virtual key as their only
      // credential (registered by litellm-keys; never the master key).
      ...Object.fromEntries(PAPERCLIP_SECRET_ROLES.gatewayKey.map((name) => [name, PAPERCLIP_GATEWAY_KEY])),
      // Agents send mail only through the company's MCP endpoint, with its service token.
      ...MCP_ENDPOINT_SECRET_ENV,
    },
    // The agent CLIs' MCP configuration for the endpoint (its URL and token are the variables above),
    // and the first-admin script.
    configFiles: [
      ...mcpEndpointConfigFiles(context),
      { name: "bootstrap-admin.sh", mountPath: BOOTSTRAP_SCRIPT_PATH, content: BOOTSTRAP_ADMIN_SCRIPT },
      // Claude Code's own settings, which every way Paperclip starts it reads: the gateway, nothing else.
      {
        name: "claude-managed-settings.json",
        mountPath: CLAUDE_CODE_MANAGED_SETTINGS_PATH,
        content: renderClaudeCodeManagedSettings(deployment.gatewayBaseUrl),
      },
    ],
    // The first admin: on every start and weekly while no admin exists, a fresh invite URL in the journal
    // (`journalctl --user -u paperclip-first-admin`); the unit fails when none could be created.
    startTasks: [
      {
        name: "first-admin",
        description: "Paperclip's first-admin invite (printed while no admin exists)",
        command: ["/bin/sh", BOOTSTRAP_SCRIPT_PATH],
        env: { PAPERCLIP_HEALTH_URL: `http://127.0.0.1:${PAPERCLIP_PORT}${PAPERCLIP_HEALTH.path}` },
        // The invite lasts 30 days and a host may run for months: renewed weekly, as the Kubernetes
        // targets' CronJob does (Mondays 03:00), while no admin exists.
        repeat: { onCalendar: "Mon *-*-* 03:00:00" },
      },
    ],
    secretFiles: [
      {
        name: "config-json",
        mountPath: CONFIG_PATH,
        content: secretJson(paperclipConfigDocument(deployment, PAPERCLIP_DATABASE_URL)),
        uid: 1000,
        gid: 1000,
        mode: "0400",
      },
    ],
    generatedSecrets: PAPERCLIP_GENERATED_SECRETS.map(({ name, description, protect }) => ({
      name,
      description,
      ...(protect ? { protect } : {}),
    })),
    volumes: [{ kind: "volume", name: "paperclip-data", mountPath: PAPERCLIP_HOME, owner: { uid: 1000, gid: 1000 } }],
    // Rootless Podman cannot run upstream's gosu privilege drop: run as node (1000) and start the
    // server directly instead of through docker-entrypoint.sh.
    user: "1000:1000",
    entrypoint: "/usr/local/bin/node",
    command: PAPERCLIP_SERVER_COMMAND,
    // litellm-keys: the agents' key is registered before Paperclip starts.
    dependsOn: ["paperclip-db", "litellm", "litellm-keys"],
    // The hostname guard answers 403 to unknown hosts, health checks included: send an allowed Host.
    health: {
      command: [
        "CMD",
        "curl",
        "-fsS",
        "-H",
        `Host: ${PAPERCLIP_HEALTH.hostHeader}`,
        `http://127.0.0.1:${PAPERCLIP_PORT}${PAPERCLIP_HEALTH.path}`,
      ],
      interval: "30s",
      timeout: "10s",
      retries: 3,
      startPeriod: "120s",
    },
    // Paperclip's failures are configuration failures: fail loudly instead of looping.
    restart: "on-failure",
    // The instance directory: agents' workspaces, config.json and Paperclip's own hourly dumps.
    backup: { ...NIGHTLY, kind: "files", volumes: ["paperclip-data"] },
  };
};
