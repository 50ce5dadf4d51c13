/**
 * Keys shared by the two Kubernetes targets (`sealos`, `homelab`): the Paperclip workload both run.
 * Sizes are Kubernetes quantities; the defaults are the seeds' measurements (docs/kubernetes.md).
 */
import { z } from "zod";
import { cpuMillicores, memoryBytes, MIN_PAPERCLIP_MEMORY_LIMIT } from "../../../components/kubernetes/quantity";
import { PAPERCLIP_UPSTREAM_IMAGE } from "../../../components/paperclip/paperclipSettings";
import { dnsLabel, imageReference } from "../formats";
import { key } from "../keySpec";

export const KUBERNETES_TARGETS = ["sealos", "homelab"] as const;

/** Docker's official postgres image, from ECR Public (the registry Sealos templates use for helper images). */
export const POSTGRES_CLIENT_IMAGE = "public.ecr.aws/docker/library/postgres:16.4-alpine";

export const memoryQuantity = z.string().refine((v) => memoryBytes(v) !== undefined, {
  error: 'expected a memory quantity such as "512Mi" or "4Gi"',
  abort: true,
});

export const cpuQuantity = z.string().refine((v) => cpuMillicores(v) !== undefined, {
  error: 'expected a CPU quantity such as "250m" or "2"',
  abort: true,
});

/** A lower-case DNS-1123 subdomain: what Kubernetes accepts as a StorageClass or Secret name. */
export const kubernetesObjectName = z.string().regex(/^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/, {
  error: 'expected a Kubernetes object name: lower-case letters, digits, "-" and ".", such as "longhorn"',
});

export function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === "http:" || url.protocol === "https:") && url.hostname !== "" && url.username === "" && url.password === "";
  } catch {
    return false;
  }
}

export const httpUrl = z.string().refine(isHttpUrl, {
  error: 'expected an http(s) URL without credentials, such as "http://litellm.litellm.svc.cluster.local:4000"',
});

export const kubernetesKeys = {
  namespace: key({
    kind: "string",
    description:
      "Kubernetes namespace of the whole stack. On sealos: your workspace namespace (ns-<user>), which Sealos owns. On homelab: created by the stack (the seeds use paperclip-system).",
    targets: KUBERNETES_TARGETS,
    required: true,
    schema: dnsLabel,
    example: "paperclip-system",
  }),
  paperclipImage: key({
    kind: "string",
    description:
      "Paperclip image, fully qualified and pinned by digest. Default: the release every target runs (components/paperclip/paperclipRelease.ts).",
    targets: KUBERNETES_TARGETS,
    default: PAPERCLIP_UPSTREAM_IMAGE,
    schema: imageReference.default(PAPERCLIP_UPSTREAM_IMAGE),
  }),
  paperclipCpuRequest: key({
    kind: "string",
    description: "CPU Paperclip is guaranteed (the homelab seed's 250m).",
    targets: KUBERNETES_TARGETS,
    default: "250m",
    schema: cpuQuantity.default("250m"),
  }),
  paperclipCpuLimit: key({
    kind: "string",
    description: "CPU ceiling of the Paperclip container, agent CLIs included (upstream's ECS reference runs 2 vCPU).",
    targets: KUBERNETES_TARGETS,
    default: "2",
    schema: cpuQuantity.default("2"),
  }),
  paperclipMemoryRequest: key({
    kind: "string",
    description: "Memory Paperclip is guaranteed (the homelab seed's 512Mi).",
    targets: KUBERNETES_TARGETS,
    default: "512Mi",
    schema: memoryQuantity.default("512Mi"),
  }),
  paperclipMemoryLimit: key({
    kind: "string",
    description:
      "Memory ceiling of the Paperclip container, agent CLIs included. At least 1Gi: the seeds were OOM-killed at 512Mi, needed 2Gi to boot with the Gemini SDK and 12Gi under load; 4Gi is upstream's ECS reference.",
    targets: KUBERNETES_TARGETS,
    default: "4Gi",
    schema: memoryQuantity
      .refine((v) => memoryBytes(v)! >= memoryBytes(MIN_PAPERCLIP_MEMORY_LIMIT)!, {
        error: `expected at least ${MIN_PAPERCLIP_MEMORY_LIMIT}: the seeds measured 512Mi OOM-killed, 2Gi to boot with the Gemini SDK, 12Gi under load`,
      })
      .default("4Gi"),
  }),
  paperclipVolumeSize: key({
    kind: "string",
    description: "Size of Paperclip's ReadWriteOnce volume at /paperclip (instance data, workspaces, logs, local storage, backups).",
    targets: KUBERNETES_TARGETS,
    default: "10Gi",
    schema: memoryQuantity.default("10Gi"),
  }),
  postgresVolumeSize: key({
    kind: "string",
    description: "Size of PostgreSQL's data volume.",
    targets: KUBERNETES_TARGETS,
    default: "5Gi",
    schema: memoryQuantity.default("5Gi"),
  }),
  storageClassName: key({
    kind: "string",
    description: "StorageClass of every volume the stack claims; unset uses the cluster's default class.",
    targets: KUBERNETES_TARGETS,
    schema: kubernetesObjectName,
    example: "longhorn",
  }),
  postgresClientImage: key({
    kind: "string",
    description:
      "Image of the database-init Job (pg_isready and psql 16). The default is Docker's official image from Amazon ECR Public's mirror: shared Sealos nodes hit Docker Hub's pull rate limit.",
    targets: KUBERNETES_TARGETS,
    default: POSTGRES_CLIENT_IMAGE,
    schema: imageReference.default(POSTGRES_CLIENT_IMAGE),
  }),
  disableSignUp: key({
    kind: "boolean",
    description: "Refuse self sign-up (PAPERCLIP_AUTH_DISABLE_SIGN_UP). Turn it on once the first admin has accepted the bootstrap invite.",
    targets: KUBERNETES_TARGETS,
    default: false,
    schema: z.boolean({ error: "expected true or false" }).default(false),
  }),
};
