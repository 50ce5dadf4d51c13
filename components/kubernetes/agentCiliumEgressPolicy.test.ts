/**
 * Cilium cannot run here (no Cilium agent, no cluster): these tests check the rendered
 * CiliumNetworkPolicy against the schema subset of cilium/cilium's CRD (customResourceSchemas.ts,
 * commit 02904c9bb25567e06b55639622528a8b8c829f25) and what the `cilium` mode admits of the
 * operator's lists; test/kubernetesConfig.test.ts runs the homelab stack with `egressMode: cilium`
 * through `check`. Whether Cilium enforces it as docs/egress.md says is not tested here.
 */
import { describe, expect, it } from "vitest";
import { agentCiliumEgressPolicy, ciliumAllowList, fqdnSelectors } from "./agentCiliumEgressPolicy";
import { gatewayPeer } from "./agentEgressPolicy";
import { customResourceProblems } from "./customResourceSchemas";
import { AGENT_DEFAULT_HOSTS } from "../egress/modelProviderHosts";

const input = {
  name: "paperclip-egress-cilium",
  namespace: "paperclip-system",
  agentLabels: { app: "paperclip" },
  gateway: gatewayPeer("http://litellm.litellm.svc.cluster.local:4000"),
  database: { labels: { "app.kubernetes.io/name": "postgresql" }, port: 5432 },
  allowHosts: [".github.com", "registry.npmjs.org", "api.github.com"],
};

const WEB = [{ ports: [80, 443].map((port) => ({ port: String(port), protocol: "TCP" })) }];

describe("the agents' CiliumNetworkPolicy (egressMode cilium)", () => {
  it("renders DNS with the L7 DNS rule, the gateway, the database and the allowed names on 80 and 443", () => {
    const policy = agentCiliumEgressPolicy(input);
    expect(policy).toMatchSnapshot();
    expect(customResourceProblems(policy)).toEqual([]);
    // A name a listed domain already admits is not listed again.
    expect(policy.spec.egress.find((rule) => "toFQDNs" in rule)).toEqual({
      toFQDNs: [{ matchName: "github.com" }, { matchPattern: "**.github.com" }, { matchName: "registry.npmjs.org" }],
      toPorts: WEB,
    });
  });

  it("reaches a gateway outside the cluster by name on its own port, and a gateway address by CIDR", () => {
    const byName = agentCiliumEgressPolicy({ ...input, gateway: gatewayPeer("https://llm.sodimo.eu"), allowHosts: [] });
    expect(byName.spec.egress).toContainEqual({
      toFQDNs: [{ matchName: "llm.sodimo.eu" }],
      toPorts: [{ ports: [{ port: "443", protocol: "TCP" }] }],
    });
    const byAddress = agentCiliumEgressPolicy({ ...input, gateway: gatewayPeer("http://192.168.55.20:4000"), allowHosts: [] });
    expect(byAddress.spec.egress).toContainEqual({
      toCIDR: ["192.168.55.20/32"],
      toPorts: [{ ports: [{ port: "4000", protocol: "TCP" }] }],
    });
    // No names allowed: no toFQDNs rule at all (an empty one would be refused by nothing, and mean nothing).
    expect(byAddress.spec.egress.some((rule) => "toFQDNs" in rule)).toBe(false);
    expect(customResourceProblems(byName)).toEqual([]);
    expect(customResourceProblems(byAddress)).toEqual([]);
  });

  it("the schema refuses what the CRD refuses: both matchName and matchPattern, an unknown entity or field, two destinations", () => {
    const policy = agentCiliumEgressPolicy(input);
    const withRule = (rule: unknown) => ({ ...policy, spec: { ...policy.spec, egress: [rule] } });
    expect(
      customResourceProblems(withRule({ toFQDNs: [{ matchName: "a.example", matchPattern: "*.a.example" }] }))!.length,
    ).toBeGreaterThan(0);
    expect(customResourceProblems(withRule({ toEntities: ["internet"] }))!.join("\n")).toContain("spec.egress.0.toEntities.0");
    const typo = { ...policy, spec: { ...policy.spec, egres: [] } };
    expect(customResourceProblems(typo)!.join("\n")).toContain("undocumented field(s) egres");
    expect(customResourceProblems(withRule({ toFQDNs: fqdnSelectors("bad name!") }))!.join("\n")).toContain("spec.egress.0.toFQDNs.0");
    expect(customResourceProblems(withRule({ toCIDR: ["192.168.55.20"] }))!.join("\n")).toContain("spec.egress.0.toCIDR.0");
    expect(customResourceProblems(withRule({ toEndpoints: [{}], toFQDNs: [{ matchName: "a.example" }] }))!.join("\n")).toContain(
      "one destination field a rule",
    );
  });
});

describe("what the cilium mode admits of the operator's lists", () => {
  it("admits the agents' default hosts and the operator's names", () => {
    const { hosts, problems } = ciliumAllowList(["git.internal.example", ".pkg.example"], []);
    expect(problems).toEqual([]);
    expect(hosts).toEqual([...AGENT_DEFAULT_HOSTS, "git.internal.example", ".pkg.example"].sort());
  });

  it("refuses an allowed entry that admits a model provider's host, whatever the proxy would do with it", () => {
    const allow = [
      "api.anthropic.com",
      // The proxy's allow-list reopens a host the shipped list refuses; nothing here would refuse it again.
      "docs.anthropic.com",
      ".com",
      "bedrock-runtime.us-east-1.amazonaws.com",
      ".amazonaws.com",
      ".us-east-1.amazonaws.com",
      "us-central1-aiplatform.googleapis.com",
      ".googleapis.com",
      // Names: judged exactly, so the rest of the clouds can be listed host by host.
      "storage.googleapis.com",
      "s3.eu-west-3.amazonaws.com",
      "huggingface.co",
    ];
    const { problems } = ciliumAllowList(allow, []);
    expect(problems.map((p) => [p.index, p.reason === "model-provider" ? p.provider : p.reason])).toEqual([
      [0, "Anthropic"],
      [1, "Anthropic"],
      [2, "Anthropic"],
      [3, "AWS Bedrock"],
      [4, "AWS Bedrock"],
      [5, "AWS Bedrock"],
      [6, "Google Gemini / Vertex AI"],
      [7, "Google Gemini / Vertex AI"],
    ]);
  });

  it("refuses a host on both lists, and a denied name it could not refuse inside an allowed domain", () => {
    const { problems } = ciliumAllowList(
      [".pastebin.com", ".corp.example"],
      [".pastebin.com", "raw.githubusercontent.com", "x.corp.example"],
    );
    expect(problems).toEqual([
      { list: "egressAllowHosts", index: 0, host: ".pastebin.com", reason: "on-both-lists" },
      {
        list: "egressDenyHosts",
        index: 1,
        host: "raw.githubusercontent.com",
        reason: "inside-allowed",
        allowedBy: ".githubusercontent.com",
        byDefault: true,
      },
      { list: "egressDenyHosts", index: 2, host: "x.corp.example", reason: "inside-allowed", allowedBy: ".corp.example", byDefault: false },
    ]);
  });

  it("a denied domain removes the default hosts in it; a name the operator allows inside it still passes, as through the proxy", () => {
    const { hosts, problems } = ciliumAllowList(["api.github.com"], [".github.com", "gitlab.com"]);
    expect(problems).toEqual([]);
    expect(hosts).not.toContain("github.com");
    expect(hosts).not.toContain("codeload.github.com");
    expect(hosts).not.toContain("gitlab.com");
    expect(hosts).toContain("api.github.com");
    expect(hosts).toContain(".githubusercontent.com");
  });
});
