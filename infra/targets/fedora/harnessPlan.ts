/**
 * Declare once, derive the rest: from the resolved catalogue to everything the Fedora host receives.
 * Pure: it returns unit files, config files, Podman secrets (as descriptions) and restart groups,
 * which the Harness component then delivers.
 */
import type { HarnessFile, HarnessRestart } from "../../../components/podman/Harness";
import type { HostRequirements } from "../../../components/podman/hostCommands";
import { renderUnit } from "../../../components/podman/renderUnit";
import {
  type ContainerUnit,
  type NetworkUnit,
  type SecretReference,
  systemdUnitName,
  type TargetUnit,
  type UnitFile,
  type VolumeMount,
  type VolumeUnit,
  unitFileName,
  isQuadlet,
  withSpecifiers,
} from "../../../components/podman/unitModel";
import type { SecretValue } from "../../catalog/secretValue";
import type { ResolvedCatalog } from "../../catalog/resolveCatalog";
import type { ServiceDeclaration } from "../../catalog/types";

export interface HarnessPlanOptions {
  networkName: string;
  networkSubnet: string;
  targetUnit: string;
  podmanVersion: string;
}

export interface PlannedSecret {
  name: string;
  value: SecretValue;
}

export interface HarnessPlan {
  units: readonly UnitFile[];
  files: readonly HarnessFile[];
  secrets: readonly PlannedSecret[];
  restarts: readonly HarnessRestart[];
  targetUnit: string;
  requirements: HostRequirements;
}

const QUADLET_DIR = ".config/containers/systemd";
const SYSTEMD_USER_DIR = ".config/systemd/user";
const CONFIG_DIR = ".config/harness";
/** Big images (Paperclip's is ~2.5 GB) are pulled on first start; systemd's 90 s default is too short. */
const START_TIMEOUT = "900";

export function deriveHarnessPlan(catalog: ResolvedCatalog, options: HarnessPlanOptions): HarnessPlan {
  const target = `${options.targetUnit}.target`;
  const network: NetworkUnit = {
    kind: "network",
    name: options.networkName,
    unit: { Description: `Harness network ${options.networkName}` },
    network: { NetworkName: options.networkName, Subnet: [options.networkSubnet] },
  };

  const volumes = new Map<string, VolumeUnit>();
  const containers: ContainerUnit[] = [];
  const secrets: PlannedSecret[] = [];
  const configFiles: HarnessFile[] = [];
  const restarts: HarnessRestart[] = [];

  for (const service of catalog.services) {
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

    const ownSecrets = secretsOf(service);
    secrets.push(...ownSecrets.map(({ name, value }) => ({ name, value })));
    const ownConfigFiles = (service.configFiles ?? []).map(
      (file): HarnessFile => ({
        key: `${service.name}/${file.name}`,
        path: `${CONFIG_DIR}/${service.name}/${file.name}`,
        content: file.content,
      }),
    );
    configFiles.push(...ownConfigFiles);

    const unit = containerUnit(service, options, target, ownSecrets, ownConfigFiles);
    containers.push(unit);
    restarts.push({
      unit: systemdUnitName(unit),
      files: [unitFileName(unit), ...ownConfigFiles.map((f) => f.key)],
      secrets: ownSecrets.map((s) => s.name),
      after: (service.dependsOn ?? []).map((dependency) => `${dependency}.service`),
    });
  }

  const targetUnit: TargetUnit = {
    kind: "target",
    name: options.targetUnit,
    unit: { Description: `Every service of the harness (${containers.length} containers)` },
    install: { WantedBy: ["default.target"] },
  };

  const units: UnitFile[] = [network, ...volumes.values(), ...containers, targetUnit];
  const unitFiles = units.map(
    (unit): HarnessFile => ({
      key: unitFileName(unit),
      path: `${isQuadlet(unit) ? QUADLET_DIR : SYSTEMD_USER_DIR}/${unitFileName(unit)}`,
      content: renderUnit(unit, { podmanVersion: options.podmanVersion }),
      definesUnit: systemdUnitName(unit),
    }),
  );

  const privilegedPorts = catalog.services
    .flatMap((s) => s.ports ?? [])
    .flatMap((p) => (p.host !== undefined && p.host < 1024 ? [p.host] : []));

  return {
    units,
    files: [...unitFiles, ...configFiles],
    secrets,
    restarts,
    targetUnit: target,
    requirements: {
      podmanVersion: options.podmanVersion,
      ...(privilegedPorts.length > 0 ? { lowestPrivilegedPort: Math.min(...privilegedPorts) } : {}),
    },
  };
}

interface ServiceSecret {
  name: string;
  value: SecretValue;
  reference: SecretReference;
}

/** One Podman secret per secret variable or file, named `<service>-<variable or file>`. */
function secretsOf(service: ServiceDeclaration): ServiceSecret[] {
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

function containerUnit(
  service: ServiceDeclaration,
  options: HarnessPlanOptions,
  target: string,
  secrets: readonly ServiceSecret[],
  configFiles: readonly HarnessFile[],
): ContainerUnit {
  const dependencies = (service.dependsOn ?? []).map((d) => `${d}.service`);
  const [uid, gid] = service.user?.split(":") ?? [];
  const mounts: VolumeMount[] = [
    ...(service.volumes ?? []).map((volume): VolumeMount => {
      if (volume.kind === "volume") {
        return { source: `${volume.name}.volume`, destination: volume.mountPath, ...(volume.readOnly ? { options: ["ro"] } : {}) };
      }
      const label = volume.selinux === "shared" ? ["z"] : volume.selinux === "none" ? [] : ["Z"];
      return {
        source: volume.hostPath.startsWith("%h/") ? withSpecifiers(volume.hostPath) : volume.hostPath,
        destination: volume.mountPath,
        options: [...(volume.readOnly ? ["ro"] : []), ...label],
      };
    }),
    ...(service.configFiles ?? []).map((file, i): VolumeMount => ({
      source: withSpecifiers(`%h/${configFiles[i]!.path}`),
      destination: file.mountPath,
      options: ["ro", "Z"],
    })),
  ];

  const health = service.health;
  return {
    kind: "container",
    name: service.name,
    unit: {
      Description: service.description,
      // Wants (not Requires): restarting a dependency must not restart this service too.
      ...(dependencies.length > 0 ? { Wants: dependencies, After: dependencies } : {}),
    },
    container: {
      Image: service.image,
      ContainerName: service.name,
      Network: [`${options.networkName}.network`, ...(service.extraNetworks ?? []).map((n) => `${n}.network`)],
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
      ...(service.entrypoint || service.podmanArgs?.length
        ? { PodmanArgs: [...(service.entrypoint ? [`--entrypoint=${service.entrypoint}`] : []), ...(service.podmanArgs ?? [])] }
        : {}),
      ...(service.command?.length ? { Exec: [...service.command] } : {}),
    },
    service: { Restart: service.restart, TimeoutStartSec: START_TIMEOUT },
    install: { WantedBy: [target] },
  };
}
