/**
 * The real `fedora` stack, recorded offline, with helpers to read what it would put on the host:
 * unit files by name and their keys, and every value a resource's inputs carry (secrets included,
 * for leak scans that must see inside Pulumi's secret envelopes).
 */
import path from "node:path";
import { type Artifact, extractArtifacts } from "../../cli/engine/artifacts";
import { isSecretEnvelope } from "../../cli/engine/redact";
import { type Recording, recordStack } from "../../cli/engine/recordStack";
import { readProjectFile, readStackSettings } from "../../cli/engine/stackSettings";
import type { ServiceDeclaration } from "../../infra/catalog/types";
import { parseStackConfig } from "../../infra/config/parse";
import { planFedora } from "../../infra/targets/fedora";

export const ROOT = path.resolve(__dirname, "..", "..");
export const P = "paperclip-harness:";

export interface FedoraRecording {
  recording: Recording;
  artifacts: Artifact[];
}

export async function recordFedora(configOverrides: Record<string, string> = {}): Promise<FedoraRecording> {
  const recording = await recordStack({ root: ROOT, stack: "fedora", configOverrides });
  return { recording, artifacts: extractArtifacts(recording.resources) };
}

/**
 * The catalogue's services as the fedora stack resolves them with these overrides (by the program's
 * own resolver): what tests enumerate instead of a hand-kept list, so a new catalogue file is covered
 * without editing them.
 */
export function fedoraServices(configOverrides: Record<string, string> = {}): ServiceDeclaration[] {
  const settings = readStackSettings(ROOT, readProjectFile(ROOT), "fedora");
  const config = parseStackConfig({
    stack: "fedora",
    values: { ...settings.config, ...configOverrides },
    secretKeys: new Set(settings.secretKeys),
    implementedTargets: ["fedora"],
  });
  return [...planFedora(config).catalog.services];
}

/** The names of the services that run in a container (a `.container` unit), host services left out. */
export function containerServiceNames(services: readonly ServiceDeclaration[]): string[] {
  return services.filter((s) => s.kind !== "host").map((s) => s.name);
}

/** The text of a host file by its path under the home directory. */
export function hostFile(artifacts: readonly Artifact[], relativePath: string): string {
  const artifact = artifacts.find((a) => a.path === `host/${relativePath}`);
  if (!artifact) throw new Error(`no artifact host/${relativePath}`);
  return artifact.content;
}

export function quadlet(artifacts: readonly Artifact[], file: string): string {
  return hostFile(artifacts, `.config/containers/systemd/${file}`);
}

/** Every value of a key in a unit file (`Network=`), in order. */
export function unitValues(unit: string, key: string): string[] {
  return unit
    .split("\n")
    .filter((line) => line.startsWith(`${key}=`))
    .map((line) => line.slice(key.length + 1));
}

/** The `.container` artifacts by container name. */
export function containers(artifacts: readonly Artifact[]): Map<string, string> {
  return new Map(artifacts.filter((a) => a.path.endsWith(".container")).map((a) => [path.basename(a.path, ".container"), a.content]));
}

/** Every string inside a value, secret envelopes opened. */
export function stringsIn(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (isSecretEnvelope(value)) return stringsIn(value.value);
  if (Array.isArray(value)) return value.flatMap(stringsIn);
  if (value !== null && typeof value === "object") return Object.values(value).flatMap(stringsIn);
  return [];
}
