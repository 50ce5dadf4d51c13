/**
 * The custom resources the Kubernetes stacks declare, built as plain objects from typed arguments
 * and declared with `kubernetes.apiextensions.CustomResource`. Their fields are checked against the
 * documented schemas in customResourceSchemas.ts (by tests and by `check`), since no offline
 * validator knows these kinds.
 */

export interface ObjectMeta {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface CustomResourceObject<Spec> {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  spec: Spec;
}

/** The KubeBlocks release Sealos templates use for PostgreSQL (addon `postgresql`, version 16.4.0). */
export const KUBEBLOCKS_POSTGRES_VERSION = "postgresql-16.4.0";

export interface KubeBlocksPostgresArgs {
  name: string;
  namespace: string;
  serviceAccountName: string;
  resources: { requests: { cpu: string; memory: string }; limits: { cpu: string; memory: string } };
  storageSize: string;
  storageClassName?: string;
}

/**
 * A one-replica PostgreSQL 16.4.0 cluster (`apps.kubeblocks.io/v1alpha1` Cluster, for KubeBlocks 0.9.x:
 * `disableExporter` is new in 0.9.0, and 1.0 has no ClusterVersion; platformVersions.ts) with the labels
 * and fields Sealos's database provider lists and classifies (labring-actions/templates,
 * database-templates.md). KubeBlocks publishes its credentials in `<name>-conn-credential`
 * (host, port, username, password, endpoint) and serves it at `<name>-postgresql`.
 */
export function kubeBlocksPostgresCluster(args: KubeBlocksPostgresArgs): CustomResourceObject<Record<string, unknown>> {
  return {
    apiVersion: "apps.kubeblocks.io/v1alpha1",
    kind: "Cluster",
    metadata: {
      name: args.name,
      namespace: args.namespace,
      labels: {
        "kb.io/database": KUBEBLOCKS_POSTGRES_VERSION,
        "clusterdefinition.kubeblocks.io/name": "postgresql",
        "clusterversion.kubeblocks.io/name": KUBEBLOCKS_POSTGRES_VERSION,
        "sealos-db-provider-cr": args.name,
        "app.kubernetes.io/instance": args.name,
      },
    },
    spec: {
      affinity: { podAntiAffinity: "Preferred", tenancy: "SharedNode", topologyKeys: ["kubernetes.io/hostname"] },
      clusterDefinitionRef: "postgresql",
      clusterVersionRef: KUBEBLOCKS_POSTGRES_VERSION,
      componentSpecs: [
        {
          name: "postgresql",
          componentDefRef: "postgresql",
          replicas: 1,
          disableExporter: true,
          enabledLogs: ["running"],
          resources: args.resources,
          serviceAccountName: args.serviceAccountName,
          switchPolicy: { type: "Noop" },
          volumeClaimTemplates: [
            {
              name: "data",
              spec: {
                accessModes: ["ReadWriteOnce"],
                resources: { requests: { storage: args.storageSize } },
                ...(args.storageClassName ? { storageClassName: args.storageClassName } : {}),
              },
            },
          ],
        },
      ],
      terminationPolicy: "Delete",
    },
  };
}

/** KubeBlocks' credential Secret and Service for a cluster (Sealos templates' naming). */
export function kubeBlocksPostgresEndpoints(clusterName: string, namespace: string) {
  return {
    credentialsSecret: `${clusterName}-conn-credential`,
    host: `${clusterName}-postgresql.${namespace}.svc.cluster.local`,
    port: 5432,
  };
}

export interface SealosAppArgs {
  name: string;
  namespace: string;
  /** Shown on the Sealos desktop. */
  displayName: string;
  url: string;
  icon: string;
  labels?: Record<string, string>;
}

/** The Sealos desktop entry (`app.sealos.io/v1` App) that opens the app's public URL. */
export function sealosApp(args: SealosAppArgs): CustomResourceObject<Record<string, unknown>> {
  return {
    apiVersion: "app.sealos.io/v1",
    kind: "App",
    metadata: { name: args.name, namespace: args.namespace, ...(args.labels ? { labels: args.labels } : {}) },
    spec: { name: args.displayName, type: "link", displayType: "normal", icon: args.icon, data: { url: args.url } },
  };
}

/**
 * A private Sealos bucket (`objectstorage.sealos.io/v1` ObjectStorageBucket). Sealos names the real
 * bucket after the workspace user and publishes it in `object-storage-key-<user>-<name>` (key
 * `bucket`); the user's credentials and endpoints are in `object-storage-key`.
 */
export function objectStorageBucket(args: {
  name: string;
  namespace: string;
  labels?: Record<string, string>;
}): CustomResourceObject<Record<string, unknown>> {
  return {
    apiVersion: "objectstorage.sealos.io/v1",
    kind: "ObjectStorageBucket",
    metadata: { name: args.name, namespace: args.namespace, ...(args.labels ? { labels: args.labels } : {}) },
    spec: { policy: "private" },
  };
}

export interface ExternalSecretArgs {
  /** `external-secrets.io/v1` or, for External Secrets before 0.16, `external-secrets.io/v1beta1` (platformVersions.ts). */
  apiVersion: string;
  name: string;
  namespace: string;
  /** The ClusterSecretStore to read from. */
  storeName: string;
  /** The Kubernetes Secret the operator creates (owned by the ExternalSecret). */
  targetSecret: string;
  /** Secret key → key in the store. */
  data: Record<string, string>;
  labels?: Record<string, string>;
}

/** An External Secrets Operator ExternalSecret, refreshed hourly, owning the Secret it writes. */
export function externalSecret(args: ExternalSecretArgs): CustomResourceObject<Record<string, unknown>> {
  return {
    apiVersion: args.apiVersion,
    kind: "ExternalSecret",
    metadata: { name: args.name, namespace: args.namespace, ...(args.labels ? { labels: args.labels } : {}) },
    spec: {
      refreshInterval: "1h",
      secretStoreRef: { kind: "ClusterSecretStore", name: args.storeName },
      target: { name: args.targetSecret, creationPolicy: "Owner" },
      data: Object.entries(args.data).map(([secretKey, key]) => ({ secretKey, remoteRef: { key } })),
    },
  };
}
