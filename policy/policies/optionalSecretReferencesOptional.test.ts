import { describe, test } from "vitest";
import { homelabResources, K8S, sealosResources } from "../testing/kubernetesFixture";
import { expectNoViolations, expectViolations, metadataTests, run } from "../testing/policyTests";
import { named } from "../testing/wire";
import { optionalSecretReferencesOptional as policy } from "./optionalSecretReferencesOptional";

const podSpec = (resources: ReturnType<typeof homelabResources>, type = K8S.deployment) =>
  (named(resources, "paperclip", type).properties.spec as any).template.spec;

describe("optional-secret-references-optional", () => {
  metadataTests(policy, { name: "optional-secret-references-optional", enforcementLevel: "mandatory" });

  test("baseline: the optional Brave key is imported with optional: true", async () => {
    expectNoViolations(await run(policy, homelabResources()));
    expectNoViolations(await run(policy, sealosResources()));
  });

  test("#1 an optional feature's key referenced without optional: true", async () => {
    const resources = homelabResources();
    const spec = podSpec(resources);
    spec.containers[0].envFrom = [];
    spec.containers[0].env.push({ name: "BRAVE_API_KEY", valueFrom: { secretKeyRef: { name: "paperclip-brave", key: "BRAVE_API_KEY" } } });
    expectViolations(await run(policy, resources), policy, [
      {
        resource: "paperclip",
        message:
          /^Deployment paperclip \(container paperclip\): BRAVE_API_KEY .* refers to Secret paperclip-brave without optional: true, but it holds an optional feature's key; a missing Secret would block every rollout\.$/,
      },
    ]);
  });

  test("#2 optional in one container, required in another (optional must be optional everywhere)", async () => {
    const resources = sealosResources();
    podSpec(resources, K8S.statefulSet).initContainers[0].envFrom = [{ secretRef: { name: "paperclip-brave" } }];
    expectViolations(await run(policy, resources), policy, [
      {
        resource: "paperclip",
        message:
          /^StatefulSet paperclip \(init container write-config\): BRAVE_API_KEY \(envFrom Secret paperclip-brave of .*\) refers to Secret paperclip-brave without optional: true, but it is optional elsewhere/,
      },
    ]);
  });

  test("#3 a required secret volume of a Secret optional elsewhere", async () => {
    const resources = homelabResources();
    const spec = podSpec(resources);
    spec.volumes.push({ name: "brave", secret: { secretName: "paperclip-brave" } });
    spec.containers[0].volumeMounts.push({ name: "brave", mountPath: "/run/brave" });
    expectViolations(await run(policy, resources), policy, [
      {
        resource: "paperclip",
        message: /the volume mounted at \/run\/brave refers to Secret paperclip-brave without optional: true, but it is optional elsewhere/,
      },
    ]);
  });

  test("policy config: optionalSecrets names an optional feature's Secret", async () => {
    const resources = homelabResources();
    podSpec(resources).containers[0].env.push({
      name: "GITHUB_TOKEN",
      valueFrom: { secretKeyRef: { name: "paperclip-github", key: "token" } },
    });
    expectNoViolations(await run(policy, resources));
    expectViolations(await run(policy, resources, { optionalSecrets: ["paperclip-github"] }), policy, [
      {
        resource: "paperclip",
        message: /GITHUB_TOKEN .* refers to Secret paperclip-github without optional: true, but it holds an optional feature's key/,
      },
    ]);
  });
});
