/**
 * A typed model of the systemd and Podman Quadlet unit files the harness writes.
 * Field names are the unit-file keys, so the model reads like the man pages
 * (systemd.unit(5), systemd.service(5), systemd.timer(5), podman-systemd.unit(5)).
 */

/**
 * A value that is written verbatim, so systemd specifiers such as `%h` keep their meaning.
 * Every plain string, by contrast, has `%` escaped to `%%`.
 */
export interface WithSpecifiers {
  readonly withSpecifiers: string;
}

/** Marks a value as containing intended systemd specifiers (`%h`, `%t`, `%U`…). */
export function withSpecifiers(text: string): WithSpecifiers {
  return { withSpecifiers: text };
}

export type UnitValue = string | WithSpecifiers;

export interface UnitSection {
  Description?: string;
  Documentation?: string[];
  Requires?: string[];
  Wants?: string[];
  BindsTo?: string[];
  PartOf?: string[];
  After?: string[];
  Before?: string[];
  ConditionPathExists?: UnitValue[];
  StartLimitIntervalSec?: string;
  StartLimitBurst?: number;
}

export interface ServiceSection {
  Type?: "simple" | "exec" | "forking" | "oneshot" | "notify";
  ExecStart?: UnitValue[];
  ExecStartPre?: UnitValue[][];
  Environment?: Record<string, UnitValue>;
  EnvironmentFile?: UnitValue[];
  Restart?: "no" | "always" | "on-success" | "on-failure" | "on-abnormal" | "on-abort" | "on-watchdog";
  RestartSec?: string;
  RestartPreventExitStatus?: number[];
  RemainAfterExit?: boolean;
  TimeoutStartSec?: string;
  TimeoutStopSec?: string;
  /** `mixed`: SIGTERM to the main process only, so its children (a sendmail in flight) can finish. */
  KillMode?: "control-group" | "mixed" | "process";
  WorkingDirectory?: UnitValue;
  // Hardening that works for user services.
  NoNewPrivileges?: boolean;
  PrivateTmp?: boolean;
  ProtectSystem?: "true" | "full" | "strict";
  ProtectHome?: "true" | "read-only" | "tmpfs";
  ReadWritePaths?: UnitValue[];
  UMask?: string;
}

export interface InstallSection {
  WantedBy?: string[];
  RequiredBy?: string[];
}

export interface TimerSection {
  OnCalendar?: string[];
  Persistent?: boolean;
  RandomizedDelaySec?: string;
  Unit?: string;
  AccuracySec?: string;
}

/** `Secret=name,type=env,target=VAR` or `Secret=name,type=mount,target=/path,mode=0400`. */
export type SecretReference =
  | { name: string; type: "env"; target: string }
  | { name: string; type: "mount"; target: string; uid?: number; gid?: number; mode?: string };

/** `PublishPort=[ip:]host:container[/proto]`. */
export interface PublishedPort {
  hostIp?: string;
  hostPort: number;
  containerPort: number;
  protocol?: "tcp" | "udp";
}

/** `Volume=source:destination[:options]`; source is a named volume unit, a volume name or a host path. */
export interface VolumeMount {
  source: UnitValue;
  destination: string;
  options?: string[];
}

export interface ContainerSection {
  Image: string;
  ContainerName?: string;
  /** Arguments after the image (the container's command). */
  Exec?: string[];
  Environment?: Record<string, string>;
  Secret?: SecretReference[];
  Volume?: VolumeMount[];
  Network?: string[];
  PublishPort?: PublishedPort[];
  AddDevice?: string[];
  GroupAdd?: string[];
  User?: string;
  Group?: string;
  UserNS?: string;
  HostName?: string;
  WorkingDir?: string;
  Label?: Record<string, string>;
  /**
   * Exec form: `["CMD", argv…]`, or `["CMD-SHELL", "script"]` when a shell is needed. Rendered as
   * JSON, the one form whose quoting Quadlet preserves (a value ending in a quote loses it).
   */
  HealthCmd?: readonly string[];
  HealthInterval?: string;
  HealthTimeout?: string;
  HealthRetries?: number;
  HealthStartPeriod?: string;
  Notify?: "true" | "false" | "healthy";
  AutoUpdate?: "registry" | "local";
  Pull?: "always" | "missing" | "never" | "newer";
  ReadOnly?: boolean;
  NoNewPrivileges?: boolean;
  DropCapability?: string[];
  AddCapability?: string[];
  SecurityLabelDisable?: boolean;
  Timezone?: string;
  StopTimeout?: number;
  Tmpfs?: string[];
  ShmSize?: string;
  /** Memory limit (`512m`, `4g`). Rendered as `PodmanArgs=--memory=…` where the host's Quadlet predates the key (5.5). */
  Memory?: string;
  /** Options with no Quadlet key of their own (for example `--pid=host`, `--entrypoint`). */
  PodmanArgs?: string[];
}

export interface NetworkSection {
  NetworkName?: string;
  Subnet?: string[];
  Gateway?: string[];
  Internal?: boolean;
  DisableDNS?: boolean;
  Driver?: string;
  /** Driver options (`isolate=true`). */
  Options?: string[];
  Label?: Record<string, string>;
}

export interface VolumeSection {
  VolumeName?: string;
  Driver?: string;
  Label?: Record<string, string>;
  /** Ownership of the volume's root, so a non-root container user can write to it. */
  User?: string;
  Group?: string;
}

export interface BuildSection {
  ImageTag: string[];
  File?: UnitValue;
  SetWorkingDirectory?: UnitValue;
  Pull?: "always" | "missing" | "never" | "newer";
  Label?: Record<string, string>;
  BuildArg?: Record<string, string>;
}

interface UnitFileBase {
  /** File name without the extension; also the unit's name (`paperclip` → paperclip.container). */
  name: string;
  unit?: UnitSection;
  service?: ServiceSection;
  install?: InstallSection;
}

export interface ContainerUnit extends UnitFileBase {
  kind: "container";
  container: ContainerSection;
}
export interface NetworkUnit extends UnitFileBase {
  kind: "network";
  network: NetworkSection;
}
export interface VolumeUnit extends UnitFileBase {
  kind: "volume";
  volume: VolumeSection;
}
export interface BuildUnit extends UnitFileBase {
  kind: "build";
  build: BuildSection;
}
/** Plain systemd units, written next to the Quadlets' generated services. */
export interface ServiceUnit extends UnitFileBase {
  kind: "service";
}
export interface TargetUnit extends UnitFileBase {
  kind: "target";
}
export interface TimerUnit extends UnitFileBase {
  kind: "timer";
  timer: TimerSection;
}

export type QuadletUnit = ContainerUnit | NetworkUnit | VolumeUnit | BuildUnit;
export type SystemdUnit = ServiceUnit | TargetUnit | TimerUnit;
export type UnitFile = QuadletUnit | SystemdUnit;

export function isQuadlet(unit: UnitFile): unit is QuadletUnit {
  return unit.kind === "container" || unit.kind === "network" || unit.kind === "volume" || unit.kind === "build";
}

export function unitFileName(unit: UnitFile): string {
  return `${unit.name}.${unit.kind}`;
}

/**
 * The systemd service a unit becomes: Quadlet names `x.container` → `x.service`,
 * `x.network` → `x-network.service`, `x.volume` → `x-volume.service`, `x.build` → `x-build.service`.
 */
export function systemdUnitName(unit: Pick<UnitFile, "kind" | "name">): string {
  switch (unit.kind) {
    case "container":
    case "service":
      return `${unit.name}.service`;
    case "network":
    case "volume":
    case "build":
      return `${unit.name}-${unit.kind}.service`;
    case "target":
      return `${unit.name}.target`;
    case "timer":
      return `${unit.name}.timer`;
  }
}
