import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { SQUID_CONFIG_PATH, SQUID_PORT, squidStartScript } from "../egress/squidImage";
import { childOptions } from "./childOptions";
import { resourceRequirements, restrictedContainerSecurityContext } from "./podSpec";

/** The proxy user of Debian's and Ubuntu's squid package (uid and gid 13). */
const SQUID_UID = 13;

export interface EgressProxyArgs {
  namespace: string;
  /** Name of the Deployment, Service and ConfigMap; the pods are labelled `app: <name>`. */
  name: string;
  /** An image with Debian/Ubuntu's Squid, sh, mkfifo and cat (Canonical's ubuntu/squid). */
  image: pulumi.Input<string>;
  /** squid.conf (components/egress/renderSquidConfig.ts). */
  config: string;
}

/**
 * The agents' egress proxy in their namespace (docs/egress.md): Squid with the rendered configuration,
 * its logs on stdout (`kubectl logs deploy/egress-proxy`), behind a ClusterIP Service. Started by the
 * same script as on fedora, as Squid's own proxy user from the start (restricted Pod Security: no
 * root, no capabilities).
 */
export class EgressProxy extends pulumi.ComponentResource {
  readonly url: string;

  constructor(name: string, args: EgressProxyArgs, opts?: pulumi.ComponentResourceOptions) {
    super("harness:kubernetes:EgressProxy", name, {}, opts);
    const labels = { app: args.name };
    const config = new k8s.core.v1.ConfigMap(
      `${name}-config`,
      { metadata: { name: args.name, namespace: args.namespace, labels }, data: { "squid.conf": args.config } },
      childOptions(this, opts),
    );
    new k8s.apps.v1.Deployment(
      `${name}-deployment`,
      {
        metadata: { name: args.name, namespace: args.namespace, labels },
        spec: {
          replicas: 1,
          selector: { matchLabels: labels },
          template: {
            metadata: { labels },
            spec: {
              automountServiceAccountToken: false,
              enableServiceLinks: false,
              containers: [
                {
                  name: "squid",
                  image: args.image,
                  imagePullPolicy: "IfNotPresent",
                  command: ["/bin/sh", "-c", squidStartScript(SQUID_CONFIG_PATH)],
                  ports: [{ name: "proxy", containerPort: SQUID_PORT, protocol: "TCP" }],
                  readinessProbe: { tcpSocket: { port: "proxy" }, periodSeconds: 10 },
                  livenessProbe: { tcpSocket: { port: "proxy" }, periodSeconds: 30, failureThreshold: 3 },
                  resources: resourceRequirements({ cpuRequest: "20m", cpuLimit: "500m", memoryRequest: "64Mi", memoryLimit: "256Mi" }),
                  securityContext: restrictedContainerSecurityContext(SQUID_UID),
                  volumeMounts: [{ name: "config", mountPath: SQUID_CONFIG_PATH, subPath: "squid.conf", readOnly: true }],
                },
              ],
              volumes: [{ name: "config", configMap: { name: args.name } }],
            },
          },
        },
      },
      childOptions(this, opts, [config]),
    );
    new k8s.core.v1.Service(
      `${name}-service`,
      {
        metadata: { name: args.name, namespace: args.namespace, labels },
        spec: { selector: labels, ports: [{ name: "proxy", port: SQUID_PORT, targetPort: "proxy", protocol: "TCP" }] },
      },
      childOptions(this, opts),
    );
    this.url = `http://${args.name}:${SQUID_PORT}`;
    this.registerOutputs({ url: this.url });
  }
}
