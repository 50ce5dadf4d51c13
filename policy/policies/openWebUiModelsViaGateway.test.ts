import { describe, test } from "vitest";
import { edgeResources } from "../testing/edgeFixture";
import { containerOf, fedoraResources, fedoraSpec, type FedoraSpec } from "../testing/fedoraFixture";
import { expectNoViolations, expectViolations, metadataTests, run } from "../testing/policyTests";
import { asFirstPreview } from "../testing/wire";
import { openWebUiModelsViaGateway as policy } from "./openWebUiModelsViaGateway";

const OPENWEBUI = "harness-file-systemd-openwebui.container";
const fedora = (mutate: (spec: FedoraSpec) => void = () => {}) => {
  const spec = fedoraSpec();
  mutate(spec);
  return [...fedoraResources(spec), ...edgeResources()];
};
const environment = (spec: FedoraSpec) => containerOf(spec, "openwebui").container.Environment!;

describe("openwebui-models-via-gateway", () => {
  metadataTests(policy, { name: "openwebui-models-via-gateway", enforcementLevel: "mandatory" });

  test("baseline: OpenWebUI's OpenAI connection is LiteLLM, Ollama disabled", async () => {
    expectNoViolations(await run(policy, fedora()));
    expectNoViolations(await run(policy, asFirstPreview(fedora())));
  });

  test("#1 no OpenAI base URL (OpenWebUI's default is api.openai.com)", async () => {
    const diagnostics = await run(
      policy,
      fedora((spec) => delete environment(spec).OPENAI_API_BASE_URL),
    );
    expectViolations(diagnostics, policy, [
      {
        resource: OPENWEBUI,
        message: /^openwebui\.container: OPENAI_API_BASE_URL is not set, so OpenWebUI's OpenAI connection defaults to api\.openai\.com/,
      },
    ]);
  });

  test("#2 llama-swap as a second OpenAI connection", async () => {
    const diagnostics = await run(
      policy,
      fedora((spec) => {
        delete environment(spec).OPENAI_API_BASE_URL;
        environment(spec).OPENAI_API_BASE_URLS = "http://litellm:4000;http://llama-swap:8080/v1";
      }),
    );
    expectViolations(diagnostics, policy, [
      {
        resource: OPENWEBUI,
        message: /OPENAI_API_BASE_URLS=http:\/\/litellm:4000;http:\/\/llama-swap:8080\/v1 .* is a model backend other than the gateway/,
      },
    ]);
  });

  test("#3 an Ollama backend left enabled", async () => {
    const diagnostics = await run(
      policy,
      fedora((spec) => {
        delete environment(spec).ENABLE_OLLAMA_API;
        environment(spec).OLLAMA_BASE_URL = "http://llama-swap:8080";
      }),
    );
    expectViolations(diagnostics, policy, [
      { resource: OPENWEBUI, message: /OLLAMA_BASE_URL=http:\/\/llama-swap:8080 adds an Ollama backend beside the gateway/ },
    ]);
  });

  test("#4 a feature's own model URL (RAG embeddings) at a provider", async () => {
    const diagnostics = await run(
      policy,
      fedora((spec) => (environment(spec).RAG_OPENAI_API_BASE_URL = "https://api.openai.com/v1")),
    );
    expectViolations(diagnostics, policy, [
      {
        resource: OPENWEBUI,
        message: /RAG_OPENAI_API_BASE_URL=https:\/\/api\.openai\.com\/v1 .* is a model backend other than the gateway/,
      },
    ]);
  });

  test("#5 the model URL from a secret, which no policy can see", async () => {
    const diagnostics = await run(
      policy,
      fedora((spec) => {
        delete environment(spec).OPENAI_API_BASE_URL;
        containerOf(spec, "openwebui").container.Secret!.push({ name: "openwebui-url", type: "env", target: "OPENAI_API_BASE_URL" });
        spec.secrets.push({ name: "openwebui-url", value: "http://litellm:4000" });
      }),
    );
    expectViolations(diagnostics, policy, [{ resource: OPENWEBUI, message: /OPENAI_API_BASE_URL comes from Podman secret openwebui-url/ }]);
  });

  test("accepted: an Ollama URL with the Ollama backend disabled", async () => {
    expectNoViolations(
      await run(
        policy,
        fedora((spec) => (environment(spec).OLLAMA_BASE_URL = "http://localhost:11434")),
      ),
    );
  });

  test("accepted: a database URL from a secret is not a model URL", async () => {
    expectNoViolations(
      await run(
        policy,
        fedora((spec) => {
          containerOf(spec, "openwebui").container.Secret!.push({ name: "openwebui-database-url", type: "env", target: "DATABASE_URL" });
          spec.secrets.push({ name: "openwebui-database-url", value: "postgres://openwebui:x@openwebui-db:5432/openwebui" });
        }),
      ),
    );
  });
});
