/**
 * fly.toml, serialized by smol-toml (never assembled as text). The seed's lessons are not options
 * here; they are what this renderer always writes:
 * - the health check sends `Host: localhost`: Paperclip's hostname guard answers 403 to the
 *   internal host names Fly's checks use;
 * - its grace period is 120 s: a first boot (Tailscale, PostgreSQL initdb, migrations) takes 30-45 s;
 * - one machine always runs (`min_machines_running = 1`, auto-stop off): tailnet traffic does not
 *   go through Fly's proxy, so it would never wake a suspended machine;
 * - at least 1024 MB (the agent CLI is OOM-killed at 512 MB), checked again here.
 * The app gets no public IP (the deploy passes --no-public-ips); the http service is reached over
 * Flycast and is what the health check probes. Tailscale serves HTTPS to the tailnet.
 */
import { stringify } from "smol-toml";
import { PAPERCLIP_HEALTH, PAPERCLIP_MIN_MEMORY_MIB } from "../paperclip/paperclipSettings";
import { RenderRefusal } from "../../infra/config/RenderRefusal";

export interface FlyTomlInput {
  app: string;
  primaryRegion: string;
  /** Plain environment of the machine ([env]); secrets are Fly secrets, never here. */
  env: Readonly<Record<string, string>>;
  /** The port Paperclip listens on. */
  internalPort: number;
  /** Path of the health endpoint (answers 503 while the database is unreachable). */
  healthPath: string;
  volume: { source: string; destination: string };
  vm: { size: string; memoryMb: number };
}

/** The lessons, as values (exported so tests and docs name the same numbers). */
export const FLY_HEALTH_CHECK = {
  gracePeriod: "120s",
  interval: "30s",
  timeout: "10s",
  hostHeader: PAPERCLIP_HEALTH.hostHeader,
} as const;
export const FLY_MIN_MEMORY_MB = PAPERCLIP_MIN_MEMORY_MIB;

const HEADER = [
  "# Rendered by paperclip-harness (components/fly/renderFlyToml.ts); edit the stack config, not this file.",
  "# No public IPs: deployed with --no-public-ips. Paperclip is reached over Tailscale (tailscale serve --https).",
  "",
].join("\n");

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const RENDERER = "components/fly/renderFlyToml.ts";

export function renderFlyToml(input: FlyTomlInput): string {
  if (input.vm.memoryMb < FLY_MIN_MEMORY_MB) {
    throw new RenderRefusal("fly.toml", RENDERER, `at least ${FLY_MIN_MEMORY_MB} MB: below it the agent CLI is OOM-killed`, {
      value: String(input.vm.memoryMb),
    });
  }
  for (const name of Object.keys(input.env)) {
    if (!ENV_NAME.test(name))
      throw new RenderRefusal("fly.toml", RENDERER, "an environment variable name ([A-Za-z_][A-Za-z0-9_]*)", { value: name });
  }
  const document = {
    app: input.app,
    primary_region: input.primaryRegion,
    // The start script stops Paperclip, then PostgreSQL (fast shutdown), then tailscaled.
    kill_signal: "SIGTERM",
    kill_timeout: "30s",
    build: { dockerfile: "Dockerfile" },
    env: Object.fromEntries(Object.entries(input.env).sort(([a], [b]) => a.localeCompare(b))),
    http_service: {
      internal_port: input.internalPort,
      // Flycast is plain HTTP inside Fly's private network; TLS is Tailscale's job.
      force_https: false,
      auto_stop_machines: "off",
      auto_start_machines: true,
      min_machines_running: 1,
      checks: [
        {
          grace_period: FLY_HEALTH_CHECK.gracePeriod,
          interval: FLY_HEALTH_CHECK.interval,
          timeout: FLY_HEALTH_CHECK.timeout,
          method: "GET",
          path: input.healthPath,
          headers: { Host: FLY_HEALTH_CHECK.hostHeader },
        },
      ],
    },
    mounts: [{ source: input.volume.source, destination: input.volume.destination }],
    vm: [{ size: input.vm.size, memory: `${input.vm.memoryMb}mb` }],
  };
  return HEADER + stringify(document);
}
