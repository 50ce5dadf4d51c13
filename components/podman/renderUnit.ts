/**
 * The one renderer for unit files. Pure: a typed unit in, INI text out, every value escaped for
 * where it ends up. Quadlet copies every [Container] value into the generated `ExecStart=` line, where
 * systemd expands `%` specifiers and `$VAR`s, so those values escape both; a value that cannot be
 * represented safely (control characters, a quote in HealthCmd, which Quadlet mangles) is refused.
 */
import {
  type BuildSection,
  type ContainerSection,
  type InstallSection,
  type NetworkSection,
  type PublishedPort,
  type SecretReference,
  type ServiceSection,
  type TimerSection,
  type UnitFile,
  type UnitSection,
  type UnitValue,
  type VolumeMount,
  type VolumeSection,
  unitFileName,
} from "./unitModel";
import { assertKeysSupported, downgradeContainerKeys } from "./quadletVersionGate";
import { UnitRenderError } from "./UnitRenderError";

export { UnitRenderError };

export interface RenderOptions {
  /** Podman version on the host (major.minor); keys newer than this are refused. */
  podmanVersion: string;
}

type Line = readonly [key: string, value: string];

/** Renders one unit file. */
export function renderUnit(unit: UnitFile, options: RenderOptions): string {
  const file = unitFileName(unit);
  const context = new EscapeContext(file);
  const sections: Array<[string, Line[]]> = [];
  if (unit.unit) sections.push(["Unit", unitLines(unit.unit, context)]);
  switch (unit.kind) {
    case "container":
      sections.push(["Container", containerLines(downgradeContainerKeys(file, unit.container, options.podmanVersion), context)]);
      break;
    case "network":
      assertKeysSupported(file, "Network", unit.network, options.podmanVersion);
      sections.push(["Network", networkLines(unit.network, context)]);
      break;
    case "volume":
      assertKeysSupported(file, "Volume", unit.volume, options.podmanVersion);
      sections.push(["Volume", volumeLines(unit.volume, context)]);
      break;
    case "build":
      assertKeysSupported(file, "Build", unit.build, options.podmanVersion);
      sections.push(["Build", buildLines(unit.build, context)]);
      break;
    case "timer":
      sections.push(["Timer", timerLines(unit.timer, context)]);
      break;
    case "service":
    case "target":
      break;
  }
  if (unit.service) sections.push(["Service", serviceLines(unit.service, context)]);
  if (unit.install) sections.push(["Install", installLines(unit.install, context)]);
  const body = sections
    .filter(([, lines]) => lines.length > 0)
    .map(([name, lines]) => [`[${name}]`, ...lines.map(([k, v]) => `${k}=${v}`)].join("\n"))
    .join("\n\n");
  return `# Managed by paperclip-harness (Pulumi). Local edits are overwritten on the next deployment.\n${body}\n`;
}

// eslint-disable-next-line no-control-regex -- the characters a unit file line cannot carry
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f]/;

/** Escaping rules, with the unit's file name for error messages. */
class EscapeContext {
  constructor(readonly file: string) {}

  private assertPrintable(key: string, value: string): void {
    if (CONTROL_CHARACTER.test(value)) {
      throw new UnitRenderError(this.file, key, `value contains a control character (newline, tab…): ${JSON.stringify(value)}`, {
        value,
        refused: CONTROL_CHARACTER,
      });
    }
  }

  /** A value systemd reads as text (Description=): only specifiers are special. */
  text(key: string, value: UnitValue): string {
    if (typeof value !== "string") {
      this.assertPrintable(key, value.withSpecifiers);
      return value.withSpecifiers;
    }
    this.assertPrintable(key, value);
    return value.replaceAll("%", "%%");
  }

  /** One word of a command line systemd parses (ExecStart=, and everything Quadlet copies there). */
  word(key: string, value: UnitValue): string {
    const raw = typeof value === "string" ? value : value.withSpecifiers;
    this.assertPrintable(key, raw);
    const escaped = typeof value === "string" ? raw.replaceAll("%", "%%").replaceAll("$", "$$$$") : raw;
    if (escaped !== "" && /^[A-Za-z0-9_@%$+=:,./-]+$/.test(escaped)) return escaped;
    return `"${escaped.replaceAll("\\", "\\\\").replaceAll('"', '\\"')}"`;
  }

  words(key: string, values: readonly UnitValue[]): string {
    // Podman 5.4's generator stops splitting at an empty word, silently dropping it and every
    // word after it; systemd's own ExecStart= parsing would keep it. Refuse rather than truncate.
    if (values.some((v) => (typeof v === "string" ? v : v.withSpecifiers) === "")) {
      throw new UnitRenderError(this.file, key, "an empty argument would make Quadlet drop it and every argument after it");
    }
    return values.map((v) => this.word(key, v)).join(" ");
  }

  /**
   * A single token that must not need quoting (image names, paths, port specs): anything outside
   * a conservative character set is refused rather than quoted, since these keys are not word lists.
   */
  token(key: string, value: UnitValue): string {
    const raw = typeof value === "string" ? value : value.withSpecifiers;
    this.assertPrintable(key, raw);
    if (!/^[A-Za-z0-9_@%+=:,./~-]+$/.test(raw)) {
      throw new UnitRenderError(this.file, key, `value must be a single token without spaces or quotes: ${JSON.stringify(raw)}`, {
        value: raw,
        refused: /[^A-Za-z0-9_@%+=:,./~-]/,
      });
    }
    return typeof value === "string" ? raw.replaceAll("%", "%%") : raw;
  }

  /** `Key="NAME=value" …` lines (Environment=, Label=). */
  assignments(key: string, entries: Record<string, UnitValue>): Line[] {
    return Object.entries(entries).map(([name, value]) => {
      if (!/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(name)) {
        throw new UnitRenderError(this.file, key, `invalid name ${JSON.stringify(name)}`, { value: name });
      }
      const text = typeof value === "string" ? value : value.withSpecifiers;
      return [key, this.word(key, typeof value === "string" ? `${name}=${text}` : { withSpecifiers: `${name}=${text}` })];
    });
  }

  /**
   * HealthCmd= as a JSON array: Quadlet drops a quote that ends the value, and `]` never is one.
   * The JSON text still lands in ExecStart, so specifiers and variables are escaped in it.
   */
  healthCommand(key: string, argv: readonly string[]): string {
    if (argv.length < 2 || (argv[0] !== "CMD" && argv[0] !== "CMD-SHELL")) {
      throw new UnitRenderError(this.file, key, `expected ["CMD", …] or ["CMD-SHELL", "…"], got ${JSON.stringify(argv)}`);
    }
    argv.forEach((arg) => this.assertPrintable(key, arg));
    return JSON.stringify(argv).replaceAll("%", "%%").replaceAll("$", "$$$$");
  }
}

const bool = (value: boolean): string => (value ? "true" : "false");

function unitLines(section: UnitSection, c: EscapeContext): Line[] {
  const lines: Line[] = [];
  if (section.Description !== undefined) lines.push(["Description", c.text("Description", section.Description)]);
  for (const doc of section.Documentation ?? []) lines.push(["Documentation", c.token("Documentation", doc)]);
  for (const key of ["Requires", "Wants", "BindsTo", "PartOf", "After", "Before"] as const) {
    const names = section[key];
    if (names && names.length > 0) lines.push([key, names.map((n) => c.token(key, n)).join(" ")]);
  }
  for (const path of section.ConditionPathExists ?? []) lines.push(["ConditionPathExists", c.token("ConditionPathExists", path)]);
  if (section.StartLimitIntervalSec !== undefined)
    lines.push(["StartLimitIntervalSec", c.token("StartLimitIntervalSec", section.StartLimitIntervalSec)]);
  if (section.StartLimitBurst !== undefined) lines.push(["StartLimitBurst", String(section.StartLimitBurst)]);
  return lines;
}

function serviceLines(section: ServiceSection, c: EscapeContext): Line[] {
  const lines: Line[] = [];
  if (section.Type) lines.push(["Type", section.Type]);
  for (const command of section.ExecStartPre ?? []) lines.push(["ExecStartPre", c.words("ExecStartPre", command)]);
  if (section.ExecStart) lines.push(["ExecStart", c.words("ExecStart", section.ExecStart)]);
  if (section.Environment) lines.push(...c.assignments("Environment", section.Environment));
  for (const file of section.EnvironmentFile ?? []) lines.push(["EnvironmentFile", c.token("EnvironmentFile", file)]);
  if (section.WorkingDirectory !== undefined) lines.push(["WorkingDirectory", c.token("WorkingDirectory", section.WorkingDirectory)]);
  if (section.Restart) lines.push(["Restart", section.Restart]);
  if (section.RestartSec !== undefined) lines.push(["RestartSec", c.token("RestartSec", section.RestartSec)]);
  if (section.RestartPreventExitStatus?.length) lines.push(["RestartPreventExitStatus", section.RestartPreventExitStatus.join(" ")]);
  if (section.RemainAfterExit !== undefined) lines.push(["RemainAfterExit", bool(section.RemainAfterExit)]);
  if (section.TimeoutStartSec !== undefined) lines.push(["TimeoutStartSec", c.token("TimeoutStartSec", section.TimeoutStartSec)]);
  if (section.TimeoutStopSec !== undefined) lines.push(["TimeoutStopSec", c.token("TimeoutStopSec", section.TimeoutStopSec)]);
  if (section.KillMode !== undefined) lines.push(["KillMode", section.KillMode]);
  if (section.NoNewPrivileges !== undefined) lines.push(["NoNewPrivileges", bool(section.NoNewPrivileges)]);
  if (section.PrivateTmp !== undefined) lines.push(["PrivateTmp", bool(section.PrivateTmp)]);
  if (section.ProtectSystem !== undefined) lines.push(["ProtectSystem", section.ProtectSystem]);
  if (section.ProtectHome !== undefined) lines.push(["ProtectHome", section.ProtectHome]);
  for (const path of section.ReadWritePaths ?? []) lines.push(["ReadWritePaths", c.token("ReadWritePaths", path)]);
  if (section.UMask !== undefined) lines.push(["UMask", c.token("UMask", section.UMask)]);
  return lines;
}

function installLines(section: InstallSection, c: EscapeContext): Line[] {
  const lines: Line[] = [];
  if (section.WantedBy?.length) lines.push(["WantedBy", section.WantedBy.map((n) => c.token("WantedBy", n)).join(" ")]);
  if (section.RequiredBy?.length) lines.push(["RequiredBy", section.RequiredBy.map((n) => c.token("RequiredBy", n)).join(" ")]);
  return lines;
}

function timerLines(section: TimerSection, c: EscapeContext): Line[] {
  const lines: Line[] = [];
  for (const spec of section.OnCalendar ?? []) lines.push(["OnCalendar", c.text("OnCalendar", spec)]);
  if (section.Persistent !== undefined) lines.push(["Persistent", bool(section.Persistent)]);
  if (section.RandomizedDelaySec !== undefined)
    lines.push(["RandomizedDelaySec", c.token("RandomizedDelaySec", section.RandomizedDelaySec)]);
  if (section.AccuracySec !== undefined) lines.push(["AccuracySec", c.token("AccuracySec", section.AccuracySec)]);
  if (section.Unit !== undefined) lines.push(["Unit", c.token("Unit", section.Unit)]);
  return lines;
}

function secretSpec(secret: SecretReference): string {
  const parts = [secret.name, `type=${secret.type}`, `target=${secret.target}`];
  if (secret.type === "mount") {
    if (secret.uid !== undefined) parts.push(`uid=${secret.uid}`);
    if (secret.gid !== undefined) parts.push(`gid=${secret.gid}`);
    if (secret.mode !== undefined) parts.push(`mode=${secret.mode}`);
  }
  return parts.join(",");
}

function portSpec(port: PublishedPort): string {
  const spec = `${port.hostIp ? `${port.hostIp}:` : ""}${port.hostPort}:${port.containerPort}`;
  return port.protocol && port.protocol !== "tcp" ? `${spec}/${port.protocol}` : spec;
}

/** `source:destination[:options]`, with `%` escaped everywhere except in a source that carries specifiers. */
function volumeSpec(mount: VolumeMount): UnitValue {
  const escape = (text: string) => text.replaceAll("%", "%%");
  const source = typeof mount.source === "string" ? escape(mount.source) : mount.source.withSpecifiers;
  const rest = [mount.destination, ...(mount.options?.length ? [mount.options.join(",")] : [])].map(escape);
  return { withSpecifiers: [source, ...rest].join(":") };
}

function containerLines(section: ContainerSection, c: EscapeContext): Line[] {
  const lines: Line[] = [["Image", c.token("Image", section.Image)]];
  if (section.ContainerName !== undefined) lines.push(["ContainerName", c.token("ContainerName", section.ContainerName)]);
  if (section.HostName !== undefined) lines.push(["HostName", c.token("HostName", section.HostName)]);
  if (section.User !== undefined) lines.push(["User", c.token("User", section.User)]);
  if (section.Group !== undefined) lines.push(["Group", c.token("Group", section.Group)]);
  if (section.UserNS !== undefined) lines.push(["UserNS", c.token("UserNS", section.UserNS)]);
  for (const group of section.GroupAdd ?? []) lines.push(["GroupAdd", c.token("GroupAdd", group)]);
  for (const device of section.AddDevice ?? []) lines.push(["AddDevice", c.token("AddDevice", device)]);
  for (const network of section.Network ?? []) lines.push(["Network", c.token("Network", network)]);
  for (const port of section.PublishPort ?? []) lines.push(["PublishPort", c.token("PublishPort", portSpec(port))]);
  for (const mount of section.Volume ?? []) lines.push(["Volume", c.token("Volume", volumeSpec(mount))]);
  for (const tmpfs of section.Tmpfs ?? []) lines.push(["Tmpfs", c.token("Tmpfs", tmpfs)]);
  if (section.Environment) lines.push(...c.assignments("Environment", section.Environment));
  for (const secret of section.Secret ?? []) lines.push(["Secret", c.token("Secret", secretSpec(secret))]);
  if (section.Label) lines.push(...c.assignments("Label", section.Label));
  if (section.WorkingDir !== undefined) lines.push(["WorkingDir", c.token("WorkingDir", section.WorkingDir)]);
  if (section.HealthCmd !== undefined) lines.push(["HealthCmd", c.healthCommand("HealthCmd", section.HealthCmd)]);
  for (const key of ["HealthInterval", "HealthTimeout", "HealthStartPeriod"] as const) {
    const value = section[key];
    if (value !== undefined) lines.push([key, c.token(key, value)]);
  }
  if (section.HealthRetries !== undefined) lines.push(["HealthRetries", String(section.HealthRetries)]);
  if (section.Notify !== undefined) lines.push(["Notify", section.Notify]);
  if (section.AutoUpdate !== undefined) lines.push(["AutoUpdate", section.AutoUpdate]);
  if (section.Pull !== undefined) lines.push(["Pull", section.Pull]);
  if (section.ReadOnly !== undefined) lines.push(["ReadOnly", bool(section.ReadOnly)]);
  if (section.NoNewPrivileges !== undefined) lines.push(["NoNewPrivileges", bool(section.NoNewPrivileges)]);
  for (const cap of section.DropCapability ?? []) lines.push(["DropCapability", c.token("DropCapability", cap)]);
  for (const cap of section.AddCapability ?? []) lines.push(["AddCapability", c.token("AddCapability", cap)]);
  if (section.SecurityLabelDisable !== undefined) lines.push(["SecurityLabelDisable", bool(section.SecurityLabelDisable)]);
  if (section.Timezone !== undefined) lines.push(["Timezone", c.token("Timezone", section.Timezone)]);
  if (section.StopTimeout !== undefined) lines.push(["StopTimeout", String(section.StopTimeout)]);
  if (section.ShmSize !== undefined) lines.push(["ShmSize", c.token("ShmSize", section.ShmSize)]);
  if (section.Memory !== undefined) lines.push(["Memory", c.token("Memory", section.Memory)]);
  for (const arg of section.PodmanArgs ?? []) lines.push(["PodmanArgs", c.words("PodmanArgs", [arg])]);
  if (section.Exec?.length) lines.push(["Exec", c.words("Exec", section.Exec)]);
  return lines;
}

function networkLines(section: NetworkSection, c: EscapeContext): Line[] {
  const lines: Line[] = [];
  if (section.NetworkName !== undefined) lines.push(["NetworkName", c.token("NetworkName", section.NetworkName)]);
  if (section.Driver !== undefined) lines.push(["Driver", c.token("Driver", section.Driver)]);
  for (const subnet of section.Subnet ?? []) lines.push(["Subnet", c.token("Subnet", subnet)]);
  for (const gateway of section.Gateway ?? []) lines.push(["Gateway", c.token("Gateway", gateway)]);
  if (section.Internal !== undefined) lines.push(["Internal", bool(section.Internal)]);
  if (section.DisableDNS !== undefined) lines.push(["DisableDNS", bool(section.DisableDNS)]);
  for (const option of section.Options ?? []) lines.push(["Options", c.token("Options", option)]);
  if (section.Label) lines.push(...c.assignments("Label", section.Label));
  return lines;
}

function volumeLines(section: VolumeSection, c: EscapeContext): Line[] {
  const lines: Line[] = [];
  if (section.VolumeName !== undefined) lines.push(["VolumeName", c.token("VolumeName", section.VolumeName)]);
  if (section.Driver !== undefined) lines.push(["Driver", c.token("Driver", section.Driver)]);
  if (section.User !== undefined) lines.push(["User", c.token("User", section.User)]);
  if (section.Group !== undefined) lines.push(["Group", c.token("Group", section.Group)]);
  if (section.Label) lines.push(...c.assignments("Label", section.Label));
  return lines;
}

function buildLines(section: BuildSection, c: EscapeContext): Line[] {
  const lines: Line[] = section.ImageTag.map((tag): Line => ["ImageTag", c.token("ImageTag", tag)]);
  if (section.File !== undefined) lines.push(["File", c.token("File", section.File)]);
  if (section.SetWorkingDirectory !== undefined)
    lines.push(["SetWorkingDirectory", c.token("SetWorkingDirectory", section.SetWorkingDirectory)]);
  if (section.Pull !== undefined) lines.push(["Pull", section.Pull]);
  if (section.BuildArg) lines.push(...c.assignments("BuildArg", section.BuildArg));
  if (section.Label) lines.push(...c.assignments("Label", section.Label));
  return lines;
}
