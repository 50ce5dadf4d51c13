/**
 * The pack as a whole: every policy registered and tested, every target's compliant baseline clean
 * under every policy (also as a first preview, where outputs are unknown), and the pack's own
 * definitions consistent with what the program declares (without taking the program's word for them).
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { GATEWAY_KEY_ENV, GATEWAY_URL_ENV } from "../components/paperclip/paperclipSettings";
import { type CatalogContext, isHostService } from "../infra/catalog/types";
import { CATALOG } from "../infra/catalog";
import { imageRepository, isFloatingTag, parseImage } from "./lib/images";
import { POLICIES } from "./policies";
import { agentModelTrafficViaGateway } from "./policies/agentModelTrafficViaGateway";
import { agentNoProviderCredentials } from "./policies/agentNoProviderCredentials";
import { imagesPinned } from "./policies/imagesPinned";
import { analyzeStack, analyzeStackReport, policyConfigProblems, type PolicyPackConfig } from "./runAnalyzer";
import { edgeResources, outboxProducerResources } from "./testing/edgeFixture";
import { fedoraResources, segmentedFedoraSpec } from "./testing/fedoraFixture";
import { flyResources, flySpec } from "./testing/flyFixture";
import { homelabResources, sealosResources } from "./testing/kubernetesFixture";
import { expectNoViolations } from "./testing/policyTests";
import { asFirstPreview } from "./testing/wire";

const policyModules = readdirSync(join(__dirname, "policies")).filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts"));

describe("the paperclip-harness pack", () => {
  test("every policy module is registered once, under a unique name, and has its test file", () => {
    const files = readdirSync(join(__dirname, "policies"));
    expect(POLICIES).toHaveLength(policyModules.length);
    expect(new Set(POLICIES.map((p) => p.name)).size).toBe(POLICIES.length);
    for (const module of policyModules) expect(files, `${module} has no test`).toContain(module.replace(/\.ts$/, ".test.ts"));
  });

  const baselines = {
    fedora: () => [...fedoraResources(segmentedFedoraSpec()), ...edgeResources(), ...outboxProducerResources()],
    homelab: homelabResources,
    sealos: sealosResources,
    fly: () => flyResources(flySpec()),
  };
  // Each with the stack's own policy configuration where it deliberately opts out of a rule (sealos).
  const configs: Record<string, { config: PolicyPackConfig }> = {
    sealos: { config: JSON.parse(readFileSync(join(__dirname, "config/sealos.json"), "utf8")) as PolicyPackConfig },
  };
  for (const [target, resources] of Object.entries(baselines)) {
    test(`${target} baseline: zero diagnostics from the whole pack, also as a first preview`, async () => {
      expectNoViolations(await analyzeStack(POLICIES, resources(), configs[target]));
      expectNoViolations(await analyzeStack(POLICIES, asFirstPreview(resources()), configs[target]));
    });
  }

  test("a policy with nothing of its kind in the stack says so (not applicable), with the reason", async () => {
    const { notApplicable } = await analyzeStackReport(POLICIES, homelabResources());
    expect(notApplicable).toEqual([
      { policy: "openwebui-models-via-gateway", reason: "no OpenWebUI in this stack" },
      { policy: "llama-swap-only-from-gateway", reason: "no llama-swap in this stack" },
      { policy: "email-outbox-drained-by-host-only", reason: "no email_outbox queue in this stack" },
      { policy: "tunnel-hostnames-behind-access", reason: "no hostname served by a Cloudflare Tunnel in this stack" },
      { policy: "access-requires-identity-provider", reason: "no Access application in this stack" },
      { policy: "public-service-only-from-edge", reason: "no edge proxy routing to a container in this stack" },
      { policy: "edge-routes-only-the-tunnel", reason: "no edge proxy with a mounted configuration that routes" },
      { policy: "privileged-only-through-access", reason: "no privileged container in this stack" },
      { policy: "tunnel-ingress-ends-in-404", reason: "no Cloudflare Tunnel in this stack" },
    ]);
  });

  test("the program's gateway-key variables are ones the pack accepts, with their base URLs required", () => {
    const accepted = agentNoProviderCredentials.configSchema!.properties.gatewayKeyVariables!.default as Record<string, string[]>;
    const required = agentModelTrafficViaGateway.configSchema!.properties.requiredBaseUrlVariables!.default as string[];
    for (const variable of GATEWAY_KEY_ENV) expect(Object.keys(accepted)).toContain(variable);
    for (const variable of GATEWAY_URL_ENV) expect(required).toContain(variable);
    expect(GATEWAY_KEY_ENV.every((key) => accepted[key]!.some((base) => (GATEWAY_URL_ENV as readonly string[]).includes(base)))).toBe(true);
  });

  test("a catalogue image floats exactly when its entry gives a reason, and the pack or the fedora stack's policy config allow-lists it", () => {
    const defaults = imagesPinned.configSchema!.properties.floatingTagAllowList!.default as { image: string }[];
    const fedoraConfig = JSON.parse(readFileSync(join(__dirname, "config/fedora.json"), "utf8")) as Record<
      string,
      { floatingTagAllowList?: { image: string }[] }
    >;
    const allowed = [...defaults, ...(fedoraConfig["images-pinned"]?.floatingTagAllowList ?? [])].map((a) => a.image);
    const context: CatalogContext = {
      domain: "example.com",
      networkName: "harness",
      hostname: (s: string) => `${s}.example.com`,
      routes: [],
      enabledServices: new Set<string>(),
      addressesOf: () => [],
      operatorKeys: new Set<string>(),
      settings: { mailDomains: ["example.com"], mailHostname: "mail.example.com", pilerTransparencyNoticeConfirmed: true },
      hostPrograms: {},
    };
    for (const service of CATALOG.map((definition) => definition(context))) {
      if (isHostService(service)) continue;
      const image = parseImage(service.image);
      const floats = image?.digest === undefined && image?.tag !== undefined && isFloatingTag(image.tag, []);
      expect(floats, `${service.name}: ${service.image}`).toBe(service.floatingTagReason !== undefined);
      if (floats) expect(allowed, service.name).toContain(imageRepository(service.image));
    }
  });

  test("policy configuration is checked like the CLI checks --policy-pack-config", () => {
    expect(
      policyConfigProblems(POLICIES, {
        "images-pinned": "advisory",
        "paperclip-memory-limit": { enforcementLevel: "mandatory", minimumMemory: "2Gi" },
      }),
    ).toEqual([]);
    expect(policyConfigProblems(POLICIES, { "image-pinned": "advisory" })[0]).toMatch(/^image-pinned: no such policy/);
    expect(policyConfigProblems(POLICIES, { "images-pinned": "strict" })).toEqual([
      "images-pinned.enforcementLevel: expected one of advisory, mandatory, disabled, remediate",
    ]);
    expect(policyConfigProblems(POLICIES, { "images-pinned": { floatingTagAllowList: [{ image: "quay.io/x/y" }] } })).toEqual([
      "images-pinned.floatingTagAllowList[0]: missing reason",
    ]);
    expect(policyConfigProblems(POLICIES, { "paperclip-memory-limit": { minimumMemory: 1024 } })).toEqual([
      "paperclip-memory-limit.minimumMemory: expected string, got integer",
    ]);
    expect(policyConfigProblems(POLICIES, { "paperclip-memory-limit": { minimumMemroy: "1Gi" } })).toEqual([
      "paperclip-memory-limit: unknown property minimumMemroy",
    ]);
  });
});

describe("the README", () => {
  test("documents every policy of the pack, with why it exists", () => {
    const readme = readFileSync(join(__dirname, "../README.md"), "utf8");
    for (const policy of POLICIES) expect(readme, policy.name).toMatch(new RegExp(`^\\| \`${policy.name}\` \\| .{40,} \\|$`, "m"));
  });
});
