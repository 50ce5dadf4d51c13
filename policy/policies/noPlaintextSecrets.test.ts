import { describe, test } from "vitest";
import { edgeResources } from "../testing/edgeFixture";
import { containerOf, fedoraResources, fedoraSpec, type FedoraSpec } from "../testing/fedoraFixture";
import { flyResources, flySpec } from "../testing/flyFixture";
import { homelabResources, K8S, sealosResources } from "../testing/kubernetesFixture";
import { expectNoViolations, expectViolations, metadataTests, run } from "../testing/policyTests";
import { asFirstPreview, named, resource } from "../testing/wire";
import { noPlaintextSecrets as policy } from "./noPlaintextSecrets";

const fedora = (mutate: (spec: FedoraSpec) => void = () => {}) => {
  const spec = fedoraSpec();
  mutate(spec);
  return [...fedoraResources(spec), ...edgeResources()];
};
const MASTER_KEY = "sk-5e8b1d4a7c0f3e6b9d2a5c8f1e4b7a0d5e8b1d4a7c0f3e6b9d2a5c8f1e4b7a0d";

describe("no-plaintext-secrets", () => {
  metadataTests(policy, { name: "no-plaintext-secrets", enforcementLevel: "mandatory" });

  test("baseline: every secret through a secret mechanism (fedora, homelab, sealos, fly, first preview)", async () => {
    expectNoViolations(await run(policy, fedora()));
    expectNoViolations(await run(policy, asFirstPreview(fedora())));
    expectNoViolations(await run(policy, homelabResources()));
    expectNoViolations(await run(policy, sealosResources()));
    expectNoViolations(await run(policy, flyResources(flySpec())));
  });

  test("#1 a secret-named variable with a plain value in Environment=", async () => {
    const diagnostics = await run(
      policy,
      fedora((spec) => (containerOf(spec, "litellm").container.Environment = { LITELLM_SALT_KEY: "sk-plaintextSalt00000000000001" })),
    );
    expectViolations(diagnostics, policy, [
      {
        resource: "harness-file-systemd-litellm.container",
        message: /^litellm\.container: LITELLM_SALT_KEY \(Environment= in litellm\.container\) is a secret set as a plain value\.$/,
      },
    ]);
  });

  test("#2 a database URL with its password in plain text", async () => {
    const diagnostics = await run(
      policy,
      fedora(
        (spec) =>
          (containerOf(spec, "openwebui").container.Environment!.DATABASE_URL =
            "postgres://openwebui:hunter2hunter2@openwebui-db/openwebui"),
      ),
    );
    expectViolations(diagnostics, policy, [
      { resource: "harness-file-systemd-openwebui.container", message: /DATABASE_URL .* is a URL with a password in plain text/ },
    ]);
  });

  test("#3 a delivered secret's value copied into a config file", async () => {
    const diagnostics = await run(
      policy,
      fedora((spec) => (spec.configFiles[0]!.content += `general_settings: {master_key: ${MASTER_KEY}}\n`)),
    );
    expectViolations(diagnostics, policy, [
      {
        resource: "harness-file-litellm-litellm.yaml",
        message:
          /^\.config\/harness\/litellm\/litellm\.yaml contains the value of Podman secret (paperclip-anthropic-auth-token|paperclip-openai-api-key|litellm-litellm-master-key|openwebui-openai-api-key) in plain text\.$/,
      },
    ]);
  });

  test("#4 a delivered secret's value on a container's command line", async () => {
    const diagnostics = await run(
      policy,
      fedora((spec) => (containerOf(spec, "litellm").container.Exec = ["--config", "/app/config.yaml", "--master-key", MASTER_KEY])),
    );
    expectViolations(diagnostics, policy, [
      {
        resource: "harness-file-systemd-litellm.container",
        message: /^\.config\/containers\/systemd\/litellm\.container contains the value of Podman secret/,
      },
    ]);
  });

  test("#5 a Kubernetes env value named like a secret", async () => {
    const resources = homelabResources();
    (named(resources, "paperclip").properties.spec as any).template.spec.containers[0].env.push({
      name: "PAPERCLIP_AGENT_JWT_SECRET",
      value: "jwtSecretInTheManifest0000000001",
    });
    expectViolations(await run(policy, resources), policy, [
      {
        resource: "paperclip",
        message: /PAPERCLIP_AGENT_JWT_SECRET \(env of Deployment paperclip \(container paperclip\)\) is a secret set as a plain value/,
      },
    ]);
  });

  test("#6 a Secret's value copied into a ConfigMap", async () => {
    const resources = homelabResources();
    resources.push(
      resource(K8S.configMap, "paperclip-config", {
        metadata: { name: "paperclip-config" },
        data: { "config.json": '{"auth": {"secret": "a3f1c9e5b7d2048e6c1a9f3b5d7e0c2a4f6b8d1e3c5a7f9b0d2e4c6a8f1b3d5e"}}' },
      }),
    );
    expectViolations(await run(policy, resources), policy, [
      {
        resource: "paperclip-config",
        message:
          /^ConfigMap paperclip-config key config\.json contains the value of Secret paperclip-auth key BETTER_AUTH_SECRET in plain text\.$/,
      },
    ]);
  });

  test("#7 a secret in fly.toml's [env]", async () => {
    const spec = flySpec();
    spec.toml = spec.toml.replace(
      "[env]",
      '[env]\n  PAPERCLIP_AGENT_JWT_SECRET = "4e7a1d0c3f6b9e2a5d8c1f4b7e0a3d6c9f2b5e8a1d4c7f0b3e6a9d2c5f8b1e4a"',
    );
    expectViolations(await run(policy, flyResources(spec)), policy, [
      { resource: "fly-deploy", message: /PAPERCLIP_AGENT_JWT_SECRET \(\[env\] of fly\.toml .*\) is a secret set as a plain value/ },
      {
        resource: "fly-deploy",
        message:
          /^fly\.toml \(create \(here-document\) of fly-deploy\) contains the value of Fly secret PAPERCLIP_AGENT_JWT_SECRET in plain text\.$/,
      },
      { resource: "fly-deploy", message: /^the create command of fly-deploy contains the value of Fly secret PAPERCLIP_AGENT_JWT_SECRET/ },
      { resource: "fly-deploy", message: /^the update command of fly-deploy contains the value of Fly secret PAPERCLIP_AGENT_JWT_SECRET/ },
    ]);
  });

  test("#8 flyctl secrets set with the value on the command line", async () => {
    const resources = flyResources(flySpec());
    named(resources, "fly-secrets").properties.create =
      "flyctl secrets set --stage DATABASE_PASSWORD=plainOnTheCommandLine01 --app sodimo-paperclip\n";
    expectViolations(await run(policy, resources), policy, [
      {
        resource: "fly-deploy",
        message: /DATABASE_PASSWORD \(flyctl secrets set on the command line of fly-secrets\) is a secret set as a plain value/,
      },
    ]);
  });

  test("#9 a host service's env file written world-readable (0644) is plain text", async () => {
    const diagnostics = await run(
      policy,
      fedora((spec) => (spec.configFiles.find((f) => f.path.endsWith("drain.env"))!.mode = "0644")),
    );
    expectViolations(diagnostics, policy, [
      {
        resource: "harness-file-user-email-drain.service",
        message:
          /^email-drain\.service: CLOUDFLARE_API_TOKEN \(%h\/\.config\/harness\/email-drain\/drain\.env \(EnvironmentFile= of email-drain\.service\)\) is a secret set as a plain value\.$/,
      },
    ]);
  });

  test("#10 a secret file's value copied into a unit", async () => {
    const diagnostics = await run(
      policy,
      fedora(
        (spec) =>
          (spec.units.find((u) => u.name === "email-drain")!.service!.ExecStart = [
            "/usr/bin/drain",
            "--token",
            "cfut_fixtureQueueConsumerToken0001",
          ]),
      ),
    );
    expectViolations(diagnostics, policy, [
      {
        resource: "harness-file-user-email-drain.service",
        message:
          /^\.config\/systemd\/user\/email-drain\.service contains the value of secret file \.config\/harness\/email-drain\/drain\.env \(CLOUDFLARE_API_TOKEN\) in plain text\.$/,
      },
    ]);
  });

  test("accepted: references to secrets held elsewhere ($(VAR), os.environ/VAR) and empty values", async () => {
    const resources = fedora(
      (spec) =>
        (containerOf(spec, "openwebui").container.Environment = {
          ...containerOf(spec, "openwebui").container.Environment,
          DATABASE_PASSWORD: "os.environ/DB_PASSWORD",
          AUDIO_STT_OPENAI_API_KEY: "",
        }),
    );
    expectNoViolations(await run(policy, resources));
  });

  test("policy config: notSecretVariables exempts a secret-looking name that holds none", async () => {
    const resources = fedora((spec) => (containerOf(spec, "paperclip").container.Environment!.PAPERCLIP_AGENT_JWT_TOKEN_TTL = "172800"));
    expectViolations(await run(policy, resources), policy, [
      { resource: "harness-file-systemd-paperclip.container", message: /PAPERCLIP_AGENT_JWT_TOKEN_TTL/ },
    ]);
    expectNoViolations(
      await run(policy, resources, {
        notSecretVariables: [{ name: "PAPERCLIP_AGENT_JWT_TOKEN_TTL", reason: "A lifetime in seconds, not a token." }],
      }),
    );
  });
});
