import { describe, expect, it } from "vitest";
import { customResourceProblems } from "./customResourceSchemas";
import { externalSecret, kubeBlocksPostgresCluster, objectStorageBucket, sealosApp } from "./customResources";

const clone = <T>(value: T): any => JSON.parse(JSON.stringify(value));

const cluster = kubeBlocksPostgresCluster({
  name: "paperclip-pg",
  namespace: "ns-k3v9x2qa",
  serviceAccountName: "paperclip-pg",
  resources: { requests: { cpu: "50m", memory: "51Mi" }, limits: { cpu: "500m", memory: "512Mi" } },
  storageSize: "5Gi",
});
const app = sealosApp({
  name: "paperclip",
  namespace: "ns-k3v9x2qa",
  displayName: "Paperclip",
  url: "https://p.usw.sealos.io",
  icon: "https://p.usw.sealos.io/favicon.ico",
});
const bucket = objectStorageBucket({ name: "paperclip", namespace: "ns-k3v9x2qa" });
const secret = externalSecret({
  apiVersion: "external-secrets.io/v1",
  name: "paperclip-auth",
  namespace: "paperclip-system",
  storeName: "infisical",
  targetSecret: "paperclip-auth",
  data: { BETTER_AUTH_SECRET: "PAPERCLIP_BETTER_AUTH_SECRET" },
});

describe("documented schemas of the custom resources", () => {
  it.each([
    ["a KubeBlocks Cluster", cluster],
    ["a Sealos App", app],
    ["an ObjectStorageBucket", bucket],
    ["an ExternalSecret", secret],
  ])("accept %s as the stacks build it", (_, manifest) => {
    expect(customResourceProblems(manifest)).toEqual([]);
  });

  it("keep the CRDs' own limits: KubeBlocks 0.9 admits only the Noop switch policy, and an ExternalSecret v1beta1 the same fields as v1", () => {
    const switchPolicy = clone(cluster);
    switchPolicy.spec.componentSpecs[0].switchPolicy.type = "MaximumAvailability";
    expect(customResourceProblems(switchPolicy)?.[0]).toMatch(/^spec\.componentSpecs\.0\.switchPolicy\.type: /);
    const legacy = externalSecret({
      apiVersion: "external-secrets.io/v1beta1",
      name: "a",
      namespace: "n",
      storeName: "s",
      targetSecret: "a",
      data: { K: "K" },
    });
    expect(customResourceProblems(legacy)).toEqual([]);
  });

  it("refuse undocumented fields, anywhere", () => {
    const typo = clone(cluster);
    typo.spec.componentSpecs[0].replica = 1;
    expect(customResourceProblems(typo)).toEqual(["spec.componentSpecs.0: undocumented field(s) replica"]);
    const extra = clone(secret);
    extra.spec.target.template = { type: "Opaque" };
    expect(customResourceProblems(extra)).toEqual(["spec.target: undocumented field(s) template"]);
  });

  it("refuse values outside the documented enums", () => {
    const policy = clone(bucket);
    policy.spec.policy = "public";
    expect(customResourceProblems(policy)?.[0]).toMatch(/^spec\.policy: /);
    const termination = clone(cluster);
    termination.spec.terminationPolicy = "Keep";
    expect(customResourceProblems(termination)?.[0]).toMatch(/^spec\.terminationPolicy: /);
    const store = clone(secret);
    store.spec.secretStoreRef.kind = "ClusterSecretstore";
    expect(customResourceProblems(store)?.[0]).toMatch(/^spec\.secretStoreRef\.kind: /);
    const display = clone(app);
    display.spec.type = "window";
    expect(customResourceProblems(display)?.[0]).toMatch(/^spec\.type: /);
  });

  it("refuse missing required fields and malformed values", () => {
    const noData = clone(secret);
    delete noData.spec.data;
    expect(customResourceProblems(noData)?.[0]).toMatch(/^spec\.data: /);
    const badSize = clone(cluster);
    badSize.spec.componentSpecs[0].volumeClaimTemplates[0].spec.resources.requests.storage = "5 GB";
    expect(customResourceProblems(badSize)).toEqual([
      "spec.componentSpecs.0.volumeClaimTemplates.0.spec.resources.requests.storage: expected a memory quantity",
    ]);
    const longName = clone(cluster);
    longName.spec.componentSpecs[0].name = "postgresql-component-primary";
    expect(customResourceProblems(longName)?.[0]).toMatch(/^spec\.componentSpecs\.0\.name: /);
    const badUrl = clone(app);
    badUrl.spec.data.url = "paperclip.usw.sealos.io";
    expect(customResourceProblems(badUrl)?.[0]).toMatch(/^spec\.data\.url: /);
  });

  it("know nothing of other kinds (the caller must fail them)", () => {
    expect(customResourceProblems({ apiVersion: "example.com/v1", kind: "Widget" })).toBeUndefined();
    expect(customResourceProblems({ ...cluster, apiVersion: "apps.kubeblocks.io/v1" })).toBeUndefined();
  });
});
