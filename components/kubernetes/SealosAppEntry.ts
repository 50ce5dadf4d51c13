import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { PAPERCLIP_PORT } from "../paperclip/paperclipSettings";
import { childOptions } from "./childOptions";
import { sealosApp } from "./customResources";

export interface SealosAppEntryArgs {
  namespace: string;
  /** The app's name: its Service, the Ingress and the App entry share it (Sealos's convention). */
  appName: string;
  /** `<host>.<cloud domain>`, served over HTTPS with the domain's wildcard certificate. */
  host: string;
  /** The host label alone (Sealos labels the Ingress with it). */
  hostLabel: string;
  /** The TLS Secret Sealos provides for its cloud domain. */
  certSecretName: string;
  /** Title on the Sealos desktop. */
  displayName: string;
}

/**
 * Publishing on Sealos: an nginx Ingress for `<host>.<cloud domain>` with the domain's certificate
 * (HTTPS only; long timeouts so Paperclip's live-events WebSocket is not cut after a minute), and the
 * `app.sealos.io` App entry that puts a link to it on the Sealos desktop. Labels follow Sealos's
 * `cloud.sealos.io/app-deploy-manager` convention so its console groups them with the app.
 */
export class SealosAppEntry extends pulumi.ComponentResource {
  readonly url: string;

  constructor(name: string, args: SealosAppEntryArgs, opts?: pulumi.ComponentResourceOptions) {
    super("harness:kubernetes:SealosAppEntry", name, {}, opts);
    this.url = `https://${args.host}`;
    const labels = { "cloud.sealos.io/app-deploy-manager": args.appName };
    new k8s.networking.v1.Ingress(
      `${name}-ingress`,
      {
        metadata: {
          name: args.appName,
          namespace: args.namespace,
          labels: { app: args.appName, ...labels, "cloud.sealos.io/app-deploy-manager-domain": args.hostLabel },
          annotations: {
            // Sealos's ingress controller is selected by this annotation (not spec.ingressClassName).
            "kubernetes.io/ingress.class": "nginx",
            "nginx.ingress.kubernetes.io/ssl-redirect": "true",
            "nginx.ingress.kubernetes.io/backend-protocol": "HTTP",
            "nginx.ingress.kubernetes.io/proxy-body-size": "32m",
            // Every Sealos template sets these: nginx's default 4k/8k buffers answer 400 or 502 to
            // the large cookies and headers an authenticated app sends.
            "nginx.ingress.kubernetes.io/server-snippet": "client_header_buffer_size 64k;\nlarge_client_header_buffers 4 128k;\n",
            "nginx.ingress.kubernetes.io/client-body-buffer-size": "64k",
            "nginx.ingress.kubernetes.io/proxy-buffer-size": "64k",
            "nginx.ingress.kubernetes.io/proxy-read-timeout": "3600",
            "nginx.ingress.kubernetes.io/proxy-send-timeout": "3600",
          },
        },
        spec: {
          rules: [
            {
              host: args.host,
              http: {
                paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: args.appName, port: { number: PAPERCLIP_PORT } } } }],
              },
            },
          ],
          tls: [{ hosts: [args.host], secretName: args.certSecretName }],
        },
      },
      childOptions(this, opts),
    );
    new k8s.apiextensions.CustomResource(
      `${name}-app`,
      sealosApp({
        name: args.appName,
        namespace: args.namespace,
        displayName: args.displayName,
        url: this.url,
        icon: `${this.url}/favicon.ico`,
        labels,
      }),
      childOptions(this, opts),
    );
    this.registerOutputs({ url: this.url });
  }
}
