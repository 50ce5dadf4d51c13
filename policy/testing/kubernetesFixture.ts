/**
 * Compliant Kubernetes shapes (the homelab seed made Principle 3-clean): Paperclip as a one-replica
 * Recreate Deployment on an RWO claim, its gateway key from an ExternalSecret named for LiteLLM
 * (the gateway runs elsewhere in the cluster), base URLs at the LiteLLM Service, an optional feature
 * key referenced optionally, a Host header on the HTTP probe, 2 GiB of memory, and a Bitnami
 * PostgreSQL release with its image overridden; plus the Sealos shape, a StatefulSet.
 */
import type { AnalyzerResource } from "../runAnalyzer";
import { resource, urnOf } from "./wire";
import { PAPERCLIP_IMAGE } from "../../components/paperclip/paperclipRelease";

export const K8S = {
  deployment: "kubernetes:apps/v1:Deployment",
  statefulSet: "kubernetes:apps/v1:StatefulSet",
  job: "kubernetes:batch/v1:Job",
  secret: "kubernetes:core/v1:Secret",
  externalSecret: "kubernetes:external-secrets.io/v1beta1:ExternalSecret",
  configMap: "kubernetes:core/v1:ConfigMap",
  pvc: "kubernetes:core/v1:PersistentVolumeClaim",
  service: "kubernetes:core/v1:Service",
  helmRelease: "kubernetes:helm.sh/v3:Release",
  networkPolicy: "kubernetes:networking.k8s.io/v1:NetworkPolicy",
};

const NS = "paperclip-system";
const GATEWAY = "http://litellm.ai.svc.cluster.local:4000";
const RANDOM = "random:index/randomBytes:RandomBytes";

export function paperclipContainer(): Record<string, unknown> {
  return {
    name: "paperclip",
    image: PAPERCLIP_IMAGE,
    ports: [{ name: "http", containerPort: 3100 }],
    env: [
      { name: "PAPERCLIP_DEPLOYMENT_MODE", value: "authenticated" },
      { name: "PAPERCLIP_DEPLOYMENT_EXPOSURE", value: "private" },
      { name: "PAPERCLIP_PUBLIC_URL", value: "http://paperclip.lan" },
      { name: "PAPERCLIP_ALLOWED_HOSTNAMES", value: "paperclip.lan,192.168.1.240" },
      { name: "ANTHROPIC_BASE_URL", value: GATEWAY },
      { name: "OPENAI_BASE_URL", value: GATEWAY },
      { name: "PAPERCLIP_AGENT_JWT_SECRET", valueFrom: { secretKeyRef: { name: "paperclip-auth", key: "BETTER_AUTH_SECRET" } } },
      { name: "OPENAI_API_KEY", valueFrom: { secretKeyRef: { name: "paperclip-llm-key", key: "OPENAI_API_KEY" } } },
      { name: "ANTHROPIC_AUTH_TOKEN", valueFrom: { secretKeyRef: { name: "paperclip-llm-key", key: "OPENAI_API_KEY" } } },
    ],
    envFrom: [{ secretRef: { name: "paperclip-brave", optional: true } }],
    resources: { requests: { memory: "512Mi", cpu: "250m" }, limits: { memory: "2Gi" } },
    readinessProbe: {
      httpGet: { path: "/api/health", port: 3100, httpHeaders: [{ name: "Host", value: "localhost" }] },
      periodSeconds: 10,
    },
    livenessProbe: { tcpSocket: { port: 3100 }, initialDelaySeconds: 60 },
    volumeMounts: [
      { name: "data", mountPath: "/paperclip" },
      {
        name: CLAUDE_SETTINGS_VOLUME.name,
        mountPath: "/etc/claude-code/managed-settings.json",
        subPath: "managed-settings.json",
        readOnly: true,
      },
    ],
  };
}

/** Claude Code's managed settings (components/paperclip/claudeCodeManagedSettings.ts), as a ConfigMap file. */
export const CLAUDE_SETTINGS_VOLUME = {
  name: "claude-code-settings",
  configMap: { name: "paperclip", items: [{ key: "managed-settings.json", path: "managed-settings.json" }] },
};
export const CLAUDE_SETTINGS_JSON = JSON.stringify({ env: { ANTHROPIC_BASE_URL: GATEWAY, CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1" } });

/** The agents' proxy variables, as the homelab target sets them. */
export function withProxy(container: Record<string, unknown>): Record<string, unknown> {
  return {
    ...container,
    env: [
      ...(container.env as unknown[]),
      { name: "HTTP_PROXY", value: "http://egress-proxy:3128" },
      { name: "HTTPS_PROXY", value: "http://egress-proxy:3128" },
      { name: "NO_PROXY", value: "localhost,127.0.0.1,litellm.ai.svc.cluster.local" },
    ],
  };
}

export function homelabResources(): AnalyzerResource[] {
  const authBytes = urnOf(RANDOM, "paperclip-auth-bytes");
  return [
    resource(RANDOM, "paperclip-auth-bytes", { length: 32 }),
    resource(K8S.pvc, "paperclip-data", {
      metadata: { name: "paperclip-data", namespace: NS },
      spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "10Gi" } } },
    }),
    resource(
      K8S.secret,
      "paperclip-auth",
      {
        metadata: { name: "paperclip-auth", namespace: NS },
        stringData: { BETTER_AUTH_SECRET: "a3f1c9e5b7d2048e6c1a9f3b5d7e0c2a4f6b8d1e3c5a7f9b0d2e4c6a8f1b3d5e" },
      },
      { propertyDependencies: { stringData: [authBytes] } },
    ),
    resource(K8S.externalSecret, "paperclip-llm-key", {
      apiVersion: "external-secrets.io/v1beta1",
      kind: "ExternalSecret",
      metadata: { name: "paperclip-llm-key", namespace: NS },
      spec: {
        secretStoreRef: { kind: "ClusterSecretStore", name: "vault" },
        target: { name: "paperclip-llm-key" },
        data: [{ secretKey: "OPENAI_API_KEY", remoteRef: { key: "PAPERCLIP_LITELLM_KEY" } }],
      },
    }),
    resource(K8S.externalSecret, "paperclip-brave", {
      apiVersion: "external-secrets.io/v1beta1",
      kind: "ExternalSecret",
      metadata: { name: "paperclip-brave", namespace: NS },
      spec: {
        secretStoreRef: { kind: "ClusterSecretStore", name: "vault" },
        target: { name: "paperclip-brave" },
        data: [{ secretKey: "BRAVE_API_KEY", remoteRef: { key: "BRAVE_SEARCH_KEY_PAPERCLIP" } }],
      },
    }),
    resource(K8S.helmRelease, "postgresql", {
      chart: "postgresql",
      version: "15.5.38",
      namespace: NS,
      repositoryOpts: { repo: "https://charts.bitnami.com/bitnami" },
      values: {
        image: { registry: "docker.io", repository: "bitnamilegacy/postgresql", tag: "16.4.0-debian-12-r0" },
        metrics: { image: { registry: "docker.io", repository: "bitnamilegacy/postgres-exporter", tag: "0.15.0-debian-12-r43" } },
        auth: { username: "paperclip", database: "paperclip", existingSecret: "paperclip-postgresql" },
      },
    }),
    resource(K8S.deployment, "paperclip", {
      metadata: { name: "paperclip", namespace: NS, labels: { app: "paperclip" } },
      spec: {
        replicas: 1,
        strategy: { type: "Recreate" },
        selector: { matchLabels: { app: "paperclip" } },
        template: {
          metadata: { labels: { app: "paperclip" } },
          spec: {
            securityContext: { fsGroup: 1000 },
            containers: [withProxy(paperclipContainer())],
            volumes: [{ name: "data", persistentVolumeClaim: { claimName: "paperclip-data" } }, CLAUDE_SETTINGS_VOLUME],
          },
        },
      },
    }),
    // The egress boundary (docs/egress.md): the proxy, and a NetworkPolicy naming the pod's peers.
    resource(K8S.deployment, "egress-proxy", {
      metadata: { name: "egress-proxy", namespace: NS, labels: { app: "egress-proxy" } },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: "egress-proxy" } },
        template: {
          metadata: { labels: { app: "egress-proxy" } },
          spec: {
            containers: [
              {
                name: "squid",
                image: "docker.io/ubuntu/squid:6.6-24.04_beta",
                ports: [{ name: "proxy", containerPort: 3128 }],
                resources: { limits: { memory: "256Mi" } },
              },
            ],
          },
        },
      },
    }),
    resource(K8S.networkPolicy, "paperclip-egress", {
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: { name: "paperclip-egress", namespace: NS },
      spec: {
        podSelector: { matchLabels: { app: "paperclip" } },
        policyTypes: ["Egress"],
        egress: [
          {
            to: [
              {
                namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } },
                podSelector: { matchLabels: { "k8s-app": "kube-dns" } },
              },
            ],
            ports: [{ protocol: "UDP", port: 53 }],
          },
          {
            to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "ai" } } }],
            ports: [{ protocol: "TCP", port: 4000 }],
          },
          { to: [{ podSelector: { matchLabels: { app: "egress-proxy" } } }], ports: [{ protocol: "TCP", port: 3128 }] },
        ],
      },
    }),
    resource(K8S.configMap, "paperclip", {
      metadata: { name: "paperclip", namespace: NS },
      data: { "managed-settings.json": CLAUDE_SETTINGS_JSON },
    }),
    resource(K8S.service, "paperclip", {
      metadata: { name: "paperclip", namespace: NS },
      spec: {
        type: "LoadBalancer",
        loadBalancerIP: "192.168.1.240",
        selector: { app: "paperclip" },
        ports: [{ port: 80, targetPort: 3100 }],
      },
    }),
  ];
}

/** The Sealos shape: a one-replica StatefulSet with a claim template and an init container that writes config.json. */
export function sealosResources(): AnalyzerResource[] {
  const main = paperclipContainer();
  return [
    // No egress boundary: Sealos's network is the platform's (docs/egress.md).
    ...homelabResources().filter((r) => ![K8S.deployment, K8S.helmRelease, K8S.pvc, K8S.networkPolicy].includes(r.type)),
    resource(K8S.statefulSet, "paperclip", {
      metadata: { name: "paperclip", namespace: NS },
      spec: {
        replicas: 1,
        serviceName: "paperclip",
        selector: { matchLabels: { app: "paperclip" } },
        template: {
          metadata: { labels: { app: "paperclip" } },
          spec: {
            initContainers: [
              {
                name: "write-config",
                image: PAPERCLIP_IMAGE,
                command: ["node", "-e", "require('fs').writeFileSync('/paperclip/instances/default/config.json', process.env.CONFIG_JSON)"],
                env: [{ name: "PAPERCLIP_HOME", value: "/paperclip" }],
                volumeMounts: [{ name: "data", mountPath: "/paperclip" }],
              },
            ],
            containers: [main],
            volumes: [CLAUDE_SETTINGS_VOLUME],
          },
        },
        volumeClaimTemplates: [
          { metadata: { name: "data" }, spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "10Gi" } } } },
        ],
      },
    }),
  ];
}
