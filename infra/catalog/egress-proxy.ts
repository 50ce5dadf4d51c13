import { MODEL_PROVIDERS } from "../../components/egress/modelProviderHosts";
import { renderSquidConfig } from "../../components/egress/renderSquidConfig";
import {
  renderSquidContainerfile,
  SQUID_BASE_IMAGE,
  SQUID_CONFIG_PATH,
  SQUID_LOG_FIFO,
  SQUID_PORT,
  squidStartScript,
} from "../../components/egress/squidImage";
import { parseImageReference } from "../config/formats";
import type { CatalogSettings, ServiceDefinition } from "./types";

export const EGRESS_PROXY_SERVICE = "egress-proxy";
export const EGRESS_PROXY_URL = `http://${EGRESS_PROXY_SERVICE}:${SQUID_PORT}`;

/**
 * What an agent runtime is told about the proxy: the variables curl, git, npm, pip, Claude Code and
 * most HTTP clients honour (both spellings: some read only one), NODE_USE_ENV_PROXY for Node's own
 * fetch, and NO_PROXY for what it reaches directly over its edge networks. A tool that ignores them
 * has no route at all (an agent runtime's networks are all Internal).
 */
export function egressProxyEnvironment(direct: readonly string[]): Record<string, string> {
  const noProxy = ["localhost", "127.0.0.1", "::1", ...direct].join(",");
  return {
    HTTP_PROXY: EGRESS_PROXY_URL,
    HTTPS_PROXY: EGRESS_PROXY_URL,
    http_proxy: EGRESS_PROXY_URL,
    https_proxy: EGRESS_PROXY_URL,
    NO_PROXY: noProxy,
    no_proxy: noProxy,
    NODE_USE_ENV_PROXY: "1",
  };
}

/** The proxy's configuration: the shipped model-provider list and the operator's lists. */
export function egressProxyConfig(settings: Pick<CatalogSettings, "egress">, logPath: string = SQUID_LOG_FIFO): string {
  return renderSquidConfig({
    port: SQUID_PORT,
    logPath,
    providerHosts: MODEL_PROVIDERS.flatMap((p) => p.hosts),
    providerHostRegexes: MODEL_PROVIDERS.flatMap((p) => p.hostRegexes ?? []),
    allowHosts: settings.egress?.allowHosts ?? [],
    denyHosts: settings.egress?.denyHosts ?? [],
  });
}

/** The tag of the built image: Squid from Debian on the base's release (`localhost/egress-proxy:squid-debian12.11`). */
function egressProxyTag(baseImage: string): string {
  const reference = parseImageReference(baseImage);
  const release = reference?.tag?.replace(/-slim$/, "") ?? reference?.digest?.replace("sha256:", "sha256-").slice(0, 19) ?? "custom";
  return `localhost/egress-proxy:squid-debian${release}`;
}

/**
 * The egress proxy (docs/egress.md): on an edge network with each agent runtime that reaches it, and
 * on its uplink, its only road out. It refuses the model providers and logs every request.
 */
export const egressProxy: ServiceDefinition = (context) => ({
  name: EGRESS_PROXY_SERVICE,
  description: "Squid egress proxy of the agent runtimes (refuses model providers)",
  image: SQUID_BASE_IMAGE,
  build: { containerfile: renderSquidContainerfile, tag: egressProxyTag },
  ports: [{ container: SQUID_PORT, posture: "internal", purpose: "HTTP(S) proxy of the agents network" }],
  internet: "it is the agent runtimes' only road to the internet",
  configFiles: [{ name: "squid.conf", mountPath: SQUID_CONFIG_PATH, content: egressProxyConfig(context.settings) }],
  memory: "256m",
  entrypoint: "/bin/sh",
  command: ["-c", squidStartScript(SQUID_CONFIG_PATH)],
  // The image has bash but no HTTP client: a TCP connect is the check.
  health: { command: ["CMD", "bash", "-c", `exec 3<>/dev/tcp/127.0.0.1/${SQUID_PORT}`], interval: "30s", timeout: "5s", retries: 3 },
  restart: "always",
});
