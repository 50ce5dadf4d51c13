/**
 * Rendered artifacts, recovered from what the program registered: the files a stack would put on a
 * host are the inputs of the leaf resources that write them, so the plan shows exactly what
 * `pulumi up` would deliver. Each target's artifacts have one extractor here.
 */
import { stringify } from "yaml";
import { FLY_BUILD_FILES, flyctlStepOf } from "../../components/fly/flyctlScripts";
import { writtenPath } from "../../components/podman/hostCommands";
import { d1MigrationScriptArtifacts, tunnelConfigArtifacts } from "./cloudflareArtifacts";
import { isSecretEnvelope, plainValue, SECRET_MARKER } from "./redact";
import type { RecordedResource } from "./RecordingMonitor";

export type ArtifactKind =
  "quadlet" | "systemd-unit" | "caddyfile" | "postfix" | "yaml" | "json" | "toml" | "shell" | "dockerfile" | "kubernetes" | "text";

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

/**
 * A manifest's view of a value: every secret becomes the marker, keeping the keys of a secret map
 * (a Secret's stringData keys are not secret; its values are), so the manifest still validates.
 */
function maskSecrets(value: unknown, insideSecret = false): unknown {
  if (isSecretEnvelope(value)) return maskSecrets(value.value, true);
  if (Array.isArray(value)) return value.map((v) => maskSecrets(v, insideSecret));
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskSecrets(v, insideSecret)]));
  }
  return insideSecret ? SECRET_MARKER : value;
}

/**
 * Every Kubernetes object the program declares (`kubernetes:*` leaf resources), as the YAML manifest
 * its inputs are, secrets masked: `manifests/<namespace>/<kind>-<name>.yaml` (`_cluster` for
 * cluster-scoped objects). A Helm release is its chart, version and values. The files a ConfigMap
 * carries also come out on their own (`…/configmap-<name>/<key>`), so scripts reach shellcheck and
 * documents their parsers.
 */
export const kubernetesManifestArtifacts: ArtifactExtractor = (resource) => {
  if (!resource.custom || !resource.type.startsWith("kubernetes:")) return [];
  const inputs = maskSecrets(resource.inputs) as Record<string, unknown>;
  if (resource.type === "kubernetes:helm.sh/v3:Release") {
    const { compat: _compat, ...release } = inputs;
    const namespace = typeof release.namespace === "string" ? release.namespace : "_cluster";
    const name = typeof release.name === "string" ? release.name : resource.name;
    return [
      {
        path: `manifests/${namespace}/helm-release-${name}.yaml`,
        kind: "yaml",
        content: stringify(release, { lineWidth: 0 }),
        resource: resource.urn,
      },
    ];
  }
  const metadata = (inputs.metadata ?? {}) as { name?: unknown; namespace?: unknown };
  const kind = typeof inputs.kind === "string" ? inputs.kind : resource.type.split(":").pop()!;
  const name = typeof metadata.name === "string" ? metadata.name : resource.name;
  const directory = `manifests/${typeof metadata.namespace === "string" ? metadata.namespace : "_cluster"}`;
  const stem = `${directory}/${kind.toLowerCase()}-${name}`;
  const artifacts: Artifact[] = [
    { path: `${stem}.yaml`, kind: "kubernetes", content: stringify(inputs, { lineWidth: 0 }), resource: resource.urn },
  ];
  if (kind === "ConfigMap" && inputs.data && typeof inputs.data === "object") {
    for (const [file, content] of Object.entries(inputs.data as Record<string, unknown>)) {
      if (typeof content === "string")
        artifacts.push({ path: `${stem}/${file}`, kind: kindOfHostFile(configMapFileName(file)), content, resource: resource.urn });
    }
  }
  return artifacts;
};

/**
 * The file name a ConfigMap key stands for: Sealos App Launchpad names keys after the mount path with
 * every `/` and `.` written `vn-` (`vn-etcvn-paperclipvn-configvn-json` is /etc/paperclip/config.json),
 * so its last `vn-` marks the extension.
 */
function configMapFileName(key: string): string {
  const encoded = /^vn-.*vn-([a-z0-9]+)$/.exec(key);
  return encoded ? `${key}.${encoded[1]}` : key;
}

function kindOfFlyBuildFile(file: string): ArtifactKind {
  if (file === "Dockerfile") return "dockerfile";
  if (file.endsWith(".toml")) return "toml";
  if (file.endsWith(".json")) return "json";
  if (file.endsWith(".sh")) return "shell";
  return "text";
}

/**
 * The Fly build context (fly.toml, Dockerfile, start script, seed config.json): the environment of
 * the deploy command (`command:local:Command`), which writes it to a temporary directory. Read from
 * the wire inputs, where only the API token is secret (the SDK's deserializer would mark the whole
 * environment secret because one entry is).
 */
export const flyBuildArtifacts: ArtifactExtractor = (resource) => {
  if (resource.type !== "command:local:Command" || flyctlStepOf(plainValue(resource.inputs.create) as string | undefined) !== "deploy")
    return [];
  const environment = resource.wireInputs.environment;
  if (environment === null || typeof environment !== "object") return [];
  return FLY_BUILD_FILES.flatMap(({ file, env }): Artifact[] => {
    const content = (environment as Record<string, unknown>)[env];
    return typeof content === "string" ? [{ path: `fly/${file}`, kind: kindOfFlyBuildFile(file), content, resource: resource.urn }] : [];
  });
};

export const ARTIFACT_EXTRACTORS: ArtifactExtractor[] = [
  hostFileArtifacts,
  d1MigrationScriptArtifacts,
  tunnelConfigArtifacts,
  kubernetesManifestArtifacts,
  flyBuildArtifacts,
];

export function extractArtifacts(resources: readonly RecordedResource[]): Artifact[] {
  const artifacts = resources.flatMap((resource) => ARTIFACT_EXTRACTORS.flatMap((extract) => extract(resource)));
  return artifacts.sort((a, b) => a.path.localeCompare(b.path));
}
