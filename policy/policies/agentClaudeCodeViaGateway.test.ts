import { describe, test } from "vitest";
import { edgeResources } from "../testing/edgeFixture";
import { containerOf, fedoraResources, fedoraSpec, type FedoraSpec } from "../testing/fedoraFixture";
import { flyResources, flySpec } from "../testing/flyFixture";
import { homelabResources } from "../testing/kubernetesFixture";
import { expectNoViolations, expectViolations, metadataTests, run } from "../testing/policyTests";
import { named } from "../testing/wire";
import { agentClaudeCodeViaGateway as policy } from "./agentClaudeCodeViaGateway";

const PAPERCLIP = "harness-file-systemd-paperclip.container";
const SETTINGS = ".config/harness/paperclip/claude-managed-settings.json";
const fedora = (mutate: (spec: FedoraSpec) => void = () => {}) => {
  const spec = fedoraSpec();
  mutate(spec);
  return [...fedoraResources(spec), ...edgeResources()];
};
const withSettings = (content: string) => (spec: FedoraSpec) => (spec.configFiles.find((f) => f.path === SETTINGS)!.content = content);

describe("agent-claude-code-via-gateway", () => {
  metadataTests(policy, { name: "agent-claude-code-via-gateway", enforcementLevel: "mandatory" });

  test("baseline: fedora, homelab and fly give Claude Code the gateway and no other traffic", async () => {
    expectNoViolations(await run(policy, fedora()));
    expectNoViolations(await run(policy, homelabResources()));
    expectNoViolations(await run(policy, flyResources(flySpec())));
  });

  test("#1 no managed settings mounted", async () => {
    const resources = fedora((spec) => {
      const unit = containerOf(spec, "paperclip").container;
      unit.Volume = unit.Volume!.filter((v) => v.destination !== "/etc/claude-code/managed-settings.json");
    });
    expectViolations(await run(policy, resources), policy, [
      { resource: PAPERCLIP, message: /no Claude Code managed settings at \/etc\/claude-code\/managed-settings\.json/ },
    ]);
  });

  test("#2 the base URL of the settings is not the gateway", async () => {
    const resources = fedora(
      withSettings(
        JSON.stringify({ env: { ANTHROPIC_BASE_URL: "https://api.anthropic.com", CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1" } }),
      ),
    );
    expectViolations(await run(policy, resources), policy, [
      { resource: PAPERCLIP, message: /ANTHROPIC_BASE_URL="https:\/\/api\.anthropic\.com", not the gateway/ },
    ]);
  });

  test("#3 the other traffic left on, and no base URL while the environment routes through the gateway", async () => {
    const resources = fedora(withSettings(JSON.stringify({ env: { CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "0" } })));
    expectViolations(await run(policy, resources), policy, [
      { resource: PAPERCLIP, message: /does not set CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC to "1"/ },
      { resource: PAPERCLIP, message: /sets no ANTHROPIC_BASE_URL/ },
    ]);
  });

  test("#4 settings that are not JSON", async () => {
    expectViolations(await run(policy, fedora(withSettings("env: {}"))), policy, [{ resource: PAPERCLIP, message: /is not JSON/ }]);
  });

  test("#5 Kubernetes: the ConfigMap's file read through the pod's volume (a base URL elsewhere)", async () => {
    const resources = homelabResources();
    const configMap = named(resources, "paperclip", "kubernetes:core/v1:ConfigMap");
    (configMap.properties.data as Record<string, string>)["managed-settings.json"] = JSON.stringify({
      env: { ANTHROPIC_BASE_URL: "https://api.anthropic.com", CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1" },
    });
    expectViolations(await run(policy, resources), policy, [{ resource: "paperclip", message: /not the gateway/ }]);
  });

  test("#6 fly: the Dockerfile copies no managed settings", async () => {
    const spec = flySpec();
    spec.dockerfile = spec.dockerfile.replace(/^COPY claude-managed-settings\.json .*\n/m, "");
    expectViolations(await run(policy, flyResources(spec)), policy, [
      { resource: "fly-deploy", message: /no Claude Code managed settings/ },
    ]);
  });
});
