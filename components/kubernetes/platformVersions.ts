/**
 * The platform versions the Kubernetes stacks render for, and which API versions each one serves.
 * docs/kubernetes.md ("Supported versions") is the same table in prose, with the sources the facts
 * were read from; `check` validates every rendered object against these versions and fails an
 * object whose API version the stated versions do not serve.
 */

/** A release number `major.minor.patch` (a leading `v` is accepted). */
export type Release = readonly [number, number, number];

export function parseRelease(text: string): Release | undefined {
  const match = /^v?(\d+)\.(\d+)(?:\.(\d+))?$/.exec(text.trim());
  return match ? [Number(match[1]), Number(match[2]), Number(match[3] ?? 0)] : undefined;
}

export function compareReleases(a: Release, b: Release): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}

const release = (text: string): Release => parseRelease(text)!;

/** Kubernetes: the API the built-in objects are validated against, and the oldest release they need. */
export const KUBERNETES = {
  /** The API schema `check` uses (@kubernetes/client-node 2.0.1 is generated from release-1.36). */
  validatedAgainst: "1.36",
  /** StatefulSet `persistentVolumeClaimRetentionPolicy` is beta and on by default from 1.27. */
  minimum: "1.27",
} as const;

/** External Secrets Operator: the release `homelab` assumes unless `externalSecretsVersion` says otherwise. */
export const EXTERNAL_SECRETS = {
  /** The newest release whose CRDs were read (every release from `minimum` on was checked for the fields used). */
  default: "2.9.0",
  /** The oldest release whose ExternalSecret schema has every field the stack sets. */
  minimum: "0.10.0",
} as const;

/** KubeBlocks as Sealos runs it: `disableExporter` exists from 0.9.0; 1.0 replaced ClusterVersion. */
export const KUBEBLOCKS = { supported: "0.9.x", minimum: "0.9.0", below: "1.0.0", sealosRuns: "0.9.3" } as const;

/** Sealos: the release whose App and ObjectStorageBucket CRDs the schemas follow. */
export const SEALOS = { release: "5.1.1" } as const;

/** The platform releases one stack is rendered for (a stack output; `check` reads it). */
export interface PlatformVersions {
  kubernetes: string;
  externalSecrets?: string;
  kubeBlocks?: string;
  sealos?: string;
}

/** Which releases of the operator that owns a custom resource serve one of its API versions. */
interface ServedRange {
  apiVersion: string;
  /** First release that serves it. */
  from?: string;
  /** First release that no longer serves it (`served: false` or removed). */
  until?: string;
}

interface CustomResourceOwner {
  /** Field of PlatformVersions that names the operator's release. */
  platform: keyof Omit<PlatformVersions, "kubernetes">;
  product: string;
  kind: string;
  served: readonly ServedRange[];
}

/**
 * Served API versions, read from each project's CRD manifests (`spec.versions[].served`) at the
 * releases named: External Secrets `config/crds/bases/external-secrets.io_externalsecrets.yaml`
 * (v0.15.1: v1alpha1 and v1beta1; v0.16.0: v1 and v1beta1; v0.17.0 … v2.9.0: v1, v1beta1 `served:
 * false`), KubeBlocks `config/crd/bases/apps.kubeblocks.io_clusters.yaml` (0.9.0 … 0.9.5: v1alpha1
 * only; 1.0.0: v1 and v1alpha1), Sealos `controllers/app` and `controllers/objectstorage`, `config/crd/bases` (5.1.1: v1 only).
 */
export const CUSTOM_RESOURCE_OWNERS: readonly CustomResourceOwner[] = [
  {
    platform: "externalSecrets",
    product: "External Secrets",
    kind: "ExternalSecret",
    served: [
      { apiVersion: "external-secrets.io/v1alpha1", until: "0.16.0" },
      { apiVersion: "external-secrets.io/v1beta1", until: "0.17.0" },
      { apiVersion: "external-secrets.io/v1", from: "0.16.0" },
    ],
  },
  {
    platform: "kubeBlocks",
    product: "KubeBlocks",
    kind: "Cluster",
    served: [{ apiVersion: "apps.kubeblocks.io/v1alpha1" }, { apiVersion: "apps.kubeblocks.io/v1", from: "1.0.0" }],
  },
  { platform: "sealos", product: "Sealos", kind: "App", served: [{ apiVersion: "app.sealos.io/v1" }] },
  { platform: "sealos", product: "Sealos", kind: "ObjectStorageBucket", served: [{ apiVersion: "objectstorage.sealos.io/v1" }] },
];

const groupOf = (apiVersion: string) => apiVersion.split("/")[0]!;

/** The owner of a custom resource kind in an API group, if this project knows it. */
export function customResourceOwner(apiVersion: string, kind: string): CustomResourceOwner | undefined {
  return CUSTOM_RESOURCE_OWNERS.find(
    (owner) => owner.kind === kind && owner.served.some((range) => groupOf(range.apiVersion) === groupOf(apiVersion)),
  );
}

function serves(range: ServedRange, version: Release): boolean {
  return (
    (range.from === undefined || compareReleases(version, release(range.from)) >= 0) &&
    (range.until === undefined || compareReleases(version, release(range.until)) < 0)
  );
}

/** The API versions of a kind that an operator release serves. */
export function servedApiVersions(owner: CustomResourceOwner, operatorRelease: string): string[] {
  const version = parseRelease(operatorRelease);
  return version === undefined ? [] : owner.served.filter((range) => serves(range, version)).map((range) => range.apiVersion);
}

/**
 * Why the stated platform does not serve this custom resource's API version, or undefined when it
 * does. A kind this project does not know, or whose operator the stack states no release for, is
 * reported too: nothing passes unchecked.
 */
export function unservedReason(apiVersion: string, kind: string, platform: PlatformVersions): string | undefined {
  const owner = customResourceOwner(apiVersion, kind);
  if (owner === undefined) return undefined;
  const stated = platform[owner.platform];
  if (stated === undefined)
    return `${apiVersion} ${kind}: this stack states no ${owner.product} release, so nothing says the kind exists on its cluster`;
  const served = servedApiVersions(owner, stated);
  if (served.includes(apiVersion)) return undefined;
  return `${apiVersion} ${kind}: ${owner.product} ${stated} does not serve ${apiVersion}${served.length > 0 ? `; it serves ${served.join(", ")}` : ""}`;
}

/**
 * The ExternalSecret API version to render for an External Secrets release: `v1` from 0.16.0 (the
 * only one served from 0.17.0), `v1beta1` before. Undefined for a release older than the minimum.
 */
export function externalSecretsApiVersion(operatorRelease: string): string | undefined {
  const version = parseRelease(operatorRelease);
  if (version === undefined || compareReleases(version, release(EXTERNAL_SECRETS.minimum)) < 0) return undefined;
  return compareReleases(version, release("0.16.0")) >= 0 ? "external-secrets.io/v1" : "external-secrets.io/v1beta1";
}

/** Whether a KubeBlocks release is one the `Cluster` this project renders works on (0.9.x). */
export function isSupportedKubeBlocks(operatorRelease: string): boolean {
  const version = parseRelease(operatorRelease);
  return (
    version !== undefined &&
    compareReleases(version, release(KUBEBLOCKS.minimum)) >= 0 &&
    compareReleases(version, release(KUBEBLOCKS.below)) < 0
  );
}
