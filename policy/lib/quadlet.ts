/**
 * The fedora target's leaf shapes: the Harness delivers every file with a `command:remote:Command`
 * whose script starts with `# harness:file <path>` and whose stdin is the file's text, and every
 * Podman secret with a `command:remote:Command` running `podman secret create --replace <name> -`
 * whose stdin is the value. Unit files are read back into workloads here.
 */
import { writtenPath } from "../../components/podman/hostCommands";
import { isUnknown, str, strOrUnknown, UNKNOWN, type StackResource, type Unknown } from "./plain";
import {
  environmentAssignments,
  lastValue,
  optionValues,
  parseEnvFile,
  parsePublishPort,
  parseSecretReference,
  parseUnitFile,
  splitWords,
  unescapeValue,
  values,
  type ParsedUnit,
} from "./unitFile";
import type { EnvVar, Mount, Probe, PublishedPort, StackModel, Workload } from "./workloads";

const REMOTE_COMMAND = "command:remote:Command";
const SECRET_CREATE = /podman\s+secret\s+create\b[^\n]*?\s'?([A-Za-z0-9][A-Za-z0-9_.-]*)'?\s+-(?:\s|$)/;

export interface HarnessFile {
  path: string;
  text: string | Unknown;
  urn: string;
  /** Written readable by its owner only (0600, 0400): a secret file, not plain text. */
  private: boolean;
}

/** The files the Harness writes, by path relative to the user's home. */
export function harnessFiles(resources: readonly StackResource[]): HarnessFile[] {
  return resources.flatMap((r) => {
    if (r.type !== REMOTE_COMMAND) return [];
    const create = str(r.props.create);
    const path = writtenPath(create);
    if (path === undefined) return [];
    const text = strOrUnknown(r.props.stdin) ?? "";
    const mode = /\bchmod\s+(0?[0-7]{3,4})\b/.exec(create!)?.[1];
    return [{ path, text, urn: r.urn, private: mode !== undefined && (parseInt(mode, 8) & 0o077) === 0 }];
  });
}

/** The Podman secret a command creates, if it is one. */
export function podmanSecretName(resource: StackResource): string | undefined {
  if (resource.type !== REMOTE_COMMAND) return undefined;
  const create = str(resource.props.create);
  return create ? SECRET_CREATE.exec(create)?.[1] : undefined;
}

/** URNs whose outputs flowed into a property (falls back to the resource's dependencies). */
export function provenanceOf(resource: StackResource, property: string, model: StackModel): string[] {
  const deps = resource.propertyDependencies[property] ?? resource.dependencies;
  // Ordering dependencies on other commands (the host check) are not where a value comes from.
  return deps.filter((urn) => !model.byUrn.get(urn)?.type.startsWith("command:"));
}

function homeRelative(path: string): string | undefined {
  if (path.startsWith("%h/")) return path.slice(3);
  return undefined;
}

export function readQuadlet(model: StackModel): void {
  const files = harnessFiles(model.resources);
  const byPath = new Map(files.map((f) => [f.path, f]));
  const fileAt = (hostPath: string): HarnessFile | undefined => {
    const relative = homeRelative(hostPath);
    return relative === undefined ? undefined : byPath.get(relative);
  };
  const textAt = (hostPath: string): string | Unknown | undefined => {
    const file = fileAt(hostPath);
    return file && !file.private ? file.text : undefined;
  };

  for (const resource of model.resources) {
    const name = podmanSecretName(resource);
    if (name !== undefined) {
      model.secrets.push({
        mechanism: "podman",
        name,
        value: strOrUnknown(resource.props.stdin),
        urn: resource.urn,
        provenance: provenanceOf(resource, "stdin", model),
        label: `Podman secret ${name}`,
      });
    }
  }

  const units = new Map<string, { file: HarnessFile; unit: ParsedUnit }>();
  for (const file of files) {
    const resource = model.byUrn.get(file.urn)!;
    if (file.private) {
      model.secrets.push({
        mechanism: "file",
        name: file.path,
        value: file.text,
        urn: file.urn,
        provenance: provenanceOf(resource, "stdin", model),
        label: `secret file ${file.path}`,
      });
    } else if (typeof file.text === "string") {
      model.plainTexts.push({ urn: file.urn, label: file.path, text: file.text });
    }
    const base = file.path.split("/").at(-1)!;
    if (!/\.(container|network|pod|build|image|volume|service|timer)$/.test(base) || isUnknown(file.text)) continue;
    units.set(base, { file, unit: parseUnitFile(file.text) });
  }

  for (const [base, { unit }] of units) {
    if (base.endsWith(".network"))
      model.networkNames.set(base, lastValue(unit, "Network", "NetworkName") ?? `systemd-${base.slice(0, -8)}`);
  }
  const networkOf = (reference: string): string => {
    // `<name>.network:ip=…` joins that network with options (a fixed address).
    const unit = /^([^:]+\.network)(?::.*)?$/.exec(reference)?.[1];
    if (unit !== undefined) return model.networkNames.get(unit) ?? `systemd-${unit.slice(0, -8)}`;
    // `container:<name>` joins that container's namespace; `<name>:ip=…` and `pasta:…` carry options.
    if (reference.startsWith("container:")) return reference;
    return reference.split(":")[0]!;
  };
  const imageOf = (reference: string): string => {
    if (reference.endsWith(".build")) {
      const build = units.get(reference);
      return (build && values(build.unit, "Build", "ImageTag")[0]) ?? reference;
    }
    if (reference.endsWith(".image")) {
      const image = units.get(reference);
      return (image && lastValue(image.unit, "Image", "Image")) ?? reference;
    }
    return reference;
  };

  for (const [base, { file, unit }] of units) {
    if (base.endsWith(".build")) {
      // The built image's own tag is judged where a container uses it; what it builds from is judged here.
      const containerfile = lastValue(unit, "Build", "File");
      const text = containerfile ? textAt(containerfile) : undefined;
      if (typeof text === "string") {
        for (const image of fromImages(text)) model.otherImages.push({ image, urn: file.urn, where: `FROM in ${containerfile}` });
      }
    }
    const lookup: FileLookup = { textAt, fileAt, model };
    if (base.endsWith(".container")) model.workloads.push(containerWorkload(base, file, unit, units, networkOf, imageOf, lookup));
    if (base.endsWith(".service")) model.workloads.push(hostServiceWorkload(base, file, unit, lookup));
  }
}

/** Images a Containerfile or Dockerfile builds from (stage names excluded). */
export function fromImages(text: string): string[] {
  const stages = new Set<string>();
  const images: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    const match = /^\s*FROM\s+(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?/i.exec(line);
    if (!match) continue;
    if (!stages.has(match[1]!.toLowerCase()) && match[1] !== "scratch") images.push(match[1]!);
    if (match[2]) stages.add(match[2].toLowerCase());
  }
  return images;
}

type FileLookup = {
  textAt: (p: string) => string | Unknown | undefined;
  fileAt: (p: string) => HarnessFile | undefined;
  model: StackModel;
};

/** The variables of an env file: plain when the stack writes it readable, secret when 0600, opaque otherwise. */
function envFileEntries(path: string, where: string, files: FileLookup): EnvVar[] {
  const file = files.fileAt(path);
  if (file?.private && typeof file.text === "string") {
    // A secret env file: its variables are secrets delivered as a file (values judged as secrets).
    const resource = files.model.byUrn.get(file.urn)!;
    return parseEnvFile(file.text).map(({ name, value }): EnvVar => {
      if (!files.model.secrets.some((s) => s.mechanism === "file" && s.name === file.path && s.key === name)) {
        files.model.secrets.push({
          mechanism: "file",
          name: file.path,
          key: name,
          value,
          urn: file.urn,
          provenance: provenanceOf(resource, "stdin", files.model),
          label: `secret file ${file.path} (${name})`,
        });
      }
      return { name, source: { kind: "secret", secret: { mechanism: "file", name: file.path, key: name } }, where: `${path} (${where})` };
    });
  }
  // A secret file not known until deployment (a first preview) is judged then.
  if (file?.private) return [{ name: "*", source: { kind: "env-file", path, pending: true }, where }];
  const text = files.textAt(path);
  if (typeof text === "string")
    return parseEnvFile(text).map(({ name, value }) => ({ name, source: { kind: "plain", value }, where: `${path} (${where})` }));
  return [{ name: "*", source: { kind: "env-file", path }, where }];
}

function envFromUnit(unit: ParsedUnit, section: string, where: string, dollars: boolean, files: FileLookup): EnvVar[] {
  const env: EnvVar[] = [];
  for (const value of values(unit, section, "EnvironmentFile")) {
    env.push(...envFileEntries(unescapeValue(value.replace(/^-/, ""), false), `EnvironmentFile= of ${where}`, files));
  }
  for (const value of values(unit, section, "Environment")) {
    for (const { name, value: v } of environmentAssignments(value, dollars))
      env.push({ name, source: { kind: "plain", value: v }, where: `Environment= in ${where}` });
  }
  return env;
}

function containerWorkload(
  base: string,
  file: HarnessFile,
  unit: ParsedUnit,
  units: Map<string, { file: HarnessFile; unit: ParsedUnit }>,
  networkOf: (reference: string) => string,
  imageOf: (reference: string) => string,
  files: FileLookup,
): Workload {
  const textAt = files.textAt;
  const section = "Container";
  const unitName = base.slice(0, -".container".length);
  const name = lastValue(unit, section, "ContainerName") ?? `systemd-${unitName}`;
  const podmanArgs = values(unit, section, "PodmanArgs").flatMap((v) => splitWords(v).map((w) => unescapeValue(w, true)));
  const exec = values(unit, section, "Exec").flatMap((v) => splitWords(v).map((w) => unescapeValue(w, true)));

  const env = envFromUnit(unit, section, base, true, files);
  for (const assignment of optionValues(podmanArgs, "--env", "-e")) {
    const eq = assignment.indexOf("=");
    if (eq > 0)
      env.push({
        name: assignment.slice(0, eq),
        source: { kind: "plain", value: assignment.slice(eq + 1) },
        where: `PodmanArgs= --env in ${base}`,
      });
  }
  for (const path of optionValues(podmanArgs, "--env-file")) env.push(...envFileEntries(path, `PodmanArgs= --env-file in ${base}`, files));

  const secretMounts: Workload["secretMounts"] = [];
  const secretSpecs = [...values(unit, section, "Secret"), ...optionValues(podmanArgs, "--secret")];
  for (const spec of secretSpecs) {
    const reference = parseSecretReference(spec);
    const ref = { mechanism: "podman" as const, name: reference.name };
    if (reference.type === "env")
      env.push({ name: reference.target, source: { kind: "secret", secret: ref }, where: `Secret= in ${base}` });
    else secretMounts.push({ ref, destination: reference.target });
  }

  // A container in a pod shares the pod's network namespace and published ports.
  const pod = lastValue(unit, section, "Pod");
  const podUnit = pod ? units.get(pod)?.unit : undefined;
  const networkSpecs = [
    ...values(unit, section, "Network"),
    ...optionValues(podmanArgs, "--network", "--net"),
    ...(podUnit ? values(podUnit, "Pod", "Network") : []),
  ];
  const networks = networkSpecs.flatMap((spec) => spec.split(",")).map(networkOf);
  const networkAddresses = networkSpecs
    .flatMap((spec) => spec.split(","))
    .filter((reference) => /^[^:]+\.network(?::|$)/.test(reference))
    .map((reference) => {
      const ip = /:ip=([0-9.]+)/.exec(reference)?.[1];
      return { network: networkOf(reference), ...(ip === undefined ? {} : { ip }) };
    });

  const ports: PublishedPort[] = [];
  const publish = (spec: string, where: string) => {
    const parsed = parsePublishPort(spec);
    if (parsed) ports.push({ ...parsed, where });
  };
  for (const spec of values(unit, section, "PublishPort")) publish(spec, `PublishPort= in ${base}`);
  for (const spec of optionValues(podmanArgs, "--publish", "-p")) publish(spec, `PodmanArgs= --publish in ${base}`);
  if (podUnit && pod) for (const spec of values(podUnit, "Pod", "PublishPort")) publish(spec, `PublishPort= in ${pod}`);

  const mounts: Mount[] = [...values(unit, section, "Volume"), ...optionValues(podmanArgs, "--volume", "-v")].map((spec) => {
    const [source = "", destination = ""] = unescapeValue(spec, false).split(":");
    const text = textAt(source);
    return { source, destination, ...(typeof text === "string" ? { text } : {}) };
  });

  const probes: Probe[] = [];
  const health = lastValue(unit, section, "HealthCmd");
  if (health !== undefined) probes.push({ kind: "command", argv: healthArgv(unescapeValue(health, true)), where: `HealthCmd= in ${base}` });

  const memory = lastValue(unit, section, "Memory") ?? optionValues(podmanArgs, "--memory", "-m").at(-1);
  const image = lastValue(unit, section, "Image");
  return {
    target: "quadlet",
    name,
    owner: unitName,
    urn: file.urn,
    label: base,
    ...(image === undefined ? {} : { image: imageOf(image) }),
    env,
    opaqueEnvSources: [],
    networks,
    networkAddresses,
    hostNetwork: networks.includes("host"),
    ports,
    mounts,
    secretMounts,
    commandLine: [...exec, ...podmanArgs],
    probes,
    ...(memory === undefined ? {} : { memoryLimit: parseByteSize(memory) ?? UNKNOWN }),
    memoryLimitRequired: false,
  };
}

function hostServiceWorkload(base: string, file: HarnessFile, unit: ParsedUnit, files: FileLookup): Workload {
  const exec = ["ExecStartPre", "ExecStart", "ExecStartPost"].flatMap((key) =>
    values(unit, "Service", key).flatMap((v) => splitWords(v.replace(/^[-@:+!]+/, ""))),
  );
  return {
    target: "quadlet",
    name: base.slice(0, -".service".length),
    urn: file.urn,
    label: base,
    hostService: true,
    env: envFromUnit(unit, "Service", base, false, files),
    opaqueEnvSources: [],
    networks: ["host"],
    hostNetwork: true,
    ports: [],
    mounts: [],
    secretMounts: [],
    commandLine: exec,
    probes: [],
    memoryLimitRequired: false,
  };
}

/** HealthCmd= is either the renderer's JSON array or a shell-like command line. */
function healthArgv(value: string): string[] {
  if (value.startsWith("[")) {
    try {
      const parsed: unknown = JSON.parse(value);
      if (Array.isArray(parsed) && parsed.every((p) => typeof p === "string")) return parsed.slice(1);
    } catch {
      // fall through to word splitting
    }
  }
  return splitWords(value);
}

/** `512m`, `1g`, `1073741824` (Podman) → bytes. */
export function parseByteSize(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)\s*([bkmg])?b?$/i.exec(text.trim());
  if (!match) return undefined;
  const factor = { b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[(match[2] ?? "b").toLowerCase() as "b" | "k" | "m" | "g"];
  return Math.round(Number(match[1]) * factor);
}
