/**
 * PROVISIONAL: the minimum Podman version of each Quadlet key this project renders. To be replaced
 * by the researched table (podman-systemd.unit(5) history, podlet's version gating).
 */
export type QuadletSectionName = "Container" | "Network" | "Volume" | "Build";

const MINIMUM_VERSION: Record<QuadletSectionName, Record<string, string>> = {
  Container: {
    Image: "4.4", ContainerName: "4.4", Exec: "4.4", Environment: "4.4", Volume: "4.4", Network: "4.4",
    PublishPort: "4.4", User: "4.4", Group: "4.4", Label: "4.4", AddDevice: "4.4", AddCapability: "4.4",
    DropCapability: "4.4", NoNewPrivileges: "4.4", ReadOnly: "4.4", Timezone: "4.4", SecurityLabelDisable: "4.4",
    Notify: "4.4", Secret: "4.5", HealthCmd: "4.5", HealthInterval: "4.5", HealthTimeout: "4.5",
    HealthRetries: "4.5", HealthStartPeriod: "4.5", PodmanArgs: "4.5", Tmpfs: "4.5", UserNS: "4.5",
    AutoUpdate: "4.6", HostName: "4.7", WorkingDir: "4.7", Pull: "4.7", StopTimeout: "4.7",
    GroupAdd: "5.0", ShmSize: "5.0",
  },
  Network: { NetworkName: "4.5", Driver: "4.4", Subnet: "4.4", Gateway: "4.4", Internal: "4.4", DisableDNS: "4.4", Label: "4.4" },
  Volume: { VolumeName: "4.5", Driver: "4.6", User: "4.4", Group: "4.4", Label: "4.4" },
  Build: { ImageTag: "5.2", File: "5.2", SetWorkingDirectory: "5.2", Pull: "5.2", Label: "5.2", BuildArg: "5.2" },
};

export function minimumPodmanVersion(section: QuadletSectionName, key: string): string | undefined {
  return MINIMUM_VERSION[section][key];
}
