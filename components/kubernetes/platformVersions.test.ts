import { describe, expect, it } from "vitest";
import {
  EXTERNAL_SECRETS,
  externalSecretsApiVersion,
  isSupportedKubeBlocks,
  parseRelease,
  servedApiVersions,
  CUSTOM_RESOURCE_OWNERS,
  unservedReason,
} from "./platformVersions";

const owner = (kind: string) => CUSTOM_RESOURCE_OWNERS.find((o) => o.kind === kind)!;

describe("the platform releases and the API versions they serve", () => {
  it("renders ExternalSecrets as external-secrets.io/v1 from External Secrets 0.16.0, v1beta1 before, nothing before 0.10.0", () => {
    expect(externalSecretsApiVersion(EXTERNAL_SECRETS.default)).toBe("external-secrets.io/v1");
    expect(externalSecretsApiVersion("0.17.0")).toBe("external-secrets.io/v1");
    expect(externalSecretsApiVersion("v0.16.0")).toBe("external-secrets.io/v1");
    expect(externalSecretsApiVersion("0.15.1")).toBe("external-secrets.io/v1beta1");
    expect(externalSecretsApiVersion("0.9.20")).toBeUndefined();
    expect(externalSecretsApiVersion("latest")).toBeUndefined();
  });

  it("knows External Secrets stopped serving v1beta1 in 0.17.0 (served: false in its CRD)", () => {
    expect(servedApiVersions(owner("ExternalSecret"), "0.16.2")).toEqual(["external-secrets.io/v1beta1", "external-secrets.io/v1"]);
    expect(servedApiVersions(owner("ExternalSecret"), "0.17.0")).toEqual(["external-secrets.io/v1"]);
    expect(unservedReason("external-secrets.io/v1beta1", "ExternalSecret", { kubernetes: "1.36", externalSecrets: "2.9.0" })).toBe(
      "external-secrets.io/v1beta1 ExternalSecret: External Secrets 2.9.0 does not serve external-secrets.io/v1beta1; it serves external-secrets.io/v1",
    );
    expect(unservedReason("external-secrets.io/v1", "ExternalSecret", { kubernetes: "1.36", externalSecrets: "2.9.0" })).toBeUndefined();
  });

  it("fails a custom resource whose operator the stack states no release of", () => {
    expect(unservedReason("apps.kubeblocks.io/v1alpha1", "Cluster", { kubernetes: "1.36" })).toMatch(/states no KubeBlocks release/);
    expect(unservedReason("apps.kubeblocks.io/v1", "Cluster", { kubernetes: "1.36", kubeBlocks: "0.9.3" })).toBe(
      "apps.kubeblocks.io/v1 Cluster: KubeBlocks 0.9.3 does not serve apps.kubeblocks.io/v1; it serves apps.kubeblocks.io/v1alpha1",
    );
  });

  it("supports KubeBlocks 0.9.x only: disableExporter is new in 0.9.0, and 1.0 replaced ClusterVersion", () => {
    expect(isSupportedKubeBlocks("0.9.3")).toBe(true);
    expect(isSupportedKubeBlocks("0.8.4")).toBe(false);
    expect(isSupportedKubeBlocks("1.0.0")).toBe(false);
    expect(parseRelease("v1.2")).toEqual([1, 2, 0]);
  });
});
