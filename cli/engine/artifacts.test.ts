import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { kubernetesManifestArtifacts } from "./artifacts";
import type { RecordedResource } from "./RecordingMonitor";

const secret = (value: unknown) => ({ [pulumi.runtime.specialSigKey]: pulumi.runtime.specialSecretSig, value });

function recorded(type: string, inputs: Record<string, unknown>, custom = true): RecordedResource {
  return {
    urn: `urn:pulumi:s::p::${type}::x`,
    type,
    name: "x",
    custom,
    inputs,
    wireInputs: {},
    dependencies: [],
    propertyDependencies: {},
    protect: false,
    ignoreChanges: [],
    additionalSecretOutputs: [],
  };
}

describe("kubernetes manifest artifacts", () => {
  it("masks every secret value but keeps a Secret's keys, so the manifest still validates", () => {
    const [artifact] = kubernetesManifestArtifacts(
      recorded("kubernetes:core/v1:Secret", {
        apiVersion: "v1",
        kind: "Secret",
        metadata: { name: "paperclip-secrets", namespace: "ns" },
        stringData: secret({ BETTER_AUTH_SECRET: "d6f1e0a2", PAPERCLIP_SECRETS_MASTER_KEY: "9b0c7e11" }),
      }),
    );
    expect(artifact!.path).toBe("manifests/ns/secret-paperclip-secrets.yaml");
    expect(artifact!.kind).toBe("kubernetes");
    expect(artifact!.content).not.toMatch(/d6f1e0a2|9b0c7e11/);
    expect(parse(artifact!.content).stringData).toEqual({ BETTER_AUTH_SECRET: "[secret]", PAPERCLIP_SECRETS_MASTER_KEY: "[secret]" });
  });

  it("puts cluster-scoped objects under _cluster and a ConfigMap's files beside its manifest, each as its own kind", () => {
    expect(
      kubernetesManifestArtifacts(
        recorded("kubernetes:core/v1:Namespace", { apiVersion: "v1", kind: "Namespace", metadata: { name: "paperclip-system" } }),
      )[0]!.path,
    ).toBe("manifests/_cluster/namespace-paperclip-system.yaml");
    const artifacts = kubernetesManifestArtifacts(
      recorded("kubernetes:core/v1:ConfigMap", {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: "paperclip-config", namespace: "ns" },
        data: { "config.json": "{}\n", "init.sh": "#!/bin/sh\n", authorized_keys: "ssh-ed25519 AAAA\n" },
      }),
    );
    expect(artifacts.map((a) => [a.path, a.kind])).toEqual([
      ["manifests/ns/configmap-paperclip-config.yaml", "kubernetes"],
      ["manifests/ns/configmap-paperclip-config/config.json", "json"],
      ["manifests/ns/configmap-paperclip-config/init.sh", "shell"],
      ["manifests/ns/configmap-paperclip-config/authorized_keys", "text"],
    ]);
  });

  it("renders a Helm release as its chart, version and values, and ignores non-Kubernetes resources and components", () => {
    const [release] = kubernetesManifestArtifacts(
      recorded("kubernetes:helm.sh/v3:Release", {
        chart: "oci://r/postgresql",
        version: "14.2.0",
        name: "paperclip-db",
        namespace: "ns",
        compat: "true",
        values: { metrics: { enabled: true } },
      }),
    );
    expect(release!.path).toBe("manifests/ns/helm-release-paperclip-db.yaml");
    expect(parse(release!.content)).toEqual({
      chart: "oci://r/postgresql",
      version: "14.2.0",
      name: "paperclip-db",
      namespace: "ns",
      values: { metrics: { enabled: true } },
    });
    expect(kubernetesManifestArtifacts(recorded("random:index/randomBytes:RandomBytes", { length: 32 }))).toEqual([]);
    expect(kubernetesManifestArtifacts(recorded("harness:kubernetes:PaperclipWorkload", {}, false))).toEqual([]);
  });
});
