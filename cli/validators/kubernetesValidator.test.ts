import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import type { PlatformVersions } from "../../components/kubernetes/platformVersions";
import { kubernetesValidator } from "./kubernetesValidator";
import { PAPERCLIP_IMAGE } from "../../components/paperclip/paperclipRelease";

const work = mkdtempSync(join(tmpdir(), "k8s-validator-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

let count = 0;
function validateFor(platform: PlatformVersions | undefined, ...documents: unknown[]) {
  const file = join(work, `manifest-${count++}.yaml`);
  writeFileSync(file, documents.map((d) => stringify(d)).join("---\n"));
  return kubernetesValidator({ file, ...(platform ? { platform } : {}) });
}
const validate = (...documents: unknown[]) => validateFor(undefined, ...documents);
const SEALOS = { kubernetes: "1.36", kubeBlocks: "0.9.3", sealos: "5.1.1" };

const deployment = {
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "paperclip", namespace: "paperclip-system" },
  spec: {
    replicas: 1,
    strategy: { type: "Recreate" },
    selector: { matchLabels: { app: "paperclip" } },
    template: {
      metadata: { labels: { app: "paperclip" } },
      spec: {
        containers: [{ name: "paperclip", image: PAPERCLIP_IMAGE, ports: [{ name: "http", containerPort: 3100 }] }],
      },
    },
  },
};

describe("kubernetesValidator", () => {
  it("passes a valid built-in object", () => {
    expect(validate(deployment)).toMatchObject({ validator: "kubernetes-schema", status: "passed" });
  });

  it("fails a wrong type, a value outside an enum and a missing required field, naming the path", () => {
    expect(validate({ ...deployment, spec: { ...deployment.spec, strategy: { type: "Rolling" } } })).toMatchObject({
      status: "failed",
      message: "Deployment: data/spec/strategy/type must be equal to one of the allowed values",
    });
    const wrongType = structuredClone(deployment) as { spec: Record<string, unknown> };
    wrongType.spec.replicas = "one";
    expect(validate(wrongType)).toMatchObject({ status: "failed", message: "Deployment: data/spec/replicas must be integer" });
    const noContainers = structuredClone(deployment) as { spec: { template: { spec: Record<string, unknown> } } };
    delete noContainers.spec.template.spec.containers;
    expect(validate(noContainers)).toMatchObject({
      status: "failed",
      message: "Deployment: data/spec/template/spec must have required property containers",
    });
  });

  it("fails a kind its group/version does not have, and a malformed apiVersion", () => {
    expect(validate({ ...deployment, kind: "Deploymnet" })).toMatchObject({
      status: "failed",
      message: "kubernetes-models knows apps/v1 but no kind Deploymnet",
    });
    expect(validate({ ...deployment, apiVersion: "../v1" }).status).toBe("failed");
  });

  it("fails a field the current Kubernetes API does not have, anywhere in the object (the API server's strict field validation)", () => {
    const typo = structuredClone(deployment) as { spec: { template: { spec: { containers: Record<string, unknown>[] } } } };
    typo.spec.template.spec.containers[0]!.imagePullPolcy = "IfNotPresent";
    expect(validate(typo)).toMatchObject({
      status: "failed",
      message: "Deployment: data/spec/template/spec/containers/0/imagePullPolcy is not a field of Container (Kubernetes 1.36)",
    });
    const misplaced = { ...deployment, spec: { ...deployment.spec, backoffLimit: 3 } };
    expect(validate(misplaced).message).toBe("Deployment: data/spec/backoffLimit is not a field of DeploymentSpec (Kubernetes 1.36)");
    // Maps (labels, resources) and free-form values are not fields.
    expect(validate({ ...deployment, metadata: { ...deployment.metadata, labels: { anything: "x" } } }).status).toBe("passed");
  });

  it("fails a built-in API version the current Kubernetes no longer serves", () => {
    const cronJob = {
      apiVersion: "batch/v1beta1",
      kind: "CronJob",
      metadata: { name: "c" },
      spec: { schedule: "@daily", jobTemplate: { spec: { template: { spec: { containers: [{ name: "c", image: "busybox:1" }] } } } } },
    };
    expect(validate(cronJob)).toMatchObject({ status: "failed", message: "Kubernetes 1.36 does not serve batch/v1beta1 CronJob" });
    expect(validate({ ...cronJob, apiVersion: "batch/v1" }).status).toBe("passed");
  });

  it("fails a custom resource whose API version the stated operator release does not serve", () => {
    const externalSecret = {
      apiVersion: "external-secrets.io/v1beta1",
      kind: "ExternalSecret",
      metadata: { name: "paperclip-auth" },
      spec: {
        secretStoreRef: { kind: "ClusterSecretStore", name: "infisical" },
        target: { name: "paperclip-auth" },
        data: [{ secretKey: "K", remoteRef: { key: "K" } }],
      },
    };
    expect(validateFor({ kubernetes: "1.36", externalSecrets: "2.9.0" }, externalSecret)).toMatchObject({
      status: "failed",
      message:
        "external-secrets.io/v1beta1 ExternalSecret: External Secrets 2.9.0 does not serve external-secrets.io/v1beta1; it serves external-secrets.io/v1",
    });
    expect(validateFor({ kubernetes: "1.36", externalSecrets: "0.15.1" }, externalSecret).status).toBe("passed");
    expect(
      validateFor({ kubernetes: "1.36", externalSecrets: "2.9.0" }, { ...externalSecret, apiVersion: "external-secrets.io/v1" }).status,
    ).toBe("passed");
    // Without a stated release nothing says the kind exists.
    expect(validate({ ...externalSecret, apiVersion: "external-secrets.io/v1" }).message).toMatch(/states no External Secrets release/);
  });

  it("checks custom resources against their CRD-derived schema, and fails kinds without one", () => {
    const bucket = {
      apiVersion: "objectstorage.sealos.io/v1",
      kind: "ObjectStorageBucket",
      metadata: { name: "paperclip" },
      spec: { policy: "private" },
    };
    expect(validateFor(SEALOS, bucket)).toMatchObject({ validator: "crd-schema", status: "passed" });
    expect(validateFor(SEALOS, { ...bucket, spec: { policy: "private", quota: 5 } })).toMatchObject({
      status: "failed",
      message: "ObjectStorageBucket: spec: undocumented field(s) quota",
    });
    expect(validate({ apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "w" } })).toMatchObject({
      status: "failed",
      message: "example.com/v1 Widget: no CRD-derived schema (add one to components/kubernetes/customResourceSchemas.ts)",
    });
  });

  it("checks every document of a multi-document file", () => {
    const bad = structuredClone(deployment) as { spec: Record<string, unknown> };
    bad.spec.replicas = -1.5;
    const result = validate(deployment, bad);
    expect(result.status).toBe("failed");
    expect(result.message).toContain("data/spec/replicas must be integer");
  });
});
