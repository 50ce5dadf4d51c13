/**
 * squid.conf for the egress proxy: the only road from an agent runtime to the internet (docs/egress.md).
 * Pure: host lists in, configuration text out. Squid judges the host name a client asks for — the
 * CONNECT target for HTTPS, the URL's host for plain HTTP — before it connects anywhere, so a refused
 * host is never contacted, and every request, refused or not, is one line of the access log on the
 * container's stdout (the journal).
 *
 * Order of the rules: unsafe ports and bare IP addresses are refused first (a name is what the lists
 * judge, so a client must give one); the operator's allow-list comes next, so it can reopen a host the
 * other lists refuse; then the model providers, the operator's deny-list and private addresses (the
 * host's LAN, the other Podman networks) are refused; everything else from the container networks passes.
 */
import type { HostPattern } from "./modelProviderHosts";

export interface SquidConfigInput {
  /** Port the proxy listens on (all addresses of its container). */
  port: number;
  /** The FIFO both logs are written to; the start script copies it to stdout (squidStartScript). */
  logPath: string;
  /** Model-provider hosts (`name` or `.domain`), refused. */
  providerHosts: readonly HostPattern[];
  /** Model-provider host names as regular expressions (Squid's dstdom_regex), refused. */
  providerHostRegexes: readonly string[];
  /** The operator's deny-list: refused too. */
  denyHosts: readonly HostPattern[];
  /** The operator's allow-list: passes even when another list refuses it. */
  allowHosts: readonly HostPattern[];
}

const HOST_PATTERN = /^\.?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/;

/** Squid refuses a dstdomain list holding both `.d` and a host under it: keep the widest entries, once each. */
export function normalizeHostPatterns(patterns: readonly HostPattern[], what: string): HostPattern[] {
  const lower = [...new Set(patterns.map((p) => p.toLowerCase()))];
  for (const pattern of lower) {
    if (!HOST_PATTERN.test(pattern)) throw new Error(`squid.conf: invalid host in ${what}: ${JSON.stringify(pattern)}`);
  }
  const covered = (pattern: string) =>
    lower.some((other) => other !== pattern && other.startsWith(".") && (pattern === other.slice(1) || pattern.endsWith(other)));
  return lower.filter((pattern) => !covered(pattern)).sort();
}

function regexLines(regexes: readonly string[]): string[] {
  for (const regex of regexes) {
    if (/\s/.test(regex) || regex === "") throw new Error(`squid.conf: invalid host regex ${JSON.stringify(regex)}`);
    new RegExp(regex); // a contributor's typo fails at render time, not when Squid starts
  }
  return regexes.map((regex) => `acl model_provider_regexes dstdom_regex -i ${regex}`);
}

function aclLines(name: string, patterns: readonly HostPattern[]): string[] {
  // One entry per line: Squid accepts repeated acl lines, and a diff then shows one host per line.
  return normalizeHostPatterns(patterns, name).map((pattern) => `acl ${name} dstdomain ${pattern}`);
}

export function renderSquidConfig(input: SquidConfigInput): string {
  if (!Number.isInteger(input.port) || input.port < 1 || input.port > 65535) throw new Error(`squid.conf: invalid port ${input.port}`);
  if (!/^\/[A-Za-z0-9._/-]+$/.test(input.logPath)) throw new Error(`squid.conf: invalid log path ${input.logPath}`);
  const allow = aclLines("operator_allow", input.allowHosts);
  const deny = aclLines("operator_deny", input.denyHosts);
  const providers = aclLines("model_providers", input.providerHosts);
  const regexes = regexLines(input.providerHostRegexes);
  return [
    "# Managed by paperclip-harness (Pulumi). Local edits are overwritten on the next deployment.",
    "# The egress proxy of the agent runtimes: docs/egress.md.",
    `http_port ${input.port}`,
    "",
    "# A forwarder, not a cache: nothing is stored, on disk or in memory.",
    "cache deny all",
    "cache_mem 0 MB",
    "# Both logs go to the container's stdout, which Podman sends to the journal, through a FIFO the",
    "# start script reads (Squid opens its logs as its own user, who may not open stdout itself).",
    `access_log stdio:${input.logPath} squid`,
    `cache_log ${input.logPath}`,
    "logfile_rotate 0",
    "pid_filename none",
    "pinger_enable off",
    "shutdown_lifetime 1 seconds",
    "visible_hostname egress-proxy",
    "# Nothing about the client is added to what leaves.",
    "forwarded_for delete",
    "httpd_suppress_version_string on",
    "",
    "acl CONNECT method CONNECT",
    "acl SSL_ports port 443",
    "acl Safe_ports port 80 443",
    "# The container networks the agents are on (private addresses only).",
    "acl container_networks src 10.0.0.0/8 172.16.0.0/12 192.168.0.0/16 fc00::/7 fe80::/10",
    "# A bare address would escape the host lists: a client must name the host it wants.",
    "acl ip_literal dstdom_regex ^[0-9.]+$ ^\\[?[0-9a-f:]*:[0-9a-f:.]*\\]?$",
    "acl private_destination dst 0.0.0.0/8 10.0.0.0/8 100.64.0.0/10 127.0.0.0/8 169.254.0.0/16 172.16.0.0/12 192.168.0.0/16 ::1 fc00::/7 fe80::/10",
    ...(allow.length > 0 ? ["# The operator's allow-list (egressAllowHosts).", ...allow] : []),
    "# Model providers: agents reach models only through LiteLLM (Principle 3).",
    ...providers,
    ...regexes,
    ...(deny.length > 0 ? ["# The operator's deny-list (egressDenyHosts).", ...deny] : []),
    "",
    "http_access deny !Safe_ports",
    "http_access deny CONNECT !SSL_ports",
    "http_access deny ip_literal",
    ...(allow.length > 0 ? ["http_access allow container_networks operator_allow"] : []),
    ...(providers.length > 0 ? ["http_access deny model_providers"] : []),
    ...(regexes.length > 0 ? ["http_access deny model_provider_regexes"] : []),
    ...(deny.length > 0 ? ["http_access deny operator_deny"] : []),
    "http_access deny private_destination",
    "http_access allow container_networks",
    "http_access deny all",
    "",
  ].join("\n");
}
