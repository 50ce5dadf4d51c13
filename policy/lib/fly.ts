/**
 * The fly target's leaf shapes. Fly has no maintained Pulumi provider, so the stack drives flyctl
 * from `command:local:Command`s. What this reader relies on (the contract the fly target keeps):
 * - fly.toml's text is one of a flyctl command's string inputs (an input of its own, stdin, an
 *   environment value, or a here-document in the script), recognised as TOML with an `app` key;
 * - staged secrets are visible by name: `NAME=value` lines on the stdin of `flyctl secrets import`
 *   (values are secret; names are read when the stdin is known), and/or an environment variable
 *   whose name contains `SECRET_NAMES` listing the names (space, comma or newline separated);
 * - a Dockerfile, if the stack carries one, is a string input whose lines include `FROM`.
 * Everything in the one Fly container is in the agents' hands, so a Fly app is an agent runtime.
 */
import { parse as parseToml } from "smol-toml";
import { FLY_BUILD_FILES } from "../../components/fly/flyctlScripts";
import { arr, at, num, obj, str, strOrUnknown, stringLeaves, type Plain, type StackResource, type Unknown } from "./plain";
import { fromImages, provenanceOf } from "./quadlet";
import { optionValues, splitWords } from "./unitFile";
import type { EnvVar, Mount, Probe, StackModel } from "./workloads";

const LOCAL_COMMAND = "command:local:Command";

function isFlyCommand(resource: StackResource): boolean {
  if (resource.type !== LOCAL_COMMAND) return false;
  return ["create", "update"].some((key) => /(^|[\s;&|(/])(flyctl|fly)\s/.test(str(resource.props[key]) ?? ""));
}

/** Bodies of here-documents in a script (`<<'EOF' … EOF`). */
export function hereDocuments(script: string): string[] {
  const bodies: string[] = [];
  for (const match of script.matchAll(/<<-?\s*['"]?([A-Za-z_][A-Za-z0-9_]*)['"]?[^\n]*\n([\s\S]*?)\n\s*\1\s*(?:\n|$)/g))
    bodies.push(match[2]!);
  return bodies;
}

/** Every distinct text among a command's string inputs and the here-documents in them (create and update usually repeat). */
function candidateTexts(resource: StackResource): { text: string; path: string }[] {
  const leaves = stringLeaves(obj(resource.props) ?? {}).filter((leaf) => !leaf.path.startsWith("connection"));
  const texts = new Map<string, string>();
  for (const leaf of leaves) {
    for (const candidate of [leaf, ...hereDocuments(leaf.value).map((body) => ({ path: `${leaf.path} (here-document)`, value: body }))]) {
      if (!texts.has(candidate.value)) texts.set(candidate.value, candidate.path);
    }
  }
  return [...texts].map(([text, path]) => ({ text, path }));
}

/**
 * The files the image's Dockerfile copies from the build context (`COPY <file> <path>`), with their
 * text where the deploy command carries it: each build file travels in one variable of its
 * environment (FLY_BUILD_FILES).
 */
function imageFiles(resource: StackResource): Mount[] {
  const environment = obj(at(resource.props, "environment")) ?? {};
  const buildFile = (file: string): string | undefined => {
    const variable = FLY_BUILD_FILES.find((build) => build.file === file)?.env;
    return variable === undefined ? undefined : str(environment[variable]);
  };
  const dockerfile = buildFile("Dockerfile");
  if (dockerfile === undefined) return [];
  return [...dockerfile.matchAll(/^COPY\s+([^\s-][^\s]*)\s+(\/\S+)\s*$/gm)].map((match) => {
    const text = buildFile(match[1]!);
    return { source: match[1]!, destination: match[2]!, ...(text === undefined ? {} : { text }) };
  });
}

function tryToml(text: string): Record<string, unknown> | undefined {
  if (!/^\s*app\s*=/m.test(text)) return undefined;
  try {
    const parsed = parseToml(text) as Record<string, unknown>;
    return typeof parsed.app === "string" ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** `1gb`, `1024mb`, `1024` (MB) → bytes. */
export function parseFlyMemory(value: unknown): number | undefined {
  if (typeof value === "number") return value * 1024 * 1024;
  if (typeof value !== "string") return undefined;
  const match = /^(\d+(?:\.\d+)?)\s*(gb|mb|g|m)?$/i.exec(value.trim());
  if (!match) return undefined;
  const unit = (match[2] ?? "mb").toLowerCase();
  return Number(match[1]) * (unit.startsWith("g") ? 1024 ** 3 : 1024 ** 2);
}

function secretNamesFrom(resource: StackResource): { names: string[]; values: Map<string, string | Unknown> } {
  const names = new Set<string>();
  const values = new Map<string, string | Unknown>();
  const script = `${str(resource.props.create) ?? ""}\n${str(resource.props.update) ?? ""}`;
  if (/secrets\s+import\b/.test(script)) {
    const stdin = strOrUnknown(resource.props.stdin);
    if (typeof stdin === "string") {
      for (const line of stdin.split(/\r?\n/)) {
        const match = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
        if (match) {
          names.add(match[1]!);
          values.set(match[1]!, match[2]!);
        }
      }
    }
  }
  for (const [key, value] of Object.entries(obj(resource.props.environment) ?? {})) {
    if (/SECRET_NAMES/i.test(key) && typeof value === "string") {
      for (const name of value.split(/[\s,]+/).filter(Boolean)) names.add(name);
    }
  }
  return { names: [...names], values };
}

export function readFly(model: StackModel): void {
  const commands = model.resources.filter(isFlyCommand);
  if (commands.length === 0) return;

  const apps: { toml: Record<string, unknown>; resource: StackResource; path: string }[] = [];
  for (const resource of commands) {
    for (const { text, path } of candidateTexts(resource)) {
      const toml = tryToml(text);
      if (toml) {
        // Several commands may carry the same fly.toml (create the app, deploy it): one workload per app.
        if (!apps.some((a) => a.toml.app === toml.app)) apps.push({ toml, resource, path });
        model.plainTexts.push({ urn: resource.urn, label: `fly.toml (${path} of ${resource.name})`, text });
      }
      // A Dockerfile starts (after comments, blank lines and ARGs) with FROM; a script that writes one does not.
      if (/^(?:\s*(?:#[^\n]*|ARG\s[^\n]*)?\n)*\s*FROM\s+\S+/i.test(text)) {
        model.plainTexts.push({ urn: resource.urn, label: `Dockerfile (${path} of ${resource.name})`, text });
        for (const image of fromImages(text))
          model.otherImages.push({ image, urn: resource.urn, where: `FROM in ${path} of ${resource.name}` });
      }
    }
  }

  const appOf = (resource: StackResource): string | undefined => {
    const words = splitWords(`${str(resource.props.create) ?? ""} ${str(resource.props.update) ?? ""}`);
    return optionValues(words, "--app", "-a")[0] ?? str(at(resource.props, "environment", "FLY_APP"));
  };

  for (const { toml, resource, path } of apps) {
    const app = toml.app as string;
    const label = `Fly app ${app} (fly.toml in ${resource.name})`;
    const env: EnvVar[] = Object.entries((toml.env as Record<string, unknown> | undefined) ?? {}).map(([name, value]) => ({
      name,
      source: { kind: "plain", value: String(value) },
      where: `[env] of fly.toml (${path} of ${resource.name})`,
    }));
    for (const command of commands) {
      const target = appOf(command);
      if (target !== undefined && target !== app && apps.length > 1) continue;
      const { names, values } = secretNamesFrom(command);
      for (const name of names) {
        env.push({ name, source: { kind: "secret", secret: { mechanism: "fly", name } }, where: `secrets staged by ${command.name}` });
        model.secrets.push({
          mechanism: "fly",
          name,
          value: values.get(name),
          urn: command.urn,
          provenance: provenanceOf(command, "stdin", model),
          label: `Fly secret ${name}`,
        });
      }
      // `flyctl secrets set NAME=value` puts the value on a command line: judged as plain.
      for (const line of (str(command.props.create) ?? "").split("\n")) {
        const words = splitWords(line);
        const set = words.findIndex((w, i) => w === "set" && words[i - 1] === "secrets");
        if (set < 0) continue;
        for (const word of words.slice(set + 1)) {
          const match = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(word);
          if (match)
            env.push({
              name: match[1]!,
              source: { kind: "plain", value: match[2]! },
              where: `flyctl secrets set on the command line of ${command.name}`,
            });
        }
      }
    }

    const deployWords = commands.flatMap((c) => splitWords(str(c.props.create) ?? ""));
    const vm = arr(toml.vm as Plain)
      .map(obj)
      .concat([obj(toml.vm as Plain)])
      .filter((v) => v !== undefined);
    const tomlMemory = vm
      .map((v) => parseFlyMemory(v.memory ?? (v.memory_mb !== undefined ? num(v.memory_mb) : undefined)))
      .find((m) => m !== undefined);
    const flagMemory = optionValues(deployWords, "--vm-memory")
      .map((m) => parseFlyMemory(m))
      .find((m) => m !== undefined);
    const memoryLimit = flagMemory ?? tomlMemory;

    const probes: Probe[] = [];
    const httpService = toml.http_service as Record<string, unknown> | undefined;
    for (const check of (httpService?.checks as Record<string, unknown>[] | undefined) ?? [])
      probes.push(flyHttpCheck(check, "[[http_service.checks]]"));
    for (const service of (toml.services as Record<string, unknown>[] | undefined) ?? []) {
      for (const check of (service.http_checks as Record<string, unknown>[] | undefined) ?? [])
        probes.push(flyHttpCheck(check, "[[services.http_checks]]"));
    }
    for (const [name, check] of Object.entries((toml.checks as Record<string, Record<string, unknown>> | undefined) ?? {})) {
      probes.push(check.type === "http" ? flyHttpCheck(check, `[checks.${name}]`) : { kind: "tcp", where: `[checks.${name}]` });
    }

    const build = toml.build as Record<string, unknown> | undefined;
    const image = (typeof build?.image === "string" ? build.image : undefined) ?? optionValues(deployWords, "--image", "-i")[0];
    model.workloads.push({
      target: "fly",
      name: app,
      owner: app,
      urn: resource.urn,
      label,
      ...(image ? { image } : {}),
      env,
      opaqueEnvSources: [],
      networks: [],
      hostNetwork: false,
      ports: [],
      mounts: imageFiles(resource),
      secretMounts: [],
      commandLine: deployWords,
      probes,
      ...(memoryLimit === undefined ? {} : { memoryLimit }),
      memoryLimitRequired: true,
    });
  }
}

function flyHttpCheck(check: Record<string, unknown>, where: string): Probe {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries((check.headers as Record<string, unknown> | undefined) ?? {})) {
    headers[name.toLowerCase()] = Array.isArray(value) ? String(value[0]) : String(value);
  }
  return { kind: "http", ...(typeof check.path === "string" ? { path: check.path } : {}), headers, where: `${where} of fly.toml` };
}
