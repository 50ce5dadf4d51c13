/**
 * The shape of a harness service, declared once in the catalogue. Everything else — the Quadlet unit,
 * the Podman secrets, the Caddy route, the Tunnel ingress rule, the DNS record, the Access
 * application — is derived from it.
 */
import type { SecretValue } from "./secretValue";

/**
 * How a service is reached (system.md §4):
 * - `cloudflared`: `<subdomain>.<domain>` through the Tunnel → Caddy → container, gated by Access;
 * - `internal`: the container network only;
 * - `direct`: host ports open to the internet (mail only);
 * - `tailscale`: operator break-glass over the tailnet only.
 */
export type RoutingPosture = "cloudflared" | "internal" | "direct" | "tailscale";

export interface ServicePort {
  /** Port inside the container. */
  container: number;
  /** Port published on the host: on 127.0.0.1, unless the posture is `direct`. Omit to publish nothing. */
  host?: number;
  protocol?: "tcp" | "udp";
  posture: RoutingPosture;
  /** What the port is, for the README's service table. */
  purpose?: string;
}

/** A public hostname: `<subdomain>.<domain>` routed by Caddy. Only for `cloudflared` services. */
export interface PublicRoute {
  subdomain: string;
  /** Container port Caddy proxies to (by container name), or the host's loopback for host services. */
  upstream: { port: number; onHost?: boolean };
  /** Extra path routes to other ports (Vaultwarden's WebSocket hub). */
  paths?: readonly { path: string; port: number }[];
}

/** A 32-byte secret this service owns; other services may reference it by name. */
export interface GeneratedSecretSpec {
  name: string;
  description: string;
  /** Protect from deletion and replacement: losing it loses data. */
  protect?: boolean;
}

/** A file rendered from typed data by a pure renderer, mounted read-only into the container. */
export interface ConfigFile {
  /** File name under the service's config directory on the host. */
  name: string;
  /** Absolute path inside the container. */
  mountPath: string;
  content: string;
}

/** A file that holds secrets: delivered as a Podman secret (type=mount), never written to disk by us. */
export interface SecretFile {
  /** Podman secret name suffix: `<service>-<name>`. */
  name: string;
  mountPath: string;
  content: SecretValue;
  uid?: number;
  gid?: number;
  mode?: string;
}

export type ServiceVolume =
  | { kind: "volume"; name: string; mountPath: string; readOnly?: boolean; owner?: { uid: number; gid: number } }
  | { kind: "host"; hostPath: string; mountPath: string; readOnly?: boolean; selinux?: "shared" | "private" | "none" };

export interface HealthCheck {
  /** Run inside the container: `["CMD", argv…]`, or `["CMD-SHELL", "script"]` when a shell is needed. */
  command: readonly string[];
  interval?: string;
  timeout?: string;
  retries?: number;
  startPeriod?: string;
}

export interface ServiceDeclaration {
  /** Container name, unit name and DNS name on the harness network. */
  name: string;
  description: string;
  image: string;
  /** A floating tag (latest, main…) is allowed only with a reason (Principle 1). */
  floatingTagReason?: string;
  ports?: readonly ServicePort[];
  route?: PublicRoute;
  env?: Readonly<Record<string, string>>;
  secretEnv?: Readonly<Record<string, SecretValue>>;
  secretFiles?: readonly SecretFile[];
  generatedSecrets?: readonly GeneratedSecretSpec[];
  configFiles?: readonly ConfigFile[];
  volumes?: readonly ServiceVolume[];
  devices?: readonly string[];
  groups?: readonly string[];
  /** `uid[:gid]` inside the container. */
  user?: string;
  /** Replaces the image's entrypoint (for example to skip a root-only privilege drop). */
  entrypoint?: string;
  command?: readonly string[];
  /** Other catalogue services this one needs running first. */
  dependsOn?: readonly string[];
  health?: HealthCheck;
  /** `on-failure` for services whose failures are configuration failures (fail loudly). */
  restart: "always" | "on-failure";
  /** Extra Podman options without a Quadlet key of their own. */
  podmanArgs?: readonly string[];
  /** Networks in addition to the harness network. */
  extraNetworks?: readonly string[];
}

/** A public route after overrides: what Caddy, the Tunnel, DNS and Access are derived from. */
export interface ResolvedRoute {
  service: string;
  hostname: string;
  /** `container:port`, or `host.containers.internal:port` for services on the host. */
  upstream: string;
  paths: readonly { path: string; upstream: string }[];
}

/** What a catalogue entry may depend on: stack-wide facts, never Pulumi resources. */
export interface CatalogContext {
  domain: string;
  /** Name of the harness network (container-name DNS). */
  networkName: string;
  /** `<subdomain>.<domain>`. */
  hostname(subdomain: string): string;
  /** Every public route of the enabled services (empty while routes themselves are being collected). */
  routes: readonly ResolvedRoute[];
  /** Operator credentials the stack configures (config key names), for entries with optional features. */
  operatorKeys: ReadonlySet<string>;
}

export type ServiceDefinition = (context: CatalogContext) => ServiceDeclaration;
