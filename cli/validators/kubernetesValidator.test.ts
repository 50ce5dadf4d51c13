import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { kubernetesValidator } from "./kubernetesValidator";

const work = mkdtempSync(join(tmpdir(), "k8s-validator-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

let count = 0;
function validate(...documents: unknown[]) {
  const file = join(work, `manifest-${count++}.yaml`);
  writeFileSync(file, documents.map((d) => stringify(d)).join("---\n"));
  return kubernetesValidator({ file });
}

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
      spec: { containers: [{ name: "paperclip", image: "ghcr.io/paperclipai/paperclip:sha-b8725c5", ports: [{ name: "http", containerPort: 3100 }] }] },
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
    expect(validate(noContainers)).toMatchObject({ status: "failed", message: "Deployment: data/spec/template/spec must have required property containers" });
  });

  it("fails a kind its group/version does not have, and a malformed apiVersion", () => {
    expect(validate({ ...deployment, kind: "Deploymnet" })).toMatchObject({ status: "failed", message: "kubernetes-models knows apps/v1 but no kind Deploymnet" });
    expect(validate({ ...deployment, apiVersion: "../v1" }).status).toBe("failed");
  });

  it("checks custom resources against their documented schema, and fails kinds without one", () => {
    const bucket = { apiVersion: "objectstorage.sealos.io/v1", kind: "ObjectStorageBucket", metadata: { name: "paperclip" }, spec: { policy: "private" } };
    expect(validate(bucket)).toMatchObject({ validator: "crd-schema", status: "passed" });
    expect(validate({ ...bucket, spec: { policy: "private", quota: 5 } })).toMatchObject({
      status: "failed",
      message: "ObjectStorageBucket: spec: undocumented field(s) quota",
    });
    expect(validate({ apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "w" } })).toMatchObject({
      status: "failed",
      message: "example.com/v1 Widget: no documented schema (add one to components/kubernetes/customResourceSchemas.ts)",
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
