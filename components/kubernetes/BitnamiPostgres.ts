import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { BITNAMI_POSTGRES_CHART, BITNAMI_SECRET_KEYS, bitnamiPostgresValues } from "./bitnamiPostgresChart";
import { childOptions } from "./childOptions";

export interface BitnamiPostgresArgs {
  namespace: string;
  /** Helm release name; the chart names its Service and StatefulSet `<release>-postgresql`. */
  releaseName: string;
  /** The administrator's (`postgres`) password: generated, secret. */
  adminPassword: pulumi.Input<string>;
  /** The application user's password: generated, secret. */
  userPassword: pulumi.Input<string>;
  username: string;
  database: string;
  storageSize: string;
  storageClassName?: string;
}

/**
 * PostgreSQL from the Bitnami chart as a Helm release (`kubernetes:helm.sh/v3:Release`: a leaf
 * resource whose chart, version and values are its inputs, so policies and the offline plan see
 * them). The passwords live in a Secret the stack generates, handed to the chart as
 * `auth.existingSecret`. Pulumi waits for the release's objects to be ready, so what depends on
 * this component starts after PostgreSQL.
 */
export class BitnamiPostgres extends pulumi.ComponentResource {
  readonly release: k8s.helm.v3.Release;
  /** The Secret with `postgres-password` and `password`. */
  readonly credentialsSecret: string;
  /** Service host name (FQDN) and port. */
  readonly host: string;
  readonly port = 5432;

  constructor(name: string, args: BitnamiPostgresArgs, opts?: pulumi.ComponentResourceOptions) {
    super("harness:kubernetes:BitnamiPostgres", name, {}, opts);
    this.credentialsSecret = `${args.releaseName}-credentials`;
    const credentials = new k8s.core.v1.Secret(
      `${name}-credentials`,
      {
        metadata: { name: this.credentialsSecret, namespace: args.namespace, labels: { "app.kubernetes.io/instance": args.releaseName } },
        type: "Opaque",
        stringData: {
          [BITNAMI_SECRET_KEYS.admin]: pulumi.secret(args.adminPassword),
          [BITNAMI_SECRET_KEYS.user]: pulumi.secret(args.userPassword),
        },
      },
      childOptions(this, opts),
    );
    this.release = new k8s.helm.v3.Release(
      `${name}-release`,
      {
        name: args.releaseName,
        namespace: args.namespace,
        chart: BITNAMI_POSTGRES_CHART.chart,
        version: BITNAMI_POSTGRES_CHART.version,
        values: bitnamiPostgresValues({
          credentialsSecret: this.credentialsSecret,
          username: args.username,
          database: args.database,
          storageSize: args.storageSize,
          ...(args.storageClassName ? { storageClassName: args.storageClassName } : {}),
        }),
        // First install pulls the images: give it longer than Helm's 5 minutes.
        timeout: 600,
      },
      childOptions(this, opts, [credentials]),
    );
    this.host = `${args.releaseName}-postgresql.${args.namespace}.svc.cluster.local`;
    this.registerOutputs({ credentialsSecret: this.credentialsSecret, host: this.host, port: this.port });
  }
}
