/**
 * The Bitnami PostgreSQL chart the homelab installs, and its values. Bitnami stopped serving its
 * versioned image tags from docker.io/bitnami in 2025, so every image the chart runs is pointed at
 * `mirror.gcr.io/bitnamilegacy/…`, which still serves them (the homelab seed's fix), with the tag this
 * chart version ships — written out, so the pinned images are visible on the Release's inputs.
 */

export const BITNAMI_POSTGRES_CHART = {
  /** OCI keeps every version; the HTTP index (charts.bitnami.com) no longer lists old ones. */
  chart: "oci://registry-1.docker.io/bitnamicharts/postgresql",
  version: "14.2.0",
  /**
   * The tags chart 14.2.0 ships (bitnami/charts at tag `postgresql/14.2.0`, values.yaml and the
   * Chart.yaml `images` annotation): PostgreSQL 16.2.0. A tag from another chart release would run
   * images the chart was not tested with.
   */
  images: {
    postgresql: "16.2.0-debian-11-r17",
    postgresExporter: "0.15.0-debian-11-r26",
    osShell: "11-debian-11-r112",
  },
  registry: "mirror.gcr.io",
} as const;

export interface BitnamiPostgresValuesArgs {
  /** Existing Secret with `postgres-password` (administrator) and `password` (the user's). */
  credentialsSecret: string;
  username: string;
  database: string;
  storageSize: string;
  storageClassName?: string;
}

/** Secret keys the chart reads from `auth.existingSecret`. */
export const BITNAMI_SECRET_KEYS = { admin: "postgres-password", user: "password" } as const;

export function bitnamiPostgresValues(args: BitnamiPostgresValuesArgs): Record<string, unknown> {
  const image = (repository: string, tag: string) => ({
    registry: BITNAMI_POSTGRES_CHART.registry,
    repository: `bitnamilegacy/${repository}`,
    tag,
  });
  const { images } = BITNAMI_POSTGRES_CHART;
  return {
    image: image("postgresql", images.postgresql),
    auth: {
      enablePostgresUser: true,
      username: args.username,
      database: args.database,
      // Passwords come from a Secret the stack generates: the chart generates none, and none is in a value.
      existingSecret: args.credentialsSecret,
      secretKeys: { adminPasswordKey: BITNAMI_SECRET_KEYS.admin, userPasswordKey: BITNAMI_SECRET_KEYS.user },
    },
    primary: {
      persistence: { enabled: true, size: args.storageSize, ...(args.storageClassName ? { storageClass: args.storageClassName } : {}) },
      // Explicit sizes: the chart's default preset ("nano") is too small for a database agents query.
      resources: { requests: { cpu: "250m", memory: "256Mi" }, limits: { cpu: "1", memory: "1Gi" } },
    },
    metrics: {
      enabled: true,
      image: image("postgres-exporter", images.postgresExporter),
      resources: { requests: { cpu: "10m", memory: "32Mi" }, limits: { cpu: "100m", memory: "128Mi" } },
    },
    // Disabled, but pointed at the mirror too, so enabling it cannot pull from docker.io/bitnami.
    volumePermissions: { enabled: false, image: image("os-shell", images.osShell) },
  };
}
