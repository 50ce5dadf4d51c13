/**
 * The documented fields of the custom resources the stacks declare, as strict schemas: a field that
 * is not documented, a value outside a documented enum or a missing required field is an error.
 * kubernetes-models knows only built-in kinds, and the CRDs are not vendored here, so these are
 * written from the projects' own documentation and types:
 * - KubeBlocks `apps.kubeblocks.io/v1alpha1` Cluster: apecloud/kubeblocks `apis/apps/v1alpha1`
 *   (ClusterSpec, ClusterComponentSpec, Affinity; enums TerminationPolicyType, PodAntiAffinity,
 *   TenancyType, SwitchPolicyType) and labring-actions/templates `database-templates.md`;
 * - Sealos `app.sealos.io/v1` App: labring/sealos `controllers/app/api/v1/app_types.go`;
 * - Sealos `objectstorage.sealos.io/v1` ObjectStorageBucket: labring/sealos
 *   `controllers/objectstorage/config/crd/bases/objectstorage.sealos.io_objectstoragebuckets.yaml`;
 * - External Secrets `external-secrets.io/v1beta1` ExternalSecret: external-secrets.io API reference
 *   (ExternalSecretSpec, SecretStoreRef, ExternalSecretTarget, ExternalSecretData, remoteRef).
 * Only the fields of each spec this project can use are admitted; extend a schema from the same
 * source when a stack needs another documented field.
 */
import { z } from "zod";
import { cpuMillicores, memoryBytes } from "./quantity";

const name = z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, { error: "expected a DNS-1123 label" }).max(63);
const stringMap = z.record(z.string(), z.string());
const metadata = z
  .object({ name, namespace: name.optional(), labels: stringMap.optional(), annotations: stringMap.optional() })
  .strict();

const memory = z.string().refine((v) => memoryBytes(v) !== undefined, { error: "expected a memory quantity" });
const cpu = z.string().refine((v) => cpuMillicores(v) !== undefined, { error: "expected a CPU quantity" });
const resources = z
  .object({
    requests: z.object({ cpu: cpu.optional(), memory: memory.optional() }).strict().optional(),
    limits: z.object({ cpu: cpu.optional(), memory: memory.optional() }).strict().optional(),
  })
  .strict();

const accessMode = z.enum(["ReadWriteOnce", "ReadOnlyMany", "ReadWriteMany", "ReadWriteOncePod"]);

const kubeBlocksComponent = z
  .object({
    // KubeBlocks limits component names to 22 characters (they prefix pod and service names).
    name: name.max(22),
    componentDefRef: z.string(),
    replicas: z.number().int().min(0),
    disableExporter: z.boolean().optional(),
    enabledLogs: z.array(z.string()).optional(),
    resources: resources.optional(),
    serviceAccountName: name.optional(),
    switchPolicy: z.object({ type: z.enum(["Noop", "MaximumAvailability", "MaximumDataProtection"]) }).strict().optional(),
    volumeClaimTemplates: z
      .array(
        z
          .object({
            name,
            spec: z
              .object({
                accessModes: z.array(accessMode).min(1),
                resources: z.object({ requests: z.object({ storage: memory }).strict() }).strict(),
                storageClassName: z.string().optional(),
              })
              .strict(),
          })
          .strict(),
      )
      .optional(),
  })
  .strict();

const kubeBlocksCluster = z
  .object({
    apiVersion: z.literal("apps.kubeblocks.io/v1alpha1"),
    kind: z.literal("Cluster"),
    metadata,
    spec: z
      .object({
        clusterDefinitionRef: z.string(),
        clusterVersionRef: z.string().optional(),
        terminationPolicy: z.enum(["DoNotTerminate", "Halt", "Delete", "WipeOut"]),
        affinity: z
          .object({
            podAntiAffinity: z.enum(["Preferred", "Required"]).optional(),
            topologyKeys: z.array(z.string()).optional(),
            nodeLabels: stringMap.optional(),
            tenancy: z.enum(["SharedNode", "DedicatedNode"]).optional(),
          })
          .strict()
          .optional(),
        componentSpecs: z.array(kubeBlocksComponent).min(1),
      })
      .strict(),
  })
  .strict();

const sealosApp = z
  .object({
    apiVersion: z.literal("app.sealos.io/v1"),
    kind: z.literal("App"),
    metadata,
    spec: z
      .object({
        name: z.string().min(1),
        icon: z.string().optional(),
        // The desktop opens `link` apps in a new tab and `iframe` apps in a window.
        type: z.enum(["link", "iframe"]),
        displayType: z.enum(["normal", "more", "hidden"]).optional(),
        data: z.object({ url: z.url({ protocol: /^https?$/ }), desc: z.string().optional() }).strict(),
        menuData: z.array(z.object({ name: z.string().optional(), link: z.string().optional() }).strict()).optional(),
        position: z.number().int().optional(),
      })
      .strict(),
  })
  .strict();

const objectStorageBucket = z
  .object({
    apiVersion: z.literal("objectstorage.sealos.io/v1"),
    kind: z.literal("ObjectStorageBucket"),
    metadata,
    spec: z.object({ policy: z.enum(["private", "publicRead", "publicReadwrite"]).optional() }).strict(),
  })
  .strict();

const externalSecret = z
  .object({
    apiVersion: z.literal("external-secrets.io/v1beta1"),
    kind: z.literal("ExternalSecret"),
    metadata,
    spec: z
      .object({
        refreshInterval: z.string().regex(/^(\d+(ns|us|µs|ms|s|m|h))+$/, { error: "expected a Go duration such as 1h" }).optional(),
        secretStoreRef: z.object({ name, kind: z.enum(["SecretStore", "ClusterSecretStore"]) }).strict(),
        target: z
          .object({
            name: name.optional(),
            creationPolicy: z.enum(["Owner", "Orphan", "Merge", "None"]).optional(),
            deletionPolicy: z.enum(["Delete", "Merge", "Retain"]).optional(),
            immutable: z.boolean().optional(),
          })
          .strict(),
        data: z
          .array(
            z
              .object({
                secretKey: z.string().regex(/^[-._a-zA-Z0-9]+$/, { error: "expected a Secret data key" }),
                remoteRef: z
                  .object({
                    key: z.string().min(1),
                    property: z.string().optional(),
                    version: z.string().optional(),
                    conversionStrategy: z.enum(["Default", "Unicode"]).optional(),
                    decodingStrategy: z.enum(["Auto", "Base64", "Base64URL", "None"]).optional(),
                    metadataPolicy: z.enum(["None", "Fetch"]).optional(),
                  })
                  .strict(),
              })
              .strict(),
          )
          .min(1),
      })
      .strict(),
  })
  .strict();

/** Schemas by `apiVersion/kind`. */
export const CUSTOM_RESOURCE_SCHEMAS: Readonly<Record<string, z.ZodType>> = {
  "apps.kubeblocks.io/v1alpha1/Cluster": kubeBlocksCluster,
  "app.sealos.io/v1/App": sealosApp,
  "objectstorage.sealos.io/v1/ObjectStorageBucket": objectStorageBucket,
  "external-secrets.io/v1beta1/ExternalSecret": externalSecret,
};

/**
 * Problems with a custom resource against its documented schema (`path: message`), an empty list
 * when it conforms, or undefined when this project documents no schema for its kind.
 */
export function customResourceProblems(object: { apiVersion?: unknown; kind?: unknown }): string[] | undefined {
  const schema = CUSTOM_RESOURCE_SCHEMAS[`${String(object.apiVersion)}/${String(object.kind)}`];
  if (!schema) return undefined;
  const result = schema.safeParse(object);
  if (result.success) return [];
  return result.error.issues.map((issue) => {
    const path = issue.path.map(String).join(".") || "(object)";
    return issue.code === "unrecognized_keys" ? `${path}: undocumented field(s) ${issue.keys.join(", ")}` : `${path}: ${issue.message}`;
  });
}
