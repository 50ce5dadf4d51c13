/**
 * The fields of the custom resources the stacks declare, as strict schemas: a field the CRD does not
 * define, a value outside its enum or a missing required field is an error (the API server prunes or
 * rejects unknown fields of a structural schema; strict here so a typo cannot vanish silently). Each
 * schema is the subset this project uses of the CRD's `openAPIV3Schema` at the releases stated in
 * platformVersions.ts, with the same types, enums, patterns and limits:
 * - KubeBlocks `apps.kubeblocks.io/v1alpha1` Cluster: apecloud/kubeblocks
 *   `config/crd/bases/apps.kubeblocks.io_clusters.yaml`, v0.9.0 … v0.9.5 (`disableExporter` is absent
 *   in v0.8.x; `switchPolicy.type` admits only `Noop`; component names ≤ 22 characters);
 * - Sealos `app.sealos.io/v1` App and `objectstorage.sealos.io/v1` ObjectStorageBucket: labring/sealos
 *   `controllers/app/config/crd/bases/app.sealos.io_apps.yaml` and
 *   `controllers/objectstorage/config/crd/bases/objectstorage.sealos.io_objectstoragebuckets.yaml`, v5.1.1;
 * - External Secrets ExternalSecret `v1` (v0.16.0 … v2.9.0) and `v1beta1` (v0.10.0 … v0.16.2):
 *   external-secrets/external-secrets `config/crds/bases/external-secrets.io_externalsecrets.yaml`;
 *   the fields used here are the same in both versions across those releases;
 * - Cilium `cilium.io/v2` CiliumNetworkPolicy: cilium/cilium
 *   `pkg/k8s/apis/cilium.io/client/crds/v2/ciliumnetworkpolicies.yaml` at commit
 *   02904c9bb25567e06b55639622528a8b8c829f25 (no release number established for it): endpointSelector
 *   and the egress rules' toEndpoints, toCIDR, toEntities, toFQDNs and toPorts with DNS rules (the
 *   CRD's `oneOf` between matchName and matchPattern kept; one destination field a rule, as the CRD's
 *   description of an egress rule says).
 * Whether the stated release serves an API version at all is platformVersions.ts's question. Extend a
 * schema from the same CRD when a stack needs another field.
 */
import { z } from "zod";
import { cpuMillicores, memoryBytes } from "./quantity";

const name = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, { error: "expected a DNS-1123 label" })
  .max(63);
const stringMap = z.record(z.string(), z.string());
const metadata = z.object({ name, namespace: name.optional(), labels: stringMap.optional(), annotations: stringMap.optional() }).strict();

const memory = z.string().refine((v) => memoryBytes(v) !== undefined, { error: "expected a memory quantity" });
const cpu = z.string().refine((v) => cpuMillicores(v) !== undefined, { error: "expected a CPU quantity" });
const resources = z
  .object({
    requests: z.object({ cpu: cpu.optional(), memory: memory.optional() }).strict().optional(),
    limits: z.object({ cpu: cpu.optional(), memory: memory.optional() }).strict().optional(),
  })
  .strict();

const accessMode = z.enum(["ReadWriteOnce", "ReadOnlyMany", "ReadWriteMany", "ReadWriteOncePod"]);

// The CRD's pattern for component names and references, at most 22 characters (they prefix pod names).
const componentName = z
  .string()
  .regex(/^[a-z]([a-z0-9-]*[a-z0-9])?$/, { error: "expected a KubeBlocks component name" })
  .max(22);
const clusterReference = z
  .string()
  .regex(/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/, { error: "expected a KubeBlocks object name" })
  .max(63);

const kubeBlocksComponent = z
  .object({
    name: componentName,
    componentDefRef: componentName,
    replicas: z.number().int().min(0).max(2147483647),
    disableExporter: z.boolean().optional(),
    enabledLogs: z.array(z.string()).optional(),
    resources: resources.optional(),
    serviceAccountName: name.optional(),
    switchPolicy: z
      .object({ type: z.enum(["Noop"]) })
      .strict()
      .optional(),
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
        clusterDefinitionRef: clusterReference,
        clusterVersionRef: clusterReference.optional(),
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
        componentSpecs: z.array(kubeBlocksComponent).min(1).max(128),
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

const externalSecret = (apiVersion: string) =>
  z
    .object({
      apiVersion: z.literal(apiVersion),
      kind: z.literal("ExternalSecret"),
      metadata,
      spec: z
        .object({
          refreshInterval: z
            .string()
            .regex(/^(\d+(ns|us|µs|ms|s|m|h))+$/, { error: "expected a Go duration such as 1h" })
            .optional(),
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

// CiliumNetworkPolicy (cilium/cilium CRD, commit 02904c9b…): a selector's matchLabels values, at most 63.
const ciliumLabelValue = z
  .string()
  .regex(/^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/)
  .max(63);
const ciliumSelector = z.object({ matchLabels: z.record(z.string(), ciliumLabelValue).optional() }).strict();
const ciliumMatchName = z
  .string()
  .regex(/^([-a-zA-Z0-9_]+[.]?)+$/)
  .max(255);
const ciliumMatchPattern = z
  .string()
  .regex(/^([-a-zA-Z0-9_*]+[.]?)+$/)
  .max(255);
// Exactly one of matchName and matchPattern (the CRD's oneOf).
const ciliumFqdn = z.union([z.object({ matchName: ciliumMatchName }).strict(), z.object({ matchPattern: ciliumMatchPattern }).strict()]);
const ciliumPort = z
  .object({
    port: z
      .string()
      .regex(/^(6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5][0-9]{4}|[0-9]{1,4})|([a-zA-Z0-9]-?)*[a-zA-Z](-?[a-zA-Z0-9])*$/)
      .optional(),
    protocol: z.enum(["TCP", "UDP", "SCTP", "VRRP", "IGMP", "ANY"]).optional(),
  })
  .strict();
const ciliumPortRule = z
  .object({
    ports: z.array(ciliumPort).max(40).optional(),
    // The CRD's rules is a oneOf of http and dns; only dns is used here.
    rules: z
      .object({ dns: z.array(ciliumFqdn) })
      .strict()
      .optional(),
  })
  .strict();
// The CRD's `format: cidr`: an address and a prefix length.
const ciliumCidr = z
  .string()
  .regex(/^(\d{1,3}(\.\d{1,3}){3}\/(3[0-2]|[12]?\d)|[0-9a-fA-F:.]*:[0-9a-fA-F:.]*\/(12[0-8]|1[01]\d|[1-9]?\d))$/, {
    error: "expected an address block such as 192.0.2.1/32",
  });
const CILIUM_DESTINATIONS = ["toEndpoints", "toCIDR", "toEntities", "toFQDNs"] as const;
const ciliumEgressRule = z
  .object({
    toEndpoints: z.array(ciliumSelector).optional(),
    toCIDR: z.array(ciliumCidr).optional(),
    toEntities: z
      .array(z.enum(["all", "world", "cluster", "host", "init", "ingress", "unmanaged", "remote-node", "health", "none", "kube-apiserver"]))
      .optional(),
    toFQDNs: z.array(ciliumFqdn).optional(),
    toPorts: z.array(ciliumPortRule).optional(),
  })
  .strict()
  // The CRD's description: toEndpoints, toCIDR, toEntities … are mutually exclusive, and toFQDNs
  // cannot occur with another To* field.
  .refine((rule) => CILIUM_DESTINATIONS.filter((field) => rule[field] !== undefined).length <= 1, {
    error: `expected one destination field a rule (${CILIUM_DESTINATIONS.join(", ")})`,
  });
const ciliumNetworkPolicy = z
  .object({
    apiVersion: z.literal("cilium.io/v2"),
    kind: z.literal("CiliumNetworkPolicy"),
    metadata,
    // The CRD's oneOf endpointSelector | nodeSelector and anyOf ingress | egress | …: egress here.
    spec: z.object({ endpointSelector: ciliumSelector, egress: z.array(ciliumEgressRule).min(1) }).strict(),
  })
  .strict();

/** Schemas by `apiVersion/kind`. */
export const CUSTOM_RESOURCE_SCHEMAS: Readonly<Record<string, z.ZodType>> = {
  "apps.kubeblocks.io/v1alpha1/Cluster": kubeBlocksCluster,
  "app.sealos.io/v1/App": sealosApp,
  "objectstorage.sealos.io/v1/ObjectStorageBucket": objectStorageBucket,
  "external-secrets.io/v1/ExternalSecret": externalSecret("external-secrets.io/v1"),
  "external-secrets.io/v1beta1/ExternalSecret": externalSecret("external-secrets.io/v1beta1"),
  "cilium.io/v2/CiliumNetworkPolicy": ciliumNetworkPolicy,
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
