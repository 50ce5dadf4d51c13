import { describe, expect, test } from "vitest";
import { expandedLines, isSite, sourceGuardOf, topLevelBlocks } from "../lib/caddyfile";
import { edgeResources } from "../testing/edgeFixture";
import { containerOf, fedoraResources, segmentedFedoraSpec, type FedoraSpec } from "../testing/fedoraFixture";
import { homelabResources } from "../testing/kubernetesFixture";
import { expectNoViolations, expectViolations, metadataTests, run } from "../testing/policyTests";
import { asFirstPreview } from "../testing/wire";
import { edgeRoutesOnlyTheTunnel as policy } from "./edgeRoutesOnlyTheTunnel";

const fedora = (mutate: (spec: FedoraSpec) => void = () => {}) => {
  const spec = segmentedFedoraSpec();
  mutate(spec);
  return [...fedoraResources(spec), ...edgeResources()];
};
const caddyfileOf = (spec: FedoraSpec) => spec.configFiles.find((f) => f.path.endsWith("Caddyfile"))!;
const CADDY = "harness-file-systemd-caddy.container";

describe("edge-routes-only-the-tunnel", () => {
  metadataTests(policy, { name: "edge-routes-only-the-tunnel", enforcementLevel: "mandatory" });

  test("baseline: every routing site imports the snippet that admits Caddy's fixed addresses only", async () => {
    expectNoViolations(await run(policy, fedora()));
    expectNoViolations(await run(policy, asFirstPreview(fedora())));
  });

  test("#1 a site without the source check", async () => {
    const diagnostics = await run(
      policy,
      fedora((spec) => {
        const file = caddyfileOf(spec);
        file.content = file.content.replace("http://chat.example.com {\n\timport tunnel_only\n", "http://chat.example.com {\n");
      }),
    );
    expectViolations(diagnostics, policy, [
      {
        resource: CADDY,
        message: /^caddy\.container: .*Caddyfile .*site "http:\/\/chat\.example\.com" proxies without refusing other sources/,
      },
    ]);
  });

  test("#2 the snippet admits a neighbour's address (Paperclip's edge network)", async () => {
    const diagnostics = await run(
      policy,
      fedora((spec) => {
        const file = caddyfileOf(spec);
        file.content = file.content.replace("not remote_ip ", "not remote_ip 10.89.0.99 ");
      }),
    );
    expect(diagnostics.length).toBe(3);
    expectViolations(
      diagnostics,
      policy,
      ["chat", "paperclip", "cockpit"].map(() => ({ resource: CADDY, message: /admits 10\.89\.0\.99, not an address of caddy/ })),
    );
  });

  test("#3 the snippet misses one of Caddy's addresses, and Caddy joins a network without a fixed one", async () => {
    const diagnostics = await run(
      policy,
      fedora((spec) => {
        const caddy = containerOf(spec, "caddy").container;
        caddy.Network = caddy.Network!.map((n) => (n.startsWith("caddy-to-cockpit.network") ? "caddy-to-cockpit.network" : n));
      }),
    );
    expectViolations(diagnostics, policy, [
      { resource: CADDY, message: /^caddy\.container: joins systemd-caddy-to-cockpit without a fixed address/ },
      ...["chat", "paperclip", "cockpit"].map(() => ({ resource: CADDY, message: /admits 10\.89\.\d+\.\d+, not an address of caddy/ })),
    ]);
  });

  test("#4 the refusal is only logged, not answered", async () => {
    const diagnostics = await run(
      policy,
      fedora((spec) => {
        const file = caddyfileOf(spec);
        file.content = file.content.replace('respond @around_tunnel "Forbidden" 403', "log");
      }),
    );
    expect(diagnostics.map((d) => d.message).every((m) => /proxies without refusing other sources/.test(m))).toBe(true);
    expect(diagnostics).toHaveLength(3);
  });

  test("#5 the snippet leaves out one of Caddy's addresses: the Tunnel would be refused at random", async () => {
    const diagnostics = await run(
      policy,
      fedora((spec) => {
        const file = caddyfileOf(spec);
        file.content = file.content.replace(/(not remote_ip \S+) \S+/, "$1");
      }),
    );
    expectViolations(
      diagnostics,
      policy,
      ["chat", "paperclip", "cockpit"].map(() => ({ resource: CADDY, message: /refuses 10\.89\.\d+\.\d+, caddy's own address/ })),
    );
  });

  test("not applicable where there is no Caddy (Kubernetes)", async () => {
    expectNoViolations(await run(policy, homelabResources()));
  });
});

describe("the Caddyfile reader", () => {
  test("blocks, snippets expanded, quotes and comments", () => {
    const text = [
      "{\n\tadmin off\n}",
      '(guard) {\n\t@m not remote_ip 10.0.0.2 10.0.0.3 # Caddy\n\trespond @m "no {way}" 403\n}',
      "http://a.example {\n\timport guard\n\treverse_proxy a:80 {\n\t\theader_up X 1\n\t}\n}",
      'http://b.example {\n\trespond "closed" 403\n\treverse_proxy b:80\n}',
      "http://c.example {\n\treverse_proxy c:80\n}",
    ].join("\n");
    const blocks = topLevelBlocks(text);
    expect(blocks.map((b) => b.label)).toEqual(["", "(guard)", "http://a.example", "http://b.example", "http://c.example"]);
    const guards = blocks.filter(isSite).map((site) => sourceGuardOf(expandedLines(site, blocks)));
    expect(guards).toEqual([{ kind: "allowed", sources: ["10.0.0.2", "10.0.0.3"] }, { kind: "all" }, { kind: "none" }]);
  });
});
