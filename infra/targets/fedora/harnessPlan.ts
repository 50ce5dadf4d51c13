/**
 * Declare once, derive the rest: from the resolved catalogue to everything the Fedora host receives.
 * Pure: it returns unit files, config files, secrets (as descriptions) and restart groups, which the
 * Harness component then delivers.
 *
 * - a container service becomes a `.container` (plus its `.volume`s, a `.build` when its image is
 *   built on the host, and a `.timer` when it runs on a calendar);
 * - a host service becomes a plain systemd user `.service` with its files and an environment file
 *   for its secrets;
 * - the networks derived from the declared edges (networkPlan.ts) are `.network` units; the target
 *   unit wants every service, and each unit orders itself after the services it depends on.
 */
import type { HarnessFile, HarnessRestart } from "../../../components/podman/Harness";
import type { HostRequirements } from "../../../components/podman/hostCommands";
import { renderUnit } from "../../../components/podman/renderUnit";
import {
  type BuildUnit,
  type ContainerUnit,
  type NetworkUnit,
  type SecretReference,
  type ServiceUnit,
  systemdUnitName,
  type TargetUnit,
  type TimerUnit,
  type UnitFile,
  type UnitValue,
  type VolumeMount,
  type VolumeUnit,
  unitFileName,
  isQuadlet,
  withSpecifiers,
} from "../../../components/podman/unitModel";
import { secretEnvironmentFile, type SecretValue } from "../../catalog/secretValue";
import { type BackupPlan, type BackupPlanOptions, deriveBackupPlan } from "./backupPlan";
import type { ResolvedCatalog } from "../../catalog/resolveCatalog";
import type { ContainerService, HostService, ServiceDeclaration, StartTask } from "../../catalog/types";
import type { NetworkPlan } from "./networkPlan";

export interface HarnessPlanOptions {
  network: NetworkPlan;
  targetUnit: string;
  podmanVersion: string;
  /** The backups' repositories (docs/backups.md); without them, no backup units. */
  backup?: BackupPlanOptions;
}

export interface PlannedSecret {
  name: string;
  value: SecretValue;
  /**
   * For host services: the file (relative to home, mode 0600) the secret is written to, instead of
   * a Podman secret. Containers get Podman secrets.
   */
  path?: string;
}

export interface HarnessPlan {
  units: readonly UnitFile[];
  files: readonly HarnessFile[];
  secrets: readonly PlannedSecret[];
  restarts: readonly HarnessRestart[];
  targetUnit: string;
  requirements: HostRequirements;
  /** Executables the host must provide for the plain units (podman aside). */
  hostExecutables: readonly string[];
  /** The network names each service joins, by service name (a host service joins none). */
  memberships: ReadonlyMap<string, readonly string[]>;
  backup?: BackupPlan;
}

export const QUADLET_DIR = ".config/containers/systemd";
export const SYSTEMD_USER_DIR = ".config/systemd/user";
export const CONFIG_DIR = ".config/harness";
const SECRETS_DIR = `${CONFIG_DIR}/secrets`;
/** Big images (Paperclip's is ~2.5 GB, built on the host) take time on first start; systemd's 90 s is too short. */
const START_TIMEOUT = "900";
/** A scheduled job may run this long before systemd stops it. */
const JOB_TIMEOUT = "3h";

/**
 * `%h/…` (the user's home) or `%t/…` (the user's runtime directory) at the start of a host path or
 * value: keep the specifier; everything else is escaped as plain text.
 */
function hostValue(value: string): UnitValue {
  return /^%[ht]\//.test(value) ? withSpecifiers(value) : value;
}

export function deriveHarnessPlan(catalog: ResolvedCatalog, options: HarnessPlanOptions): HarnessPlan {
  const target = `${options.targetUnit}.target`;
  const volumes = new Map<string, VolumeUnit>();
  const serviceUnits: UnitFile[] = [];
  const wanted: string[] = [];
  const secrets: PlannedSecret[] = [];
  const extraFiles: HarnessFile[] = [];
  const restarts: HarnessRestart[] = [];
  const memberships = new Map<string, readonly string[]>();
  const hostExecutables = new Set<string>();

  // Routes are probed where cloudflared sends them: Caddy's port on the host's loopback.
  const caddyPort = catalog.services.find((s) => s.name === "caddy")?.ports?.find((p) => p.container === 80)?.host;
  for (const service of catalog.services) {
    memberships.set(service.name, options.network.memberships.get(service.name) ?? []);
    const planned = service.kind === "host" ? hostServicePlan(service) : containerServicePlan(service, options, volumes);
    serviceUnits.push(...planned.units);
    wanted.push(planned.wanted);
    secrets.push(...planned.secrets);
    extraFiles.push(...planned.files);
    if (service.kind === "host") service.hostExecutables.forEach((e) => hostExecutables.add(e));
    restarts.push({
      unit: planned.wanted,
      files: [...planned.units.map(unitFileName), ...planned.files.map((f) => f.key)],
      secrets: planned.secrets.map((s) => s.name),
      after: (service.dependsOn ?? []).map((dependency) => `${dependency}.service`),
      ...(service.kind !== "host" && service.health && !service.schedule ? { healthContainer: service.name } : {}),
      ...routeCheckOf(service.name, catalog, caddyPort),
    });
  }

  const backup = options.backup ? deriveBackupPlan(catalog, options.backup) : undefined;
  if (backup) {
    serviceUnits.push(...backup.units);
    wanted.push(...backup.timers);
    secrets.push(...backup.secrets);
    extraFiles.push(...backup.files);
    for (const timer of backup.timers) {
      const name = timer.replace(/\.timer$/, "");
      // A timer restarts when its program or its units change; the program reads its secrets when it runs.
      restarts.push({
        unit: timer,
        files: [`${name}.service`, `${name}.timer`, ...backup.files.map((f) => f.key)],
        secrets: [],
        after: [],
      });
    }
  }

  const networks = options.network.networks.map((network): NetworkUnit => ({
    kind: "network",
    name: network.name,
    unit: {
      Description:
        network.kind === "uplink"
          ? `Uplink of ${network.members[0]} (its route out, its alone)`
          : `Edge ${network.members[0]} to ${network.members[1]} (no route out)`,
    },
    network: {
      NetworkName: network.name,
      Subnet: [network.subnet],
      // No route out of the host: a container there reaches only the other end.
      ...(network.internal ? { Internal: true } : {}),
      // Netavark drops traffic between isolated networks: a container cannot route through the
      // rootless network namespace to a network it does not join.
      Options: ["isolate=true"],
    },
  }));

  const targetUnit: TargetUnit = {
    kind: "target",
    name: options.targetUnit,
    unit: {
      Description: `Every service of the harness (${catalog.services.length} services)`,
      // The target pulls every service in; each service orders itself after its own dependencies.
      Wants: wanted,
    },
    install: { WantedBy: ["default.target"] },
  };

  const units: UnitFile[] = [...networks, ...volumes.values(), ...serviceUnits, targetUnit];
  const unitFiles = units.map((unit): HarnessFile => ({
    key: unitFileName(unit),
    path: `${isQuadlet(unit) ? QUADLET_DIR : SYSTEMD_USER_DIR}/${unitFileName(unit)}`,
    content: renderUnit(unit, { podmanVersion: options.podmanVersion }),
    definesUnit: systemdUnitName(unit),
  }));

  const privilegedPorts = catalog.services
    .flatMap((s) => s.ports ?? [])
    .flatMap((p) => (p.host !== undefined && p.host < 1024 ? [p.host] : []));

  return {
    units,
    files: [...unitFiles, ...extraFiles],
    secrets,
    restarts,
    targetUnit: target,
    requirements: {
      podmanVersion: options.podmanVersion,
      ...(privilegedPorts.length > 0 ? { lowestPrivilegedPort: Math.min(...privilegedPorts) } : {}),
    },
    hostExecutables: [...hostExecutables, ...(backup ? ["/usr/bin/bash"] : [])].sort(),
    memberships,
    ...(backup ? { backup } : {}),
  };
}

/** The first public route of a service, probed through Caddy after its restart. */
function routeCheckOf(service: string, catalog: ResolvedCatalog, caddyPort: number | undefined): Pick<HarnessRestart, "route"> {
  const route = catalog.routes.find((r) => r.service === service);
  return route && caddyPort !== undefined ? { route: { hostname: route.hostname, address: `127.0.0.1:${caddyPort}` } } : {};
}

interface ServicePlan {
  units: UnitFile[];
  files: HarnessFile[];
  secrets: PlannedSecret[];
  /** The unit the target wants and deployments restart (`x.service`, or `x.timer` for a job). */
  wanted: string;
}

interface ServiceSecret extends PlannedSecret {
  reference: SecretReference;
}

/** One Podman secret per secret variable or file, named `<service>-<variable or file>`. */
function podmanSecretsOf(service: ContainerService): ServiceSecret[] {
  const fromEnv = Object.entries(service.secretEnv ?? {}).map(([variable, value]): ServiceSecret => {
    const name = `${service.name}-${variable.toLowerCase().replaceAll("_", "-")}`;
    return { name, value, reference: { name, type: "env", target: variable } };
  });
  const fromFiles = (service.secretFiles ?? []).map((file): ServiceSecret => {
    const name = `${service.name}-${file.name}`;
    return {
      name,
      value: file.content,
      reference: {
        name,
        type: "mount",
        target: file.mountPath,
        ...(file.uid === undefined ? {} : { uid: file.uid }),
        ...(file.gid === undefined ? {} : { gid: file.gid }),
        ...(file.mode === undefined ? {} : { mode: file.mode }),
      },
    };
  });
  return [...fromEnv, ...fromFiles];
}

function dependencyUnits(service: ServiceDeclaration): string[] {
  return (service.dependsOn ?? []).map((d) => `${d}.service`);
}

function containerServicePlan(service: ContainerService, options: HarnessPlanOptions, volumes: Map<string, VolumeUnit>): ServicePlan {
  for (const volume of service.volumes ?? []) {
    if (volume.kind !== "volume" || volumes.has(volume.name)) continue;
    volumes.set(volume.name, {
      kind: "volume",
      name: volume.name,
      unit: { Description: `Volume ${volume.name}` },
      volume: {
        VolumeName: volume.name,
        ...(volume.owner ? { User: String(volume.owner.uid), Group: String(volume.owner.gid) } : {}),
      },
    });
  }

  const secrets = podmanSecretsOf(service);
  const configDir = `${CONFIG_DIR}/${service.name}`;
  const configFiles = (service.configFiles ?? []).map((file): HarnessFile => ({
    key: `${service.name}/${file.name}`,
    path: `${configDir}/${file.name}`,
    content: file.content,
  }));
  const units: UnitFile[] = [];
  const files = [...configFiles];

  let image = service.image;
  if (service.build) {
    const containerfile: HarnessFile = {
      key: `${service.name}/Containerfile`,
      path: `${configDir}/Containerfile`,
      content: service.build.containerfile(service.image),
    };
    files.push(containerfile);
    const build: BuildUnit = {
      kind: "build",
      name: service.name,
      unit: { Description: `Image of ${service.name}, built on this host from ${service.image}` },
      build: {
        ImageTag: [service.build.tag(service.image)],
        // Quadlet needs a working directory for a File= it cannot tell is absolute (%h is expanded later).
        SetWorkingDirectory: withSpecifiers(`%h/${configDir}`),
        File: withSpecifiers(`%h/${containerfile.path}`),
        Pull: "missing",
      },
    };
    units.push(build);
    // Quadlet makes the container require the build service, which runs (from cache when nothing
    // changed) every time the container starts: restarting the service applies a new Containerfile.
    image = unitFileName(build);
  }

  const dependencies = dependencyUnits(service);
  const [uid, gid] = service.user?.split(":") ?? [];
  const mounts: VolumeMount[] = [
    ...(service.volumes ?? []).map((volume): VolumeMount => {
      if (volume.kind === "volume") {
        return { source: `${volume.name}.volume`, destination: volume.mountPath, ...(volume.readOnly ? { options: ["ro"] } : {}) };
      }
      const label = volume.selinux === "shared" ? ["z"] : volume.selinux === "private" ? ["Z"] : [];
      return {
        source: hostValue(volume.hostPath),
        destination: volume.mountPath,
        ...(volume.readOnly || label.length > 0 ? { options: [...(volume.readOnly ? ["ro"] : []), ...label] } : {}),
      };
    }),
    // Each config file belongs to this container alone: a private label.
    ...(service.configFiles ?? []).map((file, i): VolumeMount => ({
      source: withSpecifiers(`%h/${configFiles[i]!.path}`),
      destination: file.mountPath,
      options: ["ro", "Z"],
    })),
  ];

  const job = service.schedule;
  const health = job ? undefined : service.health;
  const tasks = (service.startTasks ?? []).flatMap((task) => startTaskUnits(service.name, task));
  const wants = [...dependencies, ...tasks.map(systemdUnitName)];
  const container: ContainerUnit = {
    kind: "container",
    name: service.name,
    unit: {
      Description: service.description,
      // Wants (not Requires): restarting a dependency must not restart this service too. A start
      // task is wanted too: every start of this unit runs it again (it orders itself after this one).
      ...(wants.length > 0 ? { Wants: wants } : {}),
      ...(dependencies.length > 0 ? { After: dependencies } : {}),
    },
    container: {
      Image: image,
      ContainerName: service.name,
      Network: (options.network.memberships.get(service.name) ?? []).map((name) => {
        const address = options.network.addresses.get(service.name)?.get(name);
        return address === undefined ? `${name}.network` : `${name}.network:ip=${address}`;
      }),
      PublishPort: (service.ports ?? []).flatMap((port) =>
        port.host === undefined
          ? []
          : [
              {
                ...(port.posture === "direct" ? {} : { hostIp: "127.0.0.1" }),
                hostPort: port.host,
                containerPort: port.container,
                ...(port.protocol ? { protocol: port.protocol } : {}),
              },
            ],
      ),
      ...(mounts.length > 0 ? { Volume: mounts } : {}),
      ...(service.env && Object.keys(service.env).length > 0 ? { Environment: { ...service.env } } : {}),
      ...(secrets.length > 0 ? { Secret: secrets.map((s) => s.reference) } : {}),
      ...(service.devices?.length ? { AddDevice: [...service.devices] } : {}),
      ...(service.groups?.length ? { GroupAdd: [...service.groups] } : {}),
      ...(uid !== undefined ? { User: uid } : {}),
      ...(gid !== undefined ? { Group: gid } : {}),
      ...(health
        ? {
            HealthCmd: health.command,
            ...(health.interval ? { HealthInterval: health.interval } : {}),
            ...(health.timeout ? { HealthTimeout: health.timeout } : {}),
            ...(health.retries !== undefined ? { HealthRetries: health.retries } : {}),
            ...(health.startPeriod ? { HealthStartPeriod: health.startPeriod } : {}),
            // Active only once healthy, so dependents start after it can serve them.
            Notify: "healthy" as const,
          }
        : {}),
      ...(service.memory ? { Memory: service.memory } : {}),
      ...(service.entrypoint || service.podmanArgs?.length
        ? { PodmanArgs: [...(service.entrypoint ? [`--entrypoint=${service.entrypoint}`] : []), ...(service.podmanArgs ?? [])] }
        : {}),
      ...(service.command?.length ? { Exec: [...service.command] } : {}),
    },
    service: job
      ? // A job runs to completion; its timer, not the target, starts it.
        { Type: "oneshot", TimeoutStartSec: JOB_TIMEOUT }
      : { Restart: service.restart, TimeoutStartSec: START_TIMEOUT },
  };
  units.push(container, ...tasks);

  if (!job) return { units, files, secrets: secrets.map(({ name, value }) => ({ name, value })), wanted: systemdUnitName(container) };

  const timer: TimerUnit = {
    kind: "timer",
    name: service.name,
    unit: { Description: `Schedule of ${service.name}` },
    timer: { OnCalendar: [job.onCalendar], ...(job.persistent ? { Persistent: true } : {}), Unit: systemdUnitName(container) },
  };
  units.push(timer);
  return { units, files, secrets: secrets.map(({ name, value }) => ({ name, value })), wanted: systemdUnitName(timer) };
}

/**
 * A start task's oneshot unit: `podman exec` into the running container (its user, its environment),
 * after the container's unit is active, which with Notify=healthy means after its health check passed.
 * Not RemainAfterExit: it returns to inactive, so the container's next start runs it again. With
 * `repeat`, also its timer (same name), which the container's unit wants: it runs while the container does.
 */
function startTaskUnits(container: string, task: StartTask): (ServiceUnit | TimerUnit)[] {
  const unit = `${container}.service`;
  const service: ServiceUnit = {
    kind: "service",
    name: `${container}-${task.name}`,
    unit: { Description: task.description, After: [unit] },
    service: {
      Type: "oneshot",
      ExecStart: [
        "/usr/bin/podman",
        "exec",
        ...Object.entries(task.env ?? {}).flatMap(([name, value]) => ["--env", `${name}=${value}`]),
        container,
        ...task.command,
      ],
      TimeoutStartSec: START_TIMEOUT,
    },
  };
  if (!task.repeat) return [service];
  const timer: TimerUnit = {
    kind: "timer",
    name: service.name,
    unit: { Description: `Schedule of ${task.description}` },
    timer: { OnCalendar: [task.repeat.onCalendar], Unit: systemdUnitName(service) },
  };
  return [service, timer];
}

function hostServicePlan(service: HostService): ServicePlan {
  const files = (service.hostFiles ?? []).map((file): HarnessFile => ({
    key: `${service.name}/${file.path.split("/").at(-1)!}`,
    path: file.path,
    content: file.content,
    ...(file.mode ? { mode: file.mode } : {}),
  }));
  const secretEnv = service.secretEnv ?? {};
  const environmentFile = Object.keys(secretEnv).length > 0 ? `${SECRETS_DIR}/${service.name}.env` : undefined;
  const secrets: PlannedSecret[] = environmentFile
    ? [{ name: `${service.name}-environment`, value: secretEnvironmentFile(secretEnv), path: environmentFile }]
    : [];
  const dependencies = dependencyUnits(service);
  const unit: ServiceUnit = {
    kind: "service",
    name: service.name,
    unit: {
      Description: service.description,
      ...(dependencies.length > 0 ? { Wants: dependencies, After: dependencies } : {}),
    },
    service: {
      Type: service.oneshot ? "oneshot" : "exec",
      ...(service.oneshot ? { RemainAfterExit: true, TimeoutStartSec: `${service.oneshot.timeoutSec}s` } : {}),
      ExecStart: service.exec.map(hostValue),
      ...(service.env && Object.keys(service.env).length > 0
        ? { Environment: Object.fromEntries(Object.entries(service.env).map(([k, v]) => [k, hostValue(v)])) }
        : {}),
      ...(environmentFile ? { EnvironmentFile: [withSpecifiers(`%h/${environmentFile}`)] } : {}),
      Restart: service.restart,
      ...(service.restart === "no" ? {} : { RestartSec: "5s" }),
      ...(service.restartPreventExitStatus?.length ? { RestartPreventExitStatus: [...service.restartPreventExitStatus] } : {}),
      ...(service.stop ? { KillMode: service.stop.killMode, TimeoutStopSec: `${service.stop.timeoutSec}s` } : {}),
      // Files a host program creates (its journal, its state) are its user's alone.
      UMask: "0077",
    },
  };
  return { units: [unit], files, secrets, wanted: systemdUnitName(unit) };
}
