/**
 * Rendered artifacts, recovered from what the program registered: the files a stack would put on a
 * host are the inputs of the leaf resources that write them, so the plan shows exactly what
 * `pulumi up` would deliver. Each target's artifacts have one extractor here.
 */
import { writtenPath } from "../../components/podman/hostCommands";
import { plainValue } from "./redact";
import type { RecordedResource } from "./RecordingMonitor";

export type ArtifactKind = "quadlet" | "systemd-unit" | "caddyfile" | "yaml" | "json" | "shell" | "toml" | "dockerfile" | "postfix" | "text";

export interface Artifact {
  /** Path under the stack's artifacts folder (`host/.config/containers/systemd/paperclip.container`). */
  path: string;
  kind: ArtifactKind;
  content: string;
  /** URN of the resource whose inputs carry it. */
  resource: string;
}

export type ArtifactExtractor = (resource: RecordedResource) => Artifact[];

function kindOfHostFile(path: string): ArtifactKind {
  if (/\.(container|network|volume|build|pod|kube|image)$/.test(path)) return "quadlet";
  if (/\.(service|timer|target|socket|path)$/.test(path)) return "systemd-unit";
  if (path.endsWith("/Caddyfile")) return "caddyfile";
  if (/\/(Containerfile|Dockerfile)$/.test(path)) return "dockerfile";
  if (/\/(main|master)\.cf$/.test(path)) return "postfix";
  if (/\.ya?ml$/.test(path)) return "yaml";
  if (path.endsWith(".json")) return "json";
  if (path.endsWith(".sh")) return "shell";
  return "text";
}

/** Files written to the Fedora host by the Harness (`command:remote:Command` with a file script). */
export const hostFileArtifacts: ArtifactExtractor = (resource) => {
  if (resource.type !== "command:remote:Command") return [];
  const path = writtenPath(plainValue(resource.inputs.create) as string | undefined);
  const content = plainValue(resource.inputs.stdin);
  if (path === undefined || typeof content !== "string") return [];
  return [{ path: `host/${path}`, kind: kindOfHostFile(path), content, resource: resource.urn }];
};

export const ARTIFACT_EXTRACTORS: ArtifactExtractor[] = [hostFileArtifacts];

export function extractArtifacts(resources: readonly RecordedResource[]): Artifact[] {
  const artifacts = resources.flatMap((resource) => ARTIFACT_EXTRACTORS.flatMap((extract) => extract(resource)));
  return artifacts.sort((a, b) => a.path.localeCompare(b.path));
}
