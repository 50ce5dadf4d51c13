import { describe, test } from "vitest";
import { homelabResources, sealosResources } from "../testing/kubernetesFixture";
import { expectNoViolations, expectViolations, metadataTests, run } from "../testing/policyTests";
import { asFirstPreview, named, without } from "../testing/wire";
import { rwoDeploymentsRecreate as policy } from "./rwoDeploymentsRecreate";

const spec = (resources: ReturnType<typeof homelabResources>) => named(resources, "paperclip").properties.spec as any;

describe("rwo-deployments-recreate", () => {
  metadataTests(policy, { name: "rwo-deployments-recreate", enforcementLevel: "mandatory" });

  test("baseline: a one-replica Recreate Deployment (homelab) and a StatefulSet (sealos)", async () => {
    expectNoViolations(await run(policy, homelabResources()));
    expectNoViolations(await run(policy, asFirstPreview(homelabResources())));
    expectNoViolations(await run(policy, sealosResources()));
  });

  test("#1 RollingUpdate on a ReadWriteOnce claim (the homelab seed's Multi-Attach deadlock)", async () => {
    const resources = homelabResources();
    spec(resources).strategy = { type: "RollingUpdate", rollingUpdate: { maxSurge: 1 } };
    expectViolations(await run(policy, resources), policy, [
      {
        resource: "paperclip",
        message:
          /^Deployment paperclip: mounts the ReadWriteOnce claim paperclip-data with strategy RollingUpdate; a rolling update deadlocks on Multi-Attach\. Use Recreate\.$/,
      },
    ]);
  });

  test("#2 no strategy (Kubernetes defaults to RollingUpdate)", async () => {
    const resources = homelabResources();
    delete spec(resources).strategy;
    expectViolations(await run(policy, resources), policy, [{ resource: "paperclip", message: /with strategy RollingUpdate/ }]);
  });

  test("#3 two replicas sharing the claim", async () => {
    const resources = homelabResources();
    spec(resources).replicas = 2;
    expectViolations(await run(policy, resources), policy, [
      { resource: "paperclip", message: /2 replicas share the ReadWriteOnce claim paperclip-data; only one pod can attach it/ },
    ]);
  });

  test("#4 a claim the stack does not declare counts as ReadWriteOnce", async () => {
    const resources = without(homelabResources(), "paperclip-data");
    delete spec(resources).strategy;
    expectViolations(await run(policy, resources), policy, [
      { resource: "paperclip", message: /paperclip-data \(not declared in the stack; ReadWriteOnce is most storage classes' default\)/ },
    ]);
  });

  test("accepted: RollingUpdate on a ReadWriteMany claim", async () => {
    const resources = homelabResources();
    delete spec(resources).strategy;
    (named(resources, "paperclip-data").properties.spec as any).accessModes = ["ReadWriteMany"];
    expectNoViolations(await run(policy, resources));
  });
});
