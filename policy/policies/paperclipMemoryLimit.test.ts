import { describe, test } from "vitest";
import { edgeResources } from "../testing/edgeFixture";
import { containerOf, fedoraResources, fedoraSpec } from "../testing/fedoraFixture";
import { flyResources, flySpec } from "../testing/flyFixture";
import { homelabResources, K8S, sealosResources } from "../testing/kubernetesFixture";
import { expectNoViolations, expectViolations, metadataTests, run } from "../testing/policyTests";
import { named, resource } from "../testing/wire";
import { paperclipMemoryLimit as policy } from "./paperclipMemoryLimit";
import { PAPERCLIP_IMAGE } from "../../components/paperclip/paperclipRelease";

const container = (resources: ReturnType<typeof homelabResources>, type = K8S.deployment) =>
  (named(resources, "paperclip", type).properties.spec as any).template.spec.containers[0];

describe("paperclip-memory-limit", () => {
  metadataTests(policy, { name: "paperclip-memory-limit", enforcementLevel: "mandatory" });

  test("baseline: 2Gi on Kubernetes, 1gb on Fly, the host's memory on fedora", async () => {
    expectNoViolations(await run(policy, [...fedoraResources(fedoraSpec()), ...edgeResources()]));
    expectNoViolations(await run(policy, homelabResources()));
    expectNoViolations(await run(policy, sealosResources()));
    expectNoViolations(await run(policy, flyResources(flySpec())));
  });

  test("#1 the Sealos template's 512Mi", async () => {
    const resources = sealosResources();
    container(resources, K8S.statefulSet).resources.limits.memory = "512Mi";
    expectViolations(await run(policy, resources), policy, [
      { resource: "paperclip", message: /^StatefulSet paperclip \(container paperclip\): the memory limit is 0\.5 GiB, below 1 GiB/ },
    ]);
  });

  test("#2 no limit on Kubernetes (the namespace's default applies)", async () => {
    const resources = homelabResources();
    delete container(resources).resources.limits;
    expectViolations(await run(policy, resources), policy, [
      { resource: "paperclip", message: /no memory limit is set, so the platform's default applies/ },
    ]);
  });

  test("#3 a 512 MB Fly machine (the agent CLI is OOM-killed)", async () => {
    const spec = flySpec();
    spec.toml = spec.toml.replace('memory = "1gb"', 'memory = "512mb"');
    expectViolations(await run(policy, flyResources(spec)), policy, [
      { resource: "fly-deploy", message: /the memory limit is 0\.5 GiB, below 1 GiB/ },
    ]);
  });

  test("#4 no memory for the Fly machine at all (Fly's default is 256 MB)", async () => {
    const spec = flySpec();
    spec.toml = spec.toml.replace('  memory = "1gb"\n', "");
    expectViolations(await run(policy, flyResources(spec)), policy, [{ resource: "fly-deploy", message: /no memory limit is set/ }]);
  });

  test("#5 a Quadlet memory limit below 1 GiB", async () => {
    const spec = fedoraSpec();
    containerOf(spec, "paperclip").container.PodmanArgs = ["--memory=768m"];
    expectViolations(await run(policy, fedoraResources(spec)), policy, [
      { resource: "harness-file-systemd-paperclip.container", message: /the memory limit is 0\.75 GiB, below 1 GiB/ },
    ]);
  });

  test("accepted: flyctl deploy --vm-memory overrides fly.toml", async () => {
    const spec = flySpec();
    spec.toml = spec.toml.replace('memory = "1gb"', 'memory = "512mb"');
    spec.deployFlags = "--remote-only --vm-memory 2048";
    expectNoViolations(await run(policy, flyResources(spec)));
  });

  test("accepted: a Job running the Paperclip CLI once (the bootstrap invite) spawns no agents", async () => {
    const resources = homelabResources();
    resources.push(
      resource(K8S.job, "paperclip-bootstrap", {
        metadata: { name: "paperclip-bootstrap" },
        spec: {
          template: {
            spec: {
              restartPolicy: "OnFailure",
              containers: [
                {
                  name: "bootstrap",
                  image: PAPERCLIP_IMAGE,
                  command: ["paperclipai", "auth", "bootstrap-ceo"],
                },
              ],
            },
          },
        },
      }),
    );
    expectNoViolations(await run(policy, resources));
  });

  test("policy config: minimumMemory", async () => {
    expectViolations(await run(policy, homelabResources(), { minimumMemory: "4Gi" }), policy, [
      { resource: "paperclip", message: /the memory limit is 2 GiB, below 4 GiB/ },
    ]);
  });
});
