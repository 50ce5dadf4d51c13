/**
 * The egress proxy's image and how it starts: Debian's own Squid package on a pinned Debian base,
 * built on the host (a Quadlet `.build`), so the proxy is the same Squid the CI test runs
 * (components/egress/squidEgress.test.ts installs Debian's `squid`).
 */

/** Debian 12, the release whose Squid (5.7) the CI machine installs. */
export const SQUID_BASE_IMAGE = "docker.io/library/debian:12.11-slim";
export const SQUID_CONFIG_PATH = "/etc/squid/squid.conf";
export const SQUID_PORT = 3128;

export function renderSquidContainerfile(baseImage: string): string {
  if (!/^[a-z0-9.:/@_-]+$/i.test(baseImage)) throw new Error(`Containerfile: invalid base image ${baseImage}`);
  return [
    "# Managed by paperclip-harness (Pulumi): Debian's Squid, the egress proxy of the agent runtimes.",
    `FROM ${baseImage}`,
    "RUN apt-get update \\",
    "  && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends squid \\",
    "  && rm -rf /var/lib/apt/lists/*",
    "",
  ].join("\n");
}

/** The FIFO Squid writes both its logs to (squidStartScript copies it to stdout); /tmp, which any user may write. */
export const SQUID_LOG_FIFO = "/tmp/squid-log.fifo";

/**
 * The container's command, run by /bin/sh. Squid opens its logs as its `proxy` user (after dropping
 * to it when started as root, on fedora; from the start on Kubernetes, where the pod runs as proxy),
 * and that user may not open the container's stdout (owned by root, or a socket): the script makes a
 * FIFO that user owns, copies it to stdout — opened read-write, so the copy never sees an end of file
 * when Squid reopens its logs — and then runs Squid in the foreground. Every log line reaches the
 * journal (or `kubectl logs`).
 */
export function squidStartScript(configPath: string, logPath: string = SQUID_LOG_FIFO): string {
  for (const path of [configPath, logPath]) if (!/^\/[A-Za-z0-9._/-]+$/.test(path)) throw new Error(`squid: invalid path ${path}`);
  return `rm -f ${logPath} && mkfifo -m 0600 ${logPath} && chown proxy:proxy ${logPath} && (cat <>${logPath} &) && exec squid -N -f ${configPath}`;
}
