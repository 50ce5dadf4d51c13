/**
 * The shape of a harness service, declared once in the catalogue. Everything else — the Quadlet unit,
 * the Podman secrets, the Caddy route, the Tunnel ingress rule, the DNS record, the Access
 * application — is derived from it.
 */
import type { GatewayKeyLimits } from "../../components/litellm/gatewayKeys";
import type { SecretValue } from "./secretValue";

/**
 * How a service is reached (system.md §4):
 * - `cloudflared`: `<subdomain>.<domain>` through the Tunnel → Caddy → container, gated by Access;
 * - `internal`: the container network only;
 * - `direct`: host ports open to the internet (mail only);
 * - `tailscale`: operator break-glass over the tailnet only.
 */
export type RoutingPosture = "cloudflared" | "internal" | "direct" | "tailscale";

/**
 * Segmentation (docs/fedora.md §Networks): a container reaches another only where the catalogue
 * declares that edge. The client declares it (`reaches`); Caddy's edges are its routes. Each edge
 * becomes a network of its own with the two ends as its only members, Internal (no route out); a
 * service that needs the internet (`internet`) or publishes a host port gets one more network, its
 * uplink, with itself alone. Sharing a network therefore implies a declared edge.
 */
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
  /** Extra path routes to other ports. */
  paths?: readonly { path: string; port: number }[];
}

/** A 32-byte secret this service owns; other services may reference it by name. */
export interface GeneratedSecretSpec {
  name: string;
  description: string;
  /** Protect from deletion and replacement: losing it loses data. */
  protect?: boolean;
  /** Why a rotation token cannot rotate it (for example, it is applied once, outside Pulumi's reach). */
  notRotatable?: string;
}

/** A file rendered from typed data by a pure renderer, mounted read-only into the container. */
export interface ConfigFile {
  /** File name under the service's config directory on the host. */
  name: string;
  /** Absolute path inside the container. */
  mountPath: string;
  content: string;
}

/**
 * A command run inside the running container (`podman exec`, as the container's user, with its
 * environment plus `env`) each time the container has started: on fedora a oneshot user unit
 * `<service>-<name>.service` that the container's unit wants and that runs after it (Notify=healthy:
 * after the health check passes). Its failure fails that unit alone; the container keeps running.
 */
export interface StartTask {
  name: string;
  description: string;
  command: readonly string[];
  env?: Readonly<Record<string, string>>;
  /**
   * Also run on this systemd calendar (`OnCalendar=`) while the container runs: a timer the
   * container's unit wants. For what must not wait for the next restart (an invite that expires).
   */
  repeat?: { onCalendar: string };
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

/**
 * SELinux relabelling of a host path mounted into a container (Fedora enforces SELinux):
 * - `private` (`:Z`): relabelled for this container only — data no other container may read;
 * - `shared` (`:z`): relabelled for every container — shared data with a stable label;
 * - `none`: not relabelled — paths that cannot carry a label (network filesystems) or must keep the
 *   host's (sockets the host's own services use); the comment at the declaration says why.
 */
export type SelinuxLabel = "shared" | "private" | "none";

export type ServiceVolume =
  | { kind: "volume"; name: string; mountPath: string; readOnly?: boolean; owner?: { uid: number; gid: number } }
  | { kind: "host"; hostPath: string; mountPath: string; readOnly?: boolean; selinux: SelinuxLabel };

export interface HealthCheck {
  /** Run inside the container: `["CMD", argv…]`, or `["CMD-SHELL", "script"]` when a shell is needed. */
  command: readonly string[];
  interval?: string;
  timeout?: string;
  retries?: number;
  startPeriod?: string;
}

/** An image built on the host from a rendered Containerfile (a Quadlet `.build` unit). */
export interface ImageBuild {
  /** The Containerfile, given the base image (the service's image, after overrides). */
  containerfile(baseImage: string): string;
  /** The built image's tag, given the base image (`localhost/paperclip:v<calver>-pi<pi version>`). */
  tag(baseImage: string): string;
}

/** A container that runs to completion on a calendar (a oneshot service and its timer). */
export interface Schedule {
  /** systemd.time(7) calendar event, with its time zone (`*-*-* 03:00:00 Europe/Paris`). */
  onCalendar: string;
  /** Run at the next boot when the machine was off at the scheduled time. */
  persistent?: boolean;
}

/**
 * What a backup of a data-holding service takes (docs/backups.md): a consistent snapshot made while the
 * service runs, stored with restic.
 * - `postgres`: `pg_dump -Fc` inside the sidecar (its own tools, its own socket);
 * - `mariadb`: `mariadb-dump --single-transaction` inside the sidecar, as root (its password is in
 *   the container's environment, `passwordEnv`);
 * - `sqlite`: SQLite's online backup (`.backup`) of `database` in `volume`, plus the volume's other
 *   files (attachments, keys);
 * - `files`: the volumes as they are (maildirs, keys, uploads: files an application writes whole).
 */
export type BackupDeclaration = BackupPolicy &
  (
    | { kind: "postgres"; database: string; user: string }
    | { kind: "mariadb"; database: string; passwordEnv: string }
    | { kind: "sqlite"; volume: string; database: string }
    | { kind: "files"; volumes: readonly string[] }
  );

export type BackupKind = BackupDeclaration["kind"];
export const BACKUP_KINDS: readonly BackupKind[] = ["sqlite", "postgres", "mariadb", "files"];

/** How often: `hourly` or `daily` (the calendar times are staggered per service by the plan). */
export type BackupSchedule = "hourly" | "daily";
export const BACKUP_SCHEDULES: readonly BackupSchedule[] = ["hourly", "daily"];

/** How many snapshots `restic forget` keeps, per period (restic's `--keep-hourly` …). */
export interface BackupRetention {
  hourly?: number;
  daily?: number;
  weekly?: number;
  monthly?: number;
}

export interface BackupPolicy {
  schedule: BackupSchedule;
  retention: BackupRetention;
}

/**
 * Deployed only while `enabled`: a service that must wait for something the operator confirms
 * (Piler waits for the employee-transparency notice) or that this build cannot provide yet.
 */
export interface ServiceGate {
  enabled: boolean;
  /** Why the service is off, for the error shown when someone tries to enable it anyway. */
  reason: string;
  /** The config key that enables it, when there is one. */
  key?: string;
}

interface ServiceBase {
  /** Container name, unit name and DNS name on the harness networks. */
  name: string;
  description: string;
  ports?: readonly ServicePort[];
  route?: PublicRoute;
  env?: Readonly<Record<string, string>>;
  secretEnv?: Readonly<Record<string, SecretValue>>;
  generatedSecrets?: readonly GeneratedSecretSpec[];
  /** Other catalogue services this one needs running first. */
  dependsOn?: readonly string[];
  /** `on-failure` for services whose failures are configuration failures (fail loudly); `no` for jobs. */
  restart: "always" | "on-failure" | "no";
  gate?: ServiceGate;
  /** The service holds data: how it is backed up (docs/backups.md). Container services only. */
  backup?: BackupDeclaration;
}

/** A service in a rootless Podman container (a Quadlet `.container`). */
export interface ContainerService extends ServiceBase {
  kind?: "container";
  /** For a built image (`build`), the base image the Containerfile starts FROM. */
  image: string;
  /** A floating tag (latest, main…) is allowed only with a reason (Principle 1). */
  floatingTagReason?: string;
  secretFiles?: readonly SecretFile[];
  configFiles?: readonly ConfigFile[];
  volumes?: readonly ServiceVolume[];
  devices?: readonly string[];
  groups?: readonly string[];
  /** `uid[:gid]` inside the container. */
  user?: string;
  /** Replaces the image's entrypoint (for example to skip a root-only privilege drop). */
  entrypoint?: string;
  command?: readonly string[];
  health?: HealthCheck;
  /** Extra Podman options without a Quadlet key of their own. */
  podmanArgs?: readonly string[];
  /** Commands run inside the container each time it has started and is healthy (fedora: a oneshot unit each). */
  startTasks?: readonly StartTask[];
  /** Memory limit of the container (`512m`, `4g`); none when absent. */
  memory?: string;
  /**
   * The catalogue services it opens connections to (its database, the gateway, Postfix's submission
   * port…). Each becomes a network shared by the two alone (docs/fedora.md §Networks).
   */
  reaches?: readonly string[];
  /**
   * Why it needs a route out of the host (model providers, outbound SMTP…): it gets an uplink network
   * of its own. Without it, a container's networks are all Internal.
   */
  internet?: string;
  build?: ImageBuild;
  schedule?: Schedule;
}

/** A file a host service needs on the host (its program, a helper script). */
export interface HostFile {
  /** Path relative to the user's home directory. */
  path: string;
  content: string;
  /** Octal mode. Default 0644. */
  mode?: string;
}

/**
 * A program that runs on the host as a plain systemd user service (not a container): the tunnel
 * connector and the email drain. Its secrets reach it through an environment file only the user can
 * read, written from stdin like Podman secrets are.
 *
 * In `exec` and `env` values, a leading `%h/` means the user's home directory.
 */
export interface HostService extends ServiceBase {
  kind: "host";
  /** The command line; the executable is an absolute path the host provides (or a `%h/` path). */
  exec: readonly string[];
  /** Absolute paths of host executables the unit runs (for the validators' list of host binaries). */
  hostExecutables: readonly string[];
  hostFiles?: readonly HostFile[];
  /** Exit statuses that mean "misconfigured": systemd stops restarting instead of looping. */
  restartPreventExitStatus?: readonly number[];
  /**
   * How the service stops: `mixed` signals only the main process, so a child it is waiting for can
   * finish within the timeout (seconds). Default: systemd's (the whole group, 90 s).
   */
  stop?: { killMode: "mixed" | "control-group"; timeoutSec: number };
  /**
   * Runs to completion each time it is started (a oneshot that stays active after success), so a
   * unit ordered after it starts only once it has finished: the gateway's key registration.
   */
  oneshot?: { timeoutSec: number };
}

export type ServiceDeclaration = ContainerService | HostService;

export function isHostService(service: ServiceDeclaration): service is HostService {
  return service.kind === "host";
}

/** A public route after overrides: what Caddy, the Tunnel, DNS and Access are derived from. */
export interface ResolvedRoute {
  service: string;
  hostname: string;
  /** `container:port`, or `host.containers.internal:port` for services on the host. */
  upstream: string;
  paths: readonly { path: string; upstream: string }[];
}

/** Stack settings entries may read (plain data from the stack config, defaults applied). */
export interface CatalogSettings {
  /** Domains Postfix receives mail for and accepts as senders. */
  mailDomains: readonly string[];
  /** Public name of the mail host. */
  mailHostname: string;
  /** The operator confirmed the mail archive's employee-transparency notice. */
  pilerTransparencyNoticeConfirmed: boolean;
  /**
   * The email drain's sender rules by producer (PRODUCER_<NAME>_SENDERS), as the edge derives them
   * (infra/targets/fedora/edge.ts emailProducerSenders); absent where no edge is planned.
   */
  emailProducerSenders?: Readonly<Record<"mcp" | "dlq", readonly string[]>>;
  /** Google OAuth client id for Twenty's Google sign-in, when configured. */
  googleOAuthClientId?: string;
  /** The digest Cockpit's floating tag is pinned to (`cockpitImageDigest`), when the operator gave one. */
  cockpitImageDigest?: string;
  /** The limits of the gateway's scoped virtual keys, by client (`gatewayKeyLimits`, defaults applied). */
  gatewayKeyLimits?: Readonly<Record<"paperclip" | "openwebui", GatewayKeyLimits>>;
  /** The operator's egress lists (`egressAllowHosts`, `egressDenyHosts`). */
  egress?: { allowHosts: readonly string[]; denyHosts: readonly string[] };
}

/** Programs this build installs on the host, by name; absent until their source is part of the build. */
export interface HostPrograms {
  /** The email drain, bundled to one file for the host's Node.js. */
  emailDrain?: () => string;
}

/** What a catalogue entry may depend on: stack-wide facts, never Pulumi resources. */
export interface CatalogContext {
  domain: string;
  /** Prefix of the harness's network names. */
  networkName: string;
  /** `<subdomain>.<domain>`. */
  hostname(subdomain: string): string;
  /** Every public route of the enabled services (empty while routes themselves are being collected). */
  routes: readonly ResolvedRoute[];
  /** Names of the enabled services (empty while routes are being collected). */
  enabledServices: ReadonlySet<string>;
  /** Operator credentials the stack configures (config key names), for entries with optional features. */
  operatorKeys: ReadonlySet<string>;
  /**
   * A container's own fixed addresses on the networks it joins (fedora's network plan); empty in the
   * pass that derives the networks, which never depends on them.
   */
  addressesOf(service: string): readonly string[];
  settings: CatalogSettings;
  hostPrograms: HostPrograms;
}

export type ServiceDefinition = (context: CatalogContext) => ServiceDeclaration;
