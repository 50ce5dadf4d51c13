import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { childOptions } from "./childOptions";
import { kubeBlocksPostgresCluster, kubeBlocksPostgresEndpoints } from "./customResources";
import type { ContainerResources } from "./podSpec";

export interface KubeBlocksPostgresArgs {
  namespace: string;
  /** Name of the Cluster, its ServiceAccount, Role and RoleBinding (Sealos: `<app>-pg`). */
  clusterName: string;
  /** Size of the data volume. */
  storageSize: string;
  storageClassName?: string;
  /** Default: Sealos's database floor, requests 50m/51Mi, limits 500m/512Mi. */
  resources?: ContainerResources;
}

/**
 * PostgreSQL 16.4.0 as a KubeBlocks Cluster, the way Sealos provisions databases: a ServiceAccount,
 * a Role and RoleBinding for the database pods (Sealos's templates grant that account everything in
 * the namespace; Paperclip's pod mounts no service-account token, so agents cannot use it), then the
 * Cluster. KubeBlocks creates the administrator credentials (`<cluster>-conn-credential`).
 * `pulumi destroy` leaves the Cluster, and so the data, in place (retainOnDelete).
 */
export class KubeBlocksPostgres extends pulumi.ComponentResource {
  readonly cluster: k8s.apiextensions.CustomResource;
  /** Secret with host, port, username, password and endpoint of the administrator. */
  readonly credentialsSecret: string;
  /** Service host name (FQDN) and port of the primary. */
  readonly host: string;
  readonly port: number;

  constructor(name: string, args: KubeBlocksPostgresArgs, opts?: pulumi.ComponentResourceOptions) {
    super("harness:kubernetes:KubeBlocksPostgres", name, {}, opts);
    const labels = {
      "sealos-db-provider-cr": args.clusterName,
      "app.kubernetes.io/instance": args.clusterName,
      "app.kubernetes.io/managed-by": "kbcli",
    };
    const metadata = { name: args.clusterName, namespace: args.namespace, labels };
    const serviceAccount = new k8s.core.v1.ServiceAccount(`${name}-service-account`, { metadata }, childOptions(this, opts));
    const role = new k8s.rbac.v1.Role(
      `${name}-role`,
      { metadata, rules: [{ apiGroups: ["*"], resources: ["*"], verbs: ["*"] }] },
      childOptions(this, opts),
    );
    const roleBinding = new k8s.rbac.v1.RoleBinding(
      `${name}-role-binding`,
      {
        metadata,
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: args.clusterName },
        subjects: [{ kind: "ServiceAccount", name: args.clusterName, namespace: args.namespace }],
      },
      childOptions(this, opts, [serviceAccount, role]),
    );
    const resources = args.resources ?? { cpuRequest: "50m", memoryRequest: "51Mi", cpuLimit: "500m", memoryLimit: "512Mi" };
    this.cluster = new k8s.apiextensions.CustomResource(
      `${name}-cluster`,
      kubeBlocksPostgresCluster({
        name: args.clusterName,
        namespace: args.namespace,
        serviceAccountName: args.clusterName,
        resources: {
          requests: { cpu: resources.cpuRequest, memory: resources.memoryRequest },
          limits: { cpu: resources.cpuLimit, memory: resources.memoryLimit },
        },
        storageSize: args.storageSize,
        ...(args.storageClassName ? { storageClassName: args.storageClassName } : {}),
      }),
      childOptions(this, opts, [roleBinding], { retainOnDelete: true }),
    );
    const endpoints = kubeBlocksPostgresEndpoints(args.clusterName, args.namespace);
    this.credentialsSecret = endpoints.credentialsSecret;
    this.host = endpoints.host;
    this.port = endpoints.port;
    this.registerOutputs({ credentialsSecret: this.credentialsSecret, host: this.host, port: this.port });
  }
}
