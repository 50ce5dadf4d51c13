import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";
import { customResourceProblems } from "../../components/kubernetes/customResourceSchemas";
import type { ValidationResult } from "./types";

export interface KubernetesValidationOptions {
  /** A YAML manifest (one or more documents). */
  file: string;
}

interface KubernetesModel {
  validate(): void;
}
type ModelClass = new (data: unknown) => KubernetesModel;

/**
 * The model class of a built-in kind from kubernetes-models (Kubernetes 1.27 schemas, precompiled
 * validators that check types, enums and required fields, not unknown fields: tsc catches those on
 * Pulumi's input types). `undefined` when kubernetes-models has no such group/version at all (a
 * custom resource); an Error when it knows the group/version but not the kind (a typo).
 */
function builtInModel(apiVersion: string, kind: string): ModelClass | Error | undefined {
  if (!/^([a-z0-9.-]+\/)?v\d+((alpha|beta)\d+)?$/.test(apiVersion)) return new Error(`malformed apiVersion ${JSON.stringify(apiVersion)}`);
  let index: Record<string, unknown>;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    index = require(`kubernetes-models/${apiVersion}`) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const model = index[kind];
  return typeof model === "function" ? (model as ModelClass) : new Error(`kubernetes-models knows ${apiVersion} but no kind ${kind}`);
}

/**
 * Validates every document of a manifest: built-in kinds against the Kubernetes schemas
 * (kubernetes-models), custom resources against the documented schemas of
 * components/kubernetes/customResourceSchemas.ts. A kind with neither fails: nothing passes unchecked.
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

  const validators = new Set<string>();
  const problems: string[] = [];
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
    } else {
      validators.add("crd-schema");
      const found = customResourceProblems(document as { apiVersion: string; kind: string });
      if (found === undefined) problems.push(`${apiVersion} ${kind}: no documented schema (add one to components/kubernetes/customResourceSchemas.ts)`);
      else problems.push(...found.map((problem) => `${kind}: ${problem}`));
    }
  }
  const validator = [...validators].sort().join("+") || "kubernetes-schema";
  if (problems.length > 0) return fail(validator, problems.join("\n"));
  return { validator, target: options.file, status: "passed", message: validators.has("crd-schema") ? "matches its documented schema" : "valid (Kubernetes 1.27 schemas)" };
}
