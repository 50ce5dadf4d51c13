/** Hosts named by URL-ish values, and whether a host is one of a set of service names. */

/** The host of a URL, or of `host:port` without a scheme; undefined when the value names none. */
export function hostOfUrl(value: string): string | undefined {
  const text = value.trim();
  if (text === "") return undefined;
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `http://${text}`;
  try {
    const host = new URL(withScheme).hostname.toLowerCase();
    return host.startsWith("[") ? host.slice(1, -1) : host || undefined;
  } catch {
    return undefined;
  }
}

/**
 * True when `host` is one of `names`: directly (container-name DNS), as a Kubernetes Service
 * (`name.namespace.svc`, `name.namespace.svc.cluster.local`) or as a Fly private name
 * (`name.internal`, `name.flycast`). A public domain that merely starts with the name
 * (`litellm.ai`, `litellm.example.com`) is not the service.
 */
export function isServiceHost(host: string, names: Iterable<string>): boolean {
  const lower = host.toLowerCase().replace(/\.$/, "");
  for (const name of names) {
    const n = name.toLowerCase();
    if (lower === n) return true;
    if (n.includes(".")) continue;
    const rest = lower.startsWith(`${n}.`) ? lower.slice(n.length + 1) : undefined;
    if (rest === undefined) continue;
    if (/^[a-z0-9-]+\.svc(\.cluster\.local)?$/.test(rest) || rest === "internal" || rest === "flycast") return true;
  }
  return false;
}

export const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "::1"]);

/** Host names a container uses to reach ports published on its own host. */
export const HOST_GATEWAY_NAMES = new Set(["host.containers.internal", "host.docker.internal", "10.0.2.2"]);

/** Every URL or `host:port` mention in free text (a config file, a command line, an env value). */
export function hostMentions(text: string): { host: string; port?: number; text: string }[] {
  const mentions: { host: string; port?: number; text: string }[] = [];
  const pattern =
    /\b(?:[a-z][a-z0-9+.-]*:\/\/)?(?:[^\s/@'"]+@)?([a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*)(?::(\d{1,5}))?(?=[/\s'",;)\]}]|$)/gi;
  for (const match of text.matchAll(pattern)) {
    const host = match[1]!.toLowerCase();
    const port = match[2] ? Number(match[2]) : undefined;
    const hasScheme = /:\/\//.test(match[0]);
    // Bare words are only mentions when they carry a port (`litellm:4000`) or a scheme.
    if (!hasScheme && port === undefined) continue;
    mentions.push({ host, ...(port === undefined ? {} : { port }), text: match[0] });
  }
  return mentions;
}
