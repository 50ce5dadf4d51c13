import { describe, test } from "vitest";
import { edgeResources } from "../testing/edgeFixture";
import { containerOf, fedoraResources, fedoraSpec, type FedoraSpec } from "../testing/fedoraFixture";
import { flyResources, flySpec } from "../testing/flyFixture";
import { homelabResources } from "../testing/kubernetesFixture";
import { expectNoViolations, expectViolations, metadataTests, run } from "../testing/policyTests";
import { asFirstPreview, named } from "../testing/wire";
import { noPlaceholderSecrets as policy } from "./noPlaceholderSecrets";

const fedora = (mutate: (spec: FedoraSpec) => void = () => {}) => {
  const spec = fedoraSpec();
  mutate(spec);
  return [...fedoraResources(spec), ...edgeResources()];
};
const setSecret = (name: string, value: string) => (spec: FedoraSpec) => (spec.secrets.find((s) => s.name === name)!.value = value);

describe("no-placeholder-secrets", () => {
  metadataTests(policy, { name: "no-placeholder-secrets", enforcementLevel: "mandatory" });

  test("baseline: real values everywhere (fedora, homelab, fly, first preview)", async () => {
    expectNoViolations(await run(policy, fedora()));
    expectNoViolations(await run(policy, asFirstPreview(fedora())));
    expectNoViolations(await run(policy, homelabResources()));
    expectNoViolations(await run(policy, flyResources(flySpec())));
  });

  test("#1 a Podman secret that is CHANGEME", async () => {
    const diagnostics = await run(policy, fedora(setSecret("litellm-anthropic-api-key", "CHANGEME")));
    expectViolations(diagnostics, policy, [
      {
        resource: "harness-secret-litellm-anthropic-api-key",
        message: /^Podman secret litellm-anthropic-api-key is a placeholder, not a real secret\.$/,
      },
    ]);
  });

  test("#2 an empty Podman secret", async () => {
    const diagnostics = await run(policy, fedora(setSecret("litellm-openai-api-key", "")));
    expectViolations(diagnostics, policy, [
      {
        resource: "harness-secret-litellm-openai-api-key",
        message: /^Podman secret litellm-openai-api-key is empty, not a real secret\.$/,
      },
    ]);
  });

  test("#3 a Kubernetes Secret holding <your key>", async () => {
    const resources = homelabResources();
    (named(resources, "paperclip-auth").properties.stringData as Record<string, string>).BETTER_AUTH_SECRET = "<your better auth secret>";
    expectViolations(await run(policy, resources), policy, [
      { resource: "paperclip-auth", message: /^Secret paperclip-auth key BETTER_AUTH_SECRET is a placeholder/ },
    ]);
  });

  test("#4 a Kubernetes Secret in data (base64) holding changeme", async () => {
    const resources = homelabResources();
    const secret = named(resources, "paperclip-auth").properties;
    delete secret.stringData;
    secret.data = { BETTER_AUTH_SECRET: Buffer.from("changeme").toString("base64") };
    expectViolations(await run(policy, resources), policy, [
      { resource: "paperclip-auth", message: /^Secret paperclip-auth key BETTER_AUTH_SECRET is a placeholder/ },
    ]);
  });

  test("#5 a placeholder staged as a Fly secret", async () => {
    const spec = flySpec();
    spec.secrets.BETTER_AUTH_SECRET = "replace-me";
    expectViolations(await run(policy, flyResources(spec)), policy, [
      { resource: "fly-secrets", message: /^Fly secret BETTER_AUTH_SECRET is a placeholder/ },
    ]);
  });

  test("#6 a placeholder in a secret-named plain variable", async () => {
    const diagnostics = await run(
      policy,
      fedora((spec) => (containerOf(spec, "openwebui").container.Environment!.WEBUI_SECRET_KEY = "TODO")),
    );
    expectViolations(diagnostics, policy, [
      {
        resource: "harness-file-systemd-openwebui.container",
        message: /WEBUI_SECRET_KEY \(Environment= in openwebui\.container\) is a placeholder/,
      },
    ]);
  });

  test("#7 a placeholder password in Helm values", async () => {
    const resources = homelabResources();
    (named(resources, "postgresql").properties.values as any).auth.postgresPassword = "password";
    expectViolations(await run(policy, resources), policy, [
      { resource: "postgresql", message: /^Helm release postgresql: values\.auth\.postgresPassword is a placeholder/ },
    ]);
  });

  test("accepted: a chart value naming the key in an existing Secret (Bitnami's auth.secretKeys, existingSecret)", async () => {
    const resources = homelabResources();
    const auth = (named(resources, "postgresql").properties.values as any).auth;
    auth.existingSecret = "paperclip-db-auth";
    auth.secretKeys = { userPasswordKey: "password", adminPasswordKey: "postgres-password" };
    expectNoViolations(await run(policy, resources));
  });
});
