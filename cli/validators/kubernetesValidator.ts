import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { parseAllDocuments } from "yaml";
import { customResourceProblems } from "../../components/kubernetes/customResourceSchemas";
import { customResourceOwner, KUBERNETES, type PlatformVersions, unservedReason } from "../../components/kubernetes/platformVersions";
import type { ValidationResult } from "./types";

export interface KubernetesValidationOptions {
  /** A YAML manifest (one or more documents). */
  file: string;
  /**
   * The releases the stack states (its `platform` output). Without one, only built-in kinds can
   * pass: a custom resource needs its operator's release to say which API versions exist.
   */
  platform?: PlatformVersions;
}

interface KubernetesModel {
  validate(): void;
}
type ModelClass = new (data: unknown) => KubernetesModel;

const load = createRequire(__filename);

/**
 * The model class of a built-in kind from kubernetes-models (precompiled validators for types, enums
 * and required fields, from the OpenAPI specs of Kubernetes 1.15 … 1.33 merged, removed APIs
 * included). `undefined` when kubernetes-models has no such group/version at all (a custom resource);
 * an Error when it knows the group/version but not the kind (a typo).
 */
function builtInModel(apiVersion: string, kind: string): ModelClass | Error | undefined {
  if (!/^([a-z0-9.-]+\/)?v\d+((alpha|beta)\d+)?$/.test(apiVersion)) return new Error(`malformed apiVersion ${JSON.stringify(apiVersion)}`);
  let index: Record<string, unknown>;
  try {
    index = load(`kubernetes-models/${apiVersion}`) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const model = index[kind];
  return typeof model === "function" ? (model as ModelClass) : new Error(`kubernetes-models knows ${apiVersion} but no kind ${kind}`);
}

interface AttributeType {
  baseName: string;
  type: string;
}
type ApiModels = Record<string, { getAttributeTypeMap?: () => AttributeType[] } | undefined>;
let apiModels: ApiModels | undefined;

/**
 * The API objects of Kubernetes 1.36 as @kubernetes/client-node generates them from that release's
 * OpenAPI spec: every object type with the name and type of each of its fields. Only API versions the
 * release serves are there. Loaded once: the module graph is large.
 */
function currentApi(): ApiModels {
  apiModels ??= load("@kubernetes/client-node/dist/gen/models/all.js") as ApiModels;
  return apiModels;
}

const pascal = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/**
 * client-node's type for a top-level kind: `V1Deployment` for apps/v1 Deployment, or prefixed with
 * the group (`CoreV1Event`, `EventsV1Event`) where two groups have a kind of that name and version.
 */
function currentApiType(apiVersion: string, kind: string): string | undefined {
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["core", apiVersion];
  const candidates = [`${pascal(group!.split(".")[0]!)}${pascal(version!)}${kind}`, `${pascal(version!)}${kind}`];
  return candidates.find((name) => currentApi()[name]?.getAttributeTypeMap !== undefined);
}

/** Fields of `value` that its type in the current API does not have, as `data/…` paths. */
function unknownFields(value: unknown, type: string, path: string, found: string[]): void {
  if (value === null || value === undefined) return;
  const array = /^Array<(.+)>$/.exec(type);
  if (array) {
    if (Array.isArray(value)) value.forEach((item, index) => unknownFields(item, array[1]!, `${path}/${index}`, found));
    return;
  }
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (map) {
    if (typeof value === "object") for (const [key, item] of Object.entries(value)) unknownFields(item, map[1]!, `${path}/${key}`, found);
    return;
  }
  const attributes = currentApi()[type]?.getAttributeTypeMap?.();
  // Scalars, IntOrString, Quantity-as-string and free-form `any` have no fields to check.
  if (attributes === undefined || typeof value !== "object" || Array.isArray(value)) return;
  const fields = new Map(attributes.map((attribute) => [attribute.baseName, attribute.type]));
  for (const [key, item] of Object.entries(value)) {
    const fieldType = fields.get(key);
    if (fieldType === undefined)
      found.push(
        `${path}/${key} is not a field of ${type.replace(/^V\d+((alpha|beta)\d+)?/, "")} (Kubernetes ${KUBERNETES.validatedAgainst})`,
      );
    else unknownFields(item, fieldType, `${path}/${key}`, found);
  }
}

/** Problems of a built-in object against the current Kubernetes API: not served, or unknown fields. */
function currentApiProblems(document: { apiVersion: string; kind: string }): string[] {
  const type = currentApiType(document.apiVersion, document.kind);
  if (type === undefined) return [`Kubernetes ${KUBERNETES.validatedAgainst} does not serve ${document.apiVersion} ${document.kind}`];
  const found: string[] = [];
  unknownFields(document, type, "data", found);
  return found;
}

/**
 * Problems of one built-in API object (as a server would answer it): types, enums and required
 * fields (kubernetes-models), then served and no unknown fields (Kubernetes 1.36). verify's fake API
 * server checks its answers with this.
 */
export function builtInObjectProblems(document: { apiVersion: string; kind: string }): string[] {
  const model = builtInModel(document.apiVersion, document.kind);
  if (model === undefined) return [`${document.apiVersion} ${document.kind} is not a built-in kind`];
  if (model instanceof Error) return [model.message];
  const problems: string[] = [];
  try {
    new model(document).validate();
  } catch (error) {
    problems.push((error as Error).message);
  }
  return [...problems, ...currentApiProblems(document)];
}

/**
 * Validates every document of a manifest. Built-in kinds: types, enums and required fields
 * (kubernetes-models), then served and strict on unknown fields against Kubernetes 1.36
 * (@kubernetes/client-node). Custom resources: served by the release the stack states
 * (platformVersions.ts), then against the CRD-derived schemas of customResourceSchemas.ts. A kind
 * with neither fails: nothing passes unchecked.
 */
export function kubernetesValidator(options: KubernetesValidationOptions): ValidationResult {
  const fail = (validator: string, message: string): ValidationResult => ({ validator, target: options.file, status: "failed", message });
  let documents: unknown[];
  try {
    const parsed = parseAllDocuments(readFileSync(options.file, "utf8"));
    const docs = Array.isArray(parsed) ? parsed : [parsed];
    const broken = docs.find((doc) => doc.errors.length > 0);
    if (broken) return fail("kubernetes-schema", broken.errors[0]!.message);
    documents = docs.map((doc) => doc.toJS() as unknown);
  } catch (error) {
    return fail("kubernetes-schema", (error as Error).message);
  }
  const platform = options.platform ?? { kubernetes: KUBERNETES.validatedAgainst };

  const validators = new Set<string>();
  const problems: string[] = [];
  /** Custom resources whose operator this project states no release for (Cilium's): schema only. */
  const unversioned = new Set<string>();
  for (const document of documents) {
    const { apiVersion, kind } = (document ?? {}) as { apiVersion?: unknown; kind?: unknown };
    if (typeof apiVersion !== "string" || typeof kind !== "string") {
      validators.add("kubernetes-schema");
      problems.push("a document without apiVersion and kind");
      continue;
    }
    const model = builtInModel(apiVersion, kind);
    if (model instanceof Error) {
      validators.add("kubernetes-schema");
      problems.push(model.message);
    } else if (model !== undefined) {
      validators.add("kubernetes-schema");
      try {
        new model(document).validate();
      } catch (error) {
        problems.push(`${kind}: ${(error as Error).message}`);
      }
      problems.push(
        ...currentApiProblems(document as { apiVersion: string; kind: string }).map((problem) =>
          problem.startsWith("data") ? `${kind}: ${problem}` : problem,
        ),
      );
    } else {
      validators.add("crd-schema");
      const unserved = unservedReason(apiVersion, kind, platform);
      const found = customResourceProblems(document as { apiVersion: string; kind: string });
      if (customResourceOwner(apiVersion, kind) === undefined) unversioned.add(`${apiVersion} ${kind}`);
      if (unserved !== undefined) problems.push(unserved);
      else if (found === undefined)
        problems.push(`${apiVersion} ${kind}: no CRD-derived schema (add one to components/kubernetes/customResourceSchemas.ts)`);
      else problems.push(...found.map((problem) => `${kind}: ${problem}`));
    }
  }
  const validator = [...validators].sort().join("+") || "kubernetes-schema";
  if (problems.length > 0) return fail(validator, problems.join("\n"));
  const versions = [`Kubernetes ${platform.kubernetes}`, ...(validators.has("crd-schema") ? statedOperators(platform) : [])].join(", ");
  const schemaOnly =
    unversioned.size > 0
      ? `; ${[...unversioned].join(", ")}: against its CRD's schema, no release of it stated, so not whether it is served`
      : "";
  return {
    validator,
    target: options.file,
    status: "passed",
    message: `valid and served (${versions}; unknown fields are errors)${schemaOnly}`,
  };
}

function statedOperators(platform: PlatformVersions): string[] {
  return [
    ...(platform.externalSecrets ? [`External Secrets ${platform.externalSecrets}`] : []),
    ...(platform.kubeBlocks ? [`KubeBlocks ${platform.kubeBlocks}`] : []),
    ...(platform.sealos ? [`Sealos ${platform.sealos}`] : []),
  ];
}
