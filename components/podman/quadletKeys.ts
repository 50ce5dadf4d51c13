/**
 * Which Quadlet keys each Podman release's generator accepts, so renderers can gate keys by the
 * target's Podman version (default 5.4, what Debian trixie ships and what we validate with), the way
 * podlet's `Downgrade` impls do.
 *
 * Source of the data: the generator's own supported-key tables (pkg/systemd/quadlet/quadlet.go) read
 * at every Podman release tag v4.4.0 … v5.8.2; a key's version is the first minor release whose
 * generator accepts it (no key first appeared in a patch release, and none was removed). Cross-checked
 * against podman-systemd.unit(5) history and podlet's src/quadlet/*.rs Downgrade impls. The 5.4 rows
 * are also checked against the real 5.4.2 generator by quadletKeys.test.ts.
 *
 * Quadlet keys are case-sensitive, like systemd's.
 */

export const PODMAN_MINOR_VERSIONS = [
  "4.4",
  "4.5",
  "4.6",
  "4.7",
  "4.8",
  "4.9",
  "5.0",
  "5.1",
  "5.2",
  "5.3",
  "5.4",
  "5.5",
  "5.6",
  "5.7",
  "5.8",
] as const;
export type PodmanMinorVersion = (typeof PODMAN_MINOR_VERSIONS)[number];

/** The Podman version renderers target unless the stack configures another. */
export const DEFAULT_PODMAN_VERSION: PodmanMinorVersion = "5.4";

/** [Container] in .container files. */
export const CONTAINER_KEYS = {
  AddCapability: "4.4",
  AddDevice: "4.4",
  AddHost: "5.3",
  Annotation: "4.4",
  AppArmor: "5.8",
  AutoUpdate: "4.6",
  CgroupsMode: "5.3",
  ContainerName: "4.4",
  ContainersConfModule: "4.8",
  DNS: "4.7",
  DNSOption: "4.7",
  DNSSearch: "4.7",
  DropCapability: "4.4",
  Entrypoint: "5.0",
  Environment: "4.4",
  EnvironmentFile: "4.4",
  EnvironmentHost: "4.4",
  Exec: "4.4",
  ExposeHostPort: "4.4",
  GIDMap: "4.8",
  GlobalArgs: "4.8",
  Group: "4.4",
  GroupAdd: "5.1",
  HealthCmd: "4.5",
  HealthInterval: "4.5",
  HealthLogDestination: "5.3",
  HealthMaxLogCount: "5.3",
  HealthMaxLogSize: "5.3",
  HealthOnFailure: "4.5",
  HealthRetries: "4.5",
  HealthStartPeriod: "4.5",
  HealthStartupCmd: "4.5",
  HealthStartupInterval: "4.5",
  HealthStartupRetries: "4.5",
  HealthStartupSuccess: "4.5",
  HealthStartupTimeout: "4.5",
  HealthTimeout: "4.5",
  HostName: "4.6",
  HttpProxy: "5.7",
  IP: "4.5",
  IP6: "4.5",
  Image: "4.4",
  Label: "4.4",
  LogDriver: "4.5",
  LogOpt: "5.2",
  Mask: "4.6",
  Memory: "5.5",
  Mount: "4.5",
  Network: "4.4",
  NetworkAlias: "5.2",
  NoNewPrivileges: "4.4",
  Notify: "4.4",
  PidsLimit: "4.7",
  Pod: "5.0",
  PodmanArgs: "4.4",
  PublishPort: "4.4",
  Pull: "4.6",
  ReadOnly: "4.4",
  ReadOnlyTmpfs: "4.8",
  ReloadCmd: "5.5",
  ReloadSignal: "5.5",
  RemapGid: "4.4",
  RemapUid: "4.4",
  RemapUidSize: "4.4",
  RemapUsers: "4.4",
  Retry: "5.5",
  RetryDelay: "5.5",
  Rootfs: "4.5",
  RunInit: "4.4",
  SeccompProfile: "4.4",
  Secret: "4.5",
  SecurityLabelDisable: "4.5",
  SecurityLabelFileType: "4.5",
  SecurityLabelLevel: "4.5",
  SecurityLabelNested: "4.6",
  SecurityLabelType: "4.5",
  ServiceName: "5.3",
  ShmSize: "4.7",
  StartWithPod: "5.3",
  StopSignal: "5.2",
  StopTimeout: "5.0",
  SubGIDMap: "4.8",
  SubUIDMap: "4.8",
  Sysctl: "4.6",
  Timezone: "4.4",
  Tmpfs: "4.5",
  UIDMap: "4.8",
  Ulimit: "4.7",
  Unmask: "4.6",
  User: "4.4",
  UserNS: "4.5",
  VolatileTmp: "4.4",
  Volume: "4.4",
  WorkingDir: "4.6",
} as const satisfies Record<string, PodmanMinorVersion>;

/** [Network] in .network files. */
export const NETWORK_KEYS = {
  ContainersConfModule: "4.8",
  DNS: "4.7",
  DisableDNS: "4.4",
  Driver: "4.4",
  Gateway: "4.4",
  GlobalArgs: "4.8",
  IPAMDriver: "4.4",
  IPRange: "4.4",
  IPv6: "4.4",
  InterfaceName: "5.6",
  Internal: "4.4",
  Label: "4.4",
  NetworkDeleteOnStop: "5.5",
  NetworkName: "4.7",
  Options: "4.4",
  PodmanArgs: "4.6",
  ServiceName: "5.3",
  Subnet: "4.4",
} as const satisfies Record<string, PodmanMinorVersion>;

/** [Volume] in .volume files. */
export const VOLUME_KEYS = {
  ContainersConfModule: "4.8",
  Copy: "4.4",
  Device: "4.4",
  Driver: "4.8",
  GlobalArgs: "4.8",
  Group: "4.4",
  Image: "4.8",
  Label: "4.4",
  Options: "4.4",
  PodmanArgs: "4.6",
  ServiceName: "5.3",
  Type: "4.4",
  User: "4.4",
  VolumeName: "4.7",
} as const satisfies Record<string, PodmanMinorVersion>;

/** [Build] in .build files (the unit type itself is 5.2). */
export const BUILD_KEYS = {
  Annotation: "5.2",
  Arch: "5.2",
  AuthFile: "5.2",
  BuildArg: "5.7",
  ContainersConfModule: "5.2",
  DNS: "5.2",
  DNSOption: "5.2",
  DNSSearch: "5.2",
  Environment: "5.2",
  File: "5.2",
  ForceRM: "5.2",
  GlobalArgs: "5.2",
  GroupAdd: "5.2",
  IgnoreFile: "5.7",
  ImageTag: "5.2",
  Label: "5.2",
  Network: "5.2",
  PodmanArgs: "5.2",
  Pull: "5.2",
  Retry: "5.5",
  RetryDelay: "5.5",
  Secret: "5.2",
  ServiceName: "5.3",
  SetWorkingDirectory: "5.2",
  TLSVerify: "5.2",
  Target: "5.2",
  Variant: "5.2",
  Volume: "5.2",
} as const satisfies Record<string, PodmanMinorVersion>;

/** [Pod] in .pod files (the unit type itself is 5.0). */
export const POD_KEYS = {
  AddHost: "5.3",
  ContainersConfModule: "5.0",
  DNS: "5.3",
  DNSOption: "5.3",
  DNSSearch: "5.3",
  ExitPolicy: "5.6",
  GIDMap: "5.3",
  GlobalArgs: "5.0",
  HostName: "5.5",
  IP: "5.3",
  IP6: "5.3",
  Label: "5.6",
  Network: "5.0",
  NetworkAlias: "5.2",
  PodName: "5.0",
  PodmanArgs: "5.0",
  PublishPort: "5.0",
  RemapGid: "5.3",
  RemapUid: "5.3",
  RemapUidSize: "5.3",
  RemapUsers: "5.3",
  ServiceName: "5.3",
  ShmSize: "5.4",
  StopTimeout: "5.7",
  SubGIDMap: "5.3",
  SubUIDMap: "5.3",
  UIDMap: "5.3",
  UserNS: "5.3",
  Volume: "5.0",
} as const satisfies Record<string, PodmanMinorVersion>;

/** [Image] in .image files (the unit type itself is 4.8). */
export const IMAGE_KEYS = {
  AllTags: "4.8",
  Arch: "4.8",
  AuthFile: "4.8",
  CertDir: "4.8",
  ContainersConfModule: "4.8",
  Creds: "4.8",
  DecryptionKey: "4.8",
  GlobalArgs: "4.8",
  Image: "4.8",
  ImageTag: "4.8",
  OS: "4.8",
  PodmanArgs: "4.8",
  Policy: "5.6",
  Retry: "5.5",
  RetryDelay: "5.5",
  ServiceName: "5.3",
  TLSVerify: "4.8",
  Variant: "4.8",
} as const satisfies Record<string, PodmanMinorVersion>;

/** [Kube] in .kube files. */
export const KUBE_KEYS = {
  AutoUpdate: "4.7",
  ConfigMap: "4.4",
  ContainersConfModule: "4.8",
  ExitCodePropagation: "4.6",
  GlobalArgs: "4.8",
  KubeDownForce: "4.8",
  LogDriver: "4.5",
  LogOpt: "5.2",
  Network: "4.4",
  PodmanArgs: "4.6",
  PublishPort: "4.4",
  RemapGid: "4.4",
  RemapUid: "4.4",
  RemapUidSize: "4.4",
  RemapUsers: "4.4",
  ServiceName: "5.3",
  SetWorkingDirectory: "4.7",
  UserNS: "4.5",
  Yaml: "4.4",
} as const satisfies Record<string, PodmanMinorVersion>;

/** [Artifact] in .artifact files (the unit type itself is 5.7). */
export const ARTIFACT_KEYS = {
  Artifact: "5.7",
  AuthFile: "5.7",
  CertDir: "5.7",
  ContainersConfModule: "5.7",
  Creds: "5.7",
  DecryptionKey: "5.7",
  GlobalArgs: "5.7",
  PodmanArgs: "5.7",
  Quiet: "5.7",
  Retry: "5.7",
  RetryDelay: "5.7",
  ServiceName: "5.7",
  TLSVerify: "5.7",
} as const satisfies Record<string, PodmanMinorVersion>;

/** [Quadlet], allowed in every Quadlet file type. */
export const QUADLET_GROUP_KEYS = {
  DefaultDependencies: "5.3",
} as const satisfies Record<string, PodmanMinorVersion>;

export const QUADLET_KEYS = {
  Container: CONTAINER_KEYS,
  Network: NETWORK_KEYS,
  Volume: VOLUME_KEYS,
  Build: BUILD_KEYS,
  Pod: POD_KEYS,
  Image: IMAGE_KEYS,
  Kube: KUBE_KEYS,
  Artifact: ARTIFACT_KEYS,
  Quadlet: QUADLET_GROUP_KEYS,
} as const;
export type QuadletGroup = keyof typeof QUADLET_KEYS;
export type QuadletKey<G extends QuadletGroup> = keyof (typeof QUADLET_KEYS)[G] & string;
export type ContainerKey = QuadletKey<"Container">;
export type NetworkKey = QuadletKey<"Network">;
export type VolumeKey = QuadletKey<"Volume">;
export type BuildKey = QuadletKey<"Build">;
export type PodKey = QuadletKey<"Pod">;

/** The Quadlet file type (extension) whose main group each entry is, and the release that added it. */
export const QUADLET_UNIT_TYPES = {
  container: { group: "Container", since: "4.4" },
  network: { group: "Network", since: "4.4" },
  volume: { group: "Volume", since: "4.4" },
  kube: { group: "Kube", since: "4.4" },
  image: { group: "Image", since: "4.8" },
  pod: { group: "Pod", since: "5.0" },
  build: { group: "Build", since: "5.2" },
  artifact: { group: "Artifact", since: "5.7" },
} as const satisfies Record<string, { group: QuadletGroup; since: PodmanMinorVersion }>;

/** Keys the generator still accepts but documents as deprecated, with what to use instead. */
export const DEPRECATED_CONTAINER_KEYS: Partial<Record<ContainerKey, string>> = {
  RemapUsers: "UserNS=",
  RemapUid: "UIDMap= / UserNS=",
  RemapGid: "GIDMap= / UserNS=",
  RemapUidSize: "UserNS=",
  VolatileTmp: "Tmpfs=/tmp",
};

/**
 * Values that need a newer generator than their key (read from the same generator sources and podlet):
 * references between Quadlet units and a few special values.
 */
export interface QuadletValueGate {
  group: QuadletGroup;
  key: string;
  /** What the gated values look like, for messages. */
  describes: string;
  matches: (value: string) => boolean;
  since: PodmanMinorVersion;
}

const firstField = (value: string) => value.split(":")[0] ?? "";

export const QUADLET_VALUE_GATES: readonly QuadletValueGate[] = [
  {
    group: "Container",
    key: "Image",
    describes: "a reference to a .image unit",
    matches: (value) => value.endsWith(".image"),
    since: "4.8",
  },
  {
    group: "Container",
    key: "Image",
    describes: "a reference to a .build unit",
    matches: (value) => value.endsWith(".build"),
    since: "5.2",
  },
  { group: "Container", key: "Notify", describes: "Notify=healthy", matches: (value) => value === "healthy", since: "5.0" },
  {
    group: "Container",
    key: "Network",
    describes: "a reference to a .container unit",
    matches: (value) => firstField(value).endsWith(".container"),
    since: "5.3",
  },
  { group: "Volume", key: "Image", describes: "a reference to a .build unit", matches: (value) => value.endsWith(".build"), since: "5.2" },
];

/** "5.4.2", "5.4.2+ds1-2+b2" or "5.4" → "5.4"; undefined when outside the table. */
export function podmanMinorVersion(version: string): PodmanMinorVersion | undefined {
  const match = /^(\d+)\.(\d+)/.exec(version);
  if (match === null) return undefined;
  const minor = `${match[1]}.${match[2]}`;
  return (PODMAN_MINOR_VERSIONS as readonly string[]).includes(minor) ? (minor as PodmanMinorVersion) : undefined;
}

/** Negative, zero or positive like a sort comparator. */
export function comparePodmanVersions(left: PodmanMinorVersion, right: PodmanMinorVersion): number {
  return PODMAN_MINOR_VERSIONS.indexOf(left) - PODMAN_MINOR_VERSIONS.indexOf(right);
}

/** The release that added `key` to `group`, or undefined when no release's generator accepts it. */
export function quadletKeySince(group: QuadletGroup, key: string): PodmanMinorVersion | undefined {
  const keys: Readonly<Record<string, PodmanMinorVersion>> = QUADLET_KEYS[group];
  return Object.prototype.hasOwnProperty.call(keys, key) ? keys[key] : undefined;
}

export function isQuadletKeySupported(group: QuadletGroup, key: string, version: PodmanMinorVersion = DEFAULT_PODMAN_VERSION): boolean {
  const since = quadletKeySince(group, key);
  return since !== undefined && comparePodmanVersions(since, version) <= 0;
}

/**
 * Why `key=value` cannot be used with the target's generator, or undefined when it can. Renderers
 * turn a reason into a ConfigError (or a PodmanArgs= fallback, as podlet does).
 */
export function quadletEntryProblem(
  group: QuadletGroup,
  key: string,
  value: string,
  version: PodmanMinorVersion = DEFAULT_PODMAN_VERSION,
): string | undefined {
  const since = quadletKeySince(group, key);
  if (since === undefined) return `[${group}] ${key}= is not a Quadlet key in any Podman release from 4.4 to 5.8`;
  if (comparePodmanVersions(since, version) > 0) return `[${group}] ${key}= needs Podman ${since}, the target runs ${version}`;
  for (const gate of QUADLET_VALUE_GATES) {
    if (gate.group === group && gate.key === key && gate.matches(value) && comparePodmanVersions(gate.since, version) > 0) {
      return `[${group}] ${key}= with ${gate.describes} needs Podman ${gate.since}, the target runs ${version}`;
    }
  }
  return undefined;
}

/** The oldest Podman whose generator accepts `key=value`, or undefined for a key no release knows. */
export function quadletEntryNeededVersion(group: QuadletGroup, key: string, value: string): PodmanMinorVersion | undefined {
  const since = quadletKeySince(group, key);
  if (since === undefined) return undefined;
  return QUADLET_VALUE_GATES.filter((gate) => gate.group === group && gate.key === key && gate.matches(value)).reduce<PodmanMinorVersion>(
    (needed, gate) => (comparePodmanVersions(gate.since, needed) > 0 ? gate.since : needed),
    since,
  );
}
