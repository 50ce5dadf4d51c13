import { describe, test } from "vitest";
import { edgeResources } from "../testing/edgeFixture";
import { containerOf, fedoraResources, fedoraSpec, type FedoraSpec } from "../testing/fedoraFixture";
import { flyResources, flySpec } from "../testing/flyFixture";
import { homelabResources, K8S, sealosResources } from "../testing/kubernetesFixture";
import { expectNoViolations, expectViolations, metadataTests, run } from "../testing/policyTests";
import { named } from "../testing/wire";
import { imagesPinned as policy } from "./imagesPinned";
import { PAPERCLIP_RELEASE } from "../../components/paperclip/paperclipRelease";

const fedora = (mutate: (spec: FedoraSpec) => void = () => {}) => {
  const spec = fedoraSpec();
  mutate(spec);
  return [...fedoraResources(spec), ...edgeResources()];
};
const image = (name: string, reference: string) => (spec: FedoraSpec) => (containerOf(spec, name).container.Image = reference);

describe("images-pinned", () => {
  metadataTests(policy, { name: "images-pinned", enforcementLevel: "mandatory" });

  test("baseline: versioned tags, a digest, and Cockpit's allow-listed :latest (fedora, homelab, sealos, fly)", async () => {
    expectNoViolations(await run(policy, fedora()));
    expectNoViolations(await run(policy, homelabResources()));
    expectNoViolations(await run(policy, sealosResources()));
    expectNoViolations(await run(policy, flyResources(flySpec())));
  });

  test("#1 a floating branch tag (the seeds' litellm:main-stable)", async () => {
    const diagnostics = await run(policy, fedora(image("litellm", "ghcr.io/berriai/litellm:main-stable")));
    expectViolations(diagnostics, policy, [
      {
        resource: "harness-file-systemd-litellm.container",
        message:
          /^litellm\.container: ghcr\.io\/berriai\/litellm:main-stable uses the floating tag main-stable; pin a versioned tag or a digest/,
      },
    ]);
  });

  test("#2 a build-flavour tag without a version (the seeds' llama-swap:vulkan)", async () => {
    const diagnostics = await run(policy, fedora(image("llama-swap", "ghcr.io/mostlygeek/llama-swap:vulkan")));
    expectViolations(diagnostics, policy, [
      { resource: "harness-file-systemd-llama-swap.container", message: /uses the floating tag vulkan/ },
    ]);
  });

  test("#3 a short name (fails under non-interactive auto-update)", async () => {
    const diagnostics = await run(policy, fedora(image("caddy", "caddy:2-alpine")));
    expectViolations(diagnostics, policy, [
      { resource: "harness-file-systemd-caddy.container", message: /caddy:2-alpine is a short name; non-interactive pulls/ },
    ]);
  });

  test("#4 no tag at all (the seeds' ghcr.io/sodimo/etl)", async () => {
    const diagnostics = await run(policy, fedora(image("paperclip", "ghcr.io/sodimo/etl")));
    expectViolations(diagnostics, policy, [
      { resource: "harness-file-systemd-paperclip.container", message: /ghcr\.io\/sodimo\/etl has no tag or digest/ },
    ]);
  });

  test("#5 :latest on an image that is not allow-listed", async () => {
    const diagnostics = await run(policy, fedora(image("openwebui", "ghcr.io/open-webui/open-webui:latest")));
    expectViolations(diagnostics, policy, [
      { resource: "harness-file-systemd-openwebui.container", message: /uses the floating tag latest/ },
    ]);
  });

  test("#6 a floating tag in a Kubernetes init container", async () => {
    const resources = sealosResources();
    (named(resources, "paperclip", K8S.statefulSet).properties.spec as any).template.spec.initContainers[0].image =
      "docker.io/library/busybox:latest";
    expectViolations(await run(policy, resources), policy, [
      {
        resource: "paperclip",
        message: /^StatefulSet paperclip \(init container write-config\): docker\.io\/library\/busybox:latest uses the floating tag latest/,
      },
    ]);
  });

  test("#7 a Helm chart image override without a registry", async () => {
    const resources = homelabResources();
    delete ((named(resources, "postgresql").properties.values as any).image as Record<string, unknown>).registry;
    expectViolations(await run(policy, resources), policy, [
      {
        resource: "postgresql",
        message: /Helm values values\.image of postgresql: bitnamilegacy\/postgresql:16\.4\.0-debian-12-r0 is a short name/,
      },
    ]);
  });

  test("#8 a Dockerfile building from a floating base (Fly)", async () => {
    const spec = flySpec();
    spec.dockerfile = spec.dockerfile.replace("docker.io/library/node:22.12.0-bookworm-slim", "docker.io/library/node:lts-slim");
    expectViolations(await run(policy, flyResources(spec)), policy, [
      {
        resource: "fly-deploy",
        message:
          /FROM in environment\.FLY_BUILD_DOCKERFILE of fly-deploy: docker\.io\/library\/node:lts-slim uses the floating tag lts-slim/,
      },
    ]);
  });

  test("#9 a Containerfile of a .build unit building from a floating base", async () => {
    const resources = fedora((spec) => {
      spec.units.push({
        kind: "build",
        name: "paperclip",
        build: {
          ImageTag: [`localhost/paperclip:${PAPERCLIP_RELEASE.version}-pi0.9.1`],
          File: { withSpecifiers: "%h/.config/harness/paperclip/Containerfile" },
        },
      });
      spec.configFiles.push({
        path: ".config/harness/paperclip/Containerfile",
        content: "FROM ghcr.io/paperclipai/paperclip:main\nRUN npm install -g @mariozechner/pi@0.9.1\n",
      });
      containerOf(spec, "paperclip").container.Image = "paperclip.build";
    });
    expectViolations(await run(policy, resources), policy, [
      {
        resource: "harness-file-systemd-paperclip.build",
        message:
          /FROM in %h\/\.config\/harness\/paperclip\/Containerfile: ghcr\.io\/paperclipai\/paperclip:main uses the floating tag main/,
      },
    ]);
  });

  test("accepted: a digest pins any tag", async () => {
    expectNoViolations(
      await run(
        policy,
        fedora(
          image("litellm", "ghcr.io/berriai/litellm:main-stable@sha256:0b9b7b4b5f3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e"),
        ),
      ),
    );
  });

  test("policy config: the allow-list entry needs the image; without it, Cockpit's :latest is flagged", async () => {
    expectViolations(await run(policy, fedora(), { floatingTagAllowList: [] }), policy, [
      { resource: "harness-file-systemd-cockpit.container", message: /quay\.io\/cockpit\/ws:latest uses the floating tag latest/ },
    ]);
  });

  test("policy config: floatingTags adds tags that float although they carry a digit", async () => {
    const resources = fedora(image("litellm", "ghcr.io/berriai/litellm:v1-stable"));
    expectNoViolations(await run(policy, resources));
    expectViolations(await run(policy, resources, { floatingTags: ["v1-stable"] }), policy, [
      { resource: "harness-file-systemd-litellm.container", message: /floating tag v1-stable/ },
    ]);
  });
});
