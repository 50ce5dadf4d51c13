import { describe, expect, test } from "vitest";
import { edgeResources } from "../testing/edgeFixture";
import { containerOf, fedoraResources, segmentedFedoraSpec, type FedoraSpec } from "../testing/fedoraFixture";
import { flyResources, flySpec } from "../testing/flyFixture";
import { homelabResources, K8S, sealosResources } from "../testing/kubernetesFixture";
import { expectNoViolations, expectViolations, metadataTests, run } from "../testing/policyTests";
import { asFirstPreview, resource } from "../testing/wire";
import { agentCiliumEgressPolicy } from "../../components/kubernetes/agentCiliumEgressPolicy";
import { gatewayPeer } from "../../components/kubernetes/agentEgressPolicy";
import type { AnalyzerResource } from "../runAnalyzer";
import { analyzeStackReport, policyConfigProblems } from "../runAnalyzer";
import { agentRuntimeBehindEgressBoundary as policy } from "./agentRuntimeBehindEgressBoundary";

const fedora = (mutate: (spec: FedoraSpec) => void = () => {}) => {
  const spec = segmentedFedoraSpec();
  mutate(spec);
  return [...fedoraResources(spec), ...edgeResources()];
};

const PAPERCLIP_UNIT = "harness-file-systemd-paperclip.container";
const env = (spec: FedoraSpec) => containerOf(spec, "paperclip").container.Environment!;

/** The homelab fixture with its NetworkPolicy's props changed. */
function homelab(mutate: (spec: Record<string, unknown>) => void): AnalyzerResource[] {
  return homelabResources().map((r) => {
    if (r.type !== K8S.networkPolicy) return r;
    const copy = structuredClone(r);
    mutate((copy.properties as { spec: Record<string, unknown> }).spec);
    return copy;
  });
}

const CILIUM_NETWORK_POLICY = "kubernetes:cilium.io/v2:CiliumNetworkPolicy";

/**
 * The homelab fixture in egressMode cilium, as infra/targets/homelab.ts renders it: no egress proxy,
 * no proxy variables on Paperclip, no NetworkPolicy peer for the proxy, and the CiliumNetworkPolicy
 * from the program's own renderer, its spec changed by `mutate`.
 */
function homelabCilium(mutate: (spec: { egress: unknown[]; endpointSelector: unknown }) => void = () => {}): AnalyzerResource[] {
  const proxyVariables = new Set(["HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY"]);
  const resources = homelabResources()
    .filter((r) => !(r.type === K8S.deployment && r.name === "egress-proxy"))
    .map((r) => {
      if (r.type === K8S.networkPolicy) {
        const copy = structuredClone(r);
        const spec = (copy.properties as { spec: { egress: { to: unknown[] }[] } }).spec;
        spec.egress = spec.egress.filter((rule) => !JSON.stringify(rule.to).includes("egress-proxy"));
        return copy;
      }
      if (r.type !== K8S.deployment || r.name !== "paperclip") return r;
      const copy = structuredClone(r);
      const spec = (copy.properties as { spec: { template: { spec: { containers: { env: { name: string }[] }[] } } } }).spec;
      for (const c of spec.template.spec.containers) c.env = c.env.filter((e) => !proxyVariables.has(e.name));
      return copy;
    });
  const cnp = agentCiliumEgressPolicy({
    name: "paperclip-egress-cilium",
    namespace: "paperclip-system",
    agentLabels: { app: "paperclip" },
    gateway: gatewayPeer("http://litellm.ai.svc.cluster.local:4000"),
    database: { labels: { "app.kubernetes.io/name": "postgresql" }, port: 5432 },
    allowHosts: [".github.com"],
  });
  const copy = structuredClone(cnp) as unknown as { spec: { egress: unknown[]; endpointSelector: unknown } };
  mutate(copy.spec);
  return [...resources, resource(CILIUM_NETWORK_POLICY, "paperclip-egress-cilium", copy)];
}

describe("agent-runtime-behind-egress-boundary", () => {
  metadataTests(policy, { name: "agent-runtime-behind-egress-boundary", enforcementLevel: "mandatory" });

  test("baseline fedora: Paperclip on Internal edges only, its proxy variables at the egress proxy", async () => {
    expectNoViolations(await run(policy, fedora()));
    expectNoViolations(await run(policy, asFirstPreview(fedora())));
  });

  test("baseline homelab: a NetworkPolicy names the pod's peers, the proxy variables are set", async () => {
    expectNoViolations(await run(policy, homelabResources()));
    expectNoViolations(await run(policy, asFirstPreview(homelabResources())));
  });

  test("sealos opts out with a reason in its policy config; without it, it is judged", async () => {
    const reason = "Sealos's network plugin is the platform's, not this stack's.";
    expectNoViolations(await run(policy, sealosResources(), { unboundedAgentRuntimes: [{ name: "*", reason }] }));
    const diagnostics = await run(policy, sealosResources());
    expect(diagnostics.map((d) => d.message)).toContainEqual(
      expect.stringMatching(/no NetworkPolicy with policyTypes \[Egress\] selects its pods/),
    );
  });

  test("an opt-out without a reason, or with a token one, is a configuration error", () => {
    expect(policyConfigProblems([policy], { [policy.name]: { unboundedAgentRuntimes: [{ name: "*" }] } })).toEqual([
      expect.stringMatching(/^agent-runtime-behind-egress-boundary\.unboundedAgentRuntimes\[0\]: missing reason$/),
    ]);
    expect(policyConfigProblems([policy], { [policy.name]: { unboundedAgentRuntimes: [{ name: "*", reason: "short" }] } })).toHaveLength(1);
  });

  test("fly: not applicable, with the reason", async () => {
    const { notApplicable, diagnostics } = await analyzeStackReport([policy], flyResources(flySpec()));
    expectNoViolations(diagnostics);
    expect(notApplicable).toEqual([{ policy: policy.name, reason: "a Fly app's egress cannot be limited (docs/egress.md)" }]);
  });

  test("#1 fedora: Paperclip on a network with a route out", async () => {
    const diagnostics = await run(
      policy,
      fedora((spec) => containerOf(spec, "paperclip").container.Network!.push("litellm-uplink.network")),
    );
    expectViolations(diagnostics, policy, [
      {
        resource: PAPERCLIP_UNIT,
        message:
          /^paperclip\.container: an agent runtime outside the egress boundary: network systemd-litellm-uplink is not Internal: it has a route out\.$/,
      },
    ]);
  });

  test("#2 fedora: Paperclip on no network (Podman's default, with a route out)", async () => {
    const diagnostics = await run(
      policy,
      fedora((spec) => delete containerOf(spec, "paperclip").container.Network),
    );
    expectViolations(diagnostics, policy, [
      { resource: PAPERCLIP_UNIT, message: /it joins no network of the stack's, so Podman's default gives it a route out\.$/ },
      {
        resource: PAPERCLIP_UNIT,
        message: /HTTP_PROXY=http:\/\/egress-proxy:3128 is not the harness's egress proxy \(none in this stack\)/,
      },
      { resource: PAPERCLIP_UNIT, message: /HTTPS_PROXY=http:\/\/egress-proxy:3128 is not the harness's egress proxy/ },
    ]);
  });

  test("#3 fedora: HTTPS_PROXY unset, HTTP_PROXY elsewhere, NO_PROXY unset", async () => {
    const diagnostics = await run(
      policy,
      fedora((spec) => {
        delete env(spec).HTTPS_PROXY;
        delete env(spec).NO_PROXY;
        env(spec).HTTP_PROXY = "http://proxy.example.com:3128";
      }),
    );
    expectViolations(diagnostics, policy, [
      {
        resource: PAPERCLIP_UNIT,
        message: /HTTP_PROXY=http:\/\/proxy\.example\.com:3128 is not the harness's egress proxy \(egress-proxy\)\.$/,
      },
      { resource: PAPERCLIP_UNIT, message: /HTTPS_PROXY is not set, so tools that honour it do not use the egress proxy\.$/ },
      { resource: PAPERCLIP_UNIT, message: /NO_PROXY is not set/ },
    ]);
  });

  test("#4 fedora: in the host's network namespace", async () => {
    const diagnostics = await run(
      policy,
      fedora((spec) => (containerOf(spec, "paperclip").container.Network = ["host"])),
    );
    expectViolations(diagnostics, policy, [
      { resource: PAPERCLIP_UNIT, message: /it runs in the host's network namespace\.$/ },
      { resource: PAPERCLIP_UNIT, message: /joins no network of the stack's/ },
      { resource: PAPERCLIP_UNIT, message: /^paperclip\.container: [^\n]*HTTP_PROXY=[^\n]*none in this stack/ },
      { resource: PAPERCLIP_UNIT, message: /HTTPS_PROXY=[^\n]*none in this stack/ },
    ]);
  });

  test("#5 fedora: a deliberate opt-out names the runtime and carries a reason", async () => {
    const open = fedora((spec) => containerOf(spec, "paperclip").container.Network!.push("litellm-uplink.network"));
    expectNoViolations(
      await run(policy, open, { unboundedAgentRuntimes: [{ name: "paperclip", reason: "a lab host with no agents yet" }] }),
    );
    expect(await run(policy, open, { unboundedAgentRuntimes: [{ name: "other", reason: "a lab host with no agents yet" }] })).toHaveLength(
      1,
    );
  });

  test("#6 homelab: the NetworkPolicy removed", async () => {
    const diagnostics = await run(
      policy,
      homelabResources().filter((r) => r.type !== K8S.networkPolicy),
    );
    expectViolations(diagnostics, policy, [
      {
        resource: "paperclip",
        message:
          /^Deployment paperclip \(container paperclip\): an agent runtime outside the egress boundary: no NetworkPolicy with policyTypes \[Egress\] selects its pods/,
      },
    ]);
  });

  test("#7 homelab: a rule open to every destination, and one to a wide address block", async () => {
    const diagnostics = await run(
      policy,
      homelab((spec) => {
        (spec.egress as unknown[]).push({ ports: [{ protocol: "TCP", port: 443 }] }, { to: [{ ipBlock: { cidr: "0.0.0.0/0" } }] });
      }),
    );
    expectViolations(diagnostics, policy, [
      { resource: "paperclip", message: /NetworkPolicy paperclip-egress allows egress by a rule with no `to` \(every destination\)\.$/ },
      {
        resource: "paperclip",
        message: /NetworkPolicy paperclip-egress allows egress by ipBlock 0\.0\.0\.0\/0 \(more than one address\)\.$/,
      },
    ]);
  });

  test("#8 homelab: a NetworkPolicy that selects other pods", async () => {
    const diagnostics = await run(
      policy,
      homelab((spec) => (spec.podSelector = { matchLabels: { app: "other" } })),
    );
    expectViolations(diagnostics, policy, [
      { resource: "paperclip", message: /no NetworkPolicy with policyTypes \[Egress\] selects its pods/ },
    ]);
  });

  test("baseline homelab egressMode cilium: a CiliumNetworkPolicy bounds the pod by name, no proxy variables needed", async () => {
    expectNoViolations(await run(policy, homelabCilium()));
    expectNoViolations(await run(policy, asFirstPreview(homelabCilium())));
  });

  test("#9 homelab cilium: the CiliumNetworkPolicy selects other pods, so the missing proxy variables count", async () => {
    const diagnostics = await run(
      policy,
      homelabCilium((spec) => (spec.endpointSelector = { matchLabels: { app: "other" } })),
    );
    expect(diagnostics.map((d) => d.message)).toContainEqual(expect.stringMatching(/HTTPS_PROXY is not set/));
  });

  test("#10 homelab cilium: rules open to world, all, 0.0.0.0/0, every name, or no destination", async () => {
    const diagnostics = await run(
      policy,
      homelabCilium((spec) => {
        spec.egress.push(
          { toEntities: ["world"] },
          { toEntities: ["all"] },
          { toCIDR: ["0.0.0.0/0"] },
          { toFQDNs: [{ matchPattern: "*" }] },
          { toPorts: [{ ports: [{ port: "443", protocol: "TCP" }] }] },
        );
      }),
    );
    const open = (what: RegExp) => ({
      resource: "paperclip",
      message: new RegExp(`CiliumNetworkPolicy paperclip-egress-cilium allows egress by ${what.source}\\.$`),
    });
    expectViolations(diagnostics, policy, [
      open(/toEntities world/),
      open(/toEntities all/),
      open(/toCIDR 0\.0\.0\.0\/0 \(more than one address\)/),
      open(/toFQDNs matchPattern \* \(every name\)/),
      open(/a rule with no destination \(every destination\)/),
    ]);
  });

  test("#11 homelab cilium: names of a model provider, a pattern wide enough to hold one, the world by its reserved label", async () => {
    const diagnostics = await run(
      policy,
      homelabCilium((spec) => {
        spec.egress.push(
          { toFQDNs: [{ matchName: "api.anthropic.com" }] },
          { toFQDNs: [{ matchPattern: "api*.openai.com" }] },
          { toFQDNs: [{ matchName: "pypi.org" }, { matchPattern: "*.com" }] },
          { toFQDNs: [{ matchName: "bedrock-runtime.eu-west-3.amazonaws.com." }] },
          { toEndpoints: [{ matchLabels: { "reserved:world": "" } }] },
        );
      }),
    );
    const open = (what: RegExp) => ({
      resource: "paperclip",
      message: new RegExp(`CiliumNetworkPolicy paperclip-egress-cilium allows egress by ${what.source}\\.$`),
    });
    expectViolations(diagnostics, policy, [
      open(/toFQDNs matchName api\.anthropic\.com \(names of Anthropic, a model provider\)/),
      open(/toFQDNs matchPattern api\*\.openai\.com \(names of OpenAI, a model provider\)/),
      open(/toFQDNs matchPattern \*\.com \(names of Anthropic, a model provider\)/),
      open(/toFQDNs matchName bedrock-runtime\.eu-west-3\.amazonaws\.com\. \(names of AWS Bedrock, a model provider\)/),
      open(/toEndpoints reserved:world \(a reserved identity, not a pod\)/),
    ]);
  });

  test("#12 homelab cilium: a CiliumNetworkPolicy that turns egress default-deny off limits nothing", async () => {
    const resources = homelabCilium((spec) => Object.assign(spec, { enableDefaultDeny: { egress: false } })).filter(
      (r) => r.type !== K8S.networkPolicy,
    );
    expectViolations(await run(policy, resources), policy, [
      { resource: "paperclip", message: /every CiliumNetworkPolicy that does sets enableDefaultDeny\.egress false/ },
      { resource: "paperclip", message: /HTTP_PROXY is not set/ },
      { resource: "paperclip", message: /HTTPS_PROXY is not set/ },
      { resource: "paperclip", message: /NO_PROXY is not set/ },
    ]);
  });
});
