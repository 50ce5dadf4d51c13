import { describe, expect, it } from "vitest";
import { gatewayPeer } from "./agentEgressPolicy";
import { EGRESS_NOTICES, egressNotice, HOMELAB_CILIUM_NOTICE } from "../../cli/egressNotice";

describe("the agents' egress NetworkPolicy", () => {
  it("names the gateway as a NetworkPolicy can: a cluster Service's namespace, an address, or through the proxy", () => {
    expect(gatewayPeer("http://litellm.litellm.svc.cluster.local:4000")).toEqual({ kind: "service", namespace: "litellm", port: 4000 });
    expect(gatewayPeer("http://litellm.ai-gateway.svc")).toEqual({ kind: "service", namespace: "ai-gateway", port: 80 });
    expect(gatewayPeer("http://192.168.55.20:4000/v1")).toEqual({ kind: "address", address: "192.168.55.20", port: 4000 });
    expect(gatewayPeer("https://llm.sodimo.eu")).toEqual({ kind: "proxied", host: "llm.sodimo.eu", port: 443 });
  });

  it("check states what every target enforces", () => {
    expect(Object.keys(EGRESS_NOTICES).sort()).toEqual(["fedora", "fly", "homelab", "sealos"]);
    expect(egressNotice({ target: "sealos" })).toMatch(/^egress: NOT enforced/);
    expect(egressNotice({ target: "fly" })).toMatch(/^egress: NOT enforced/);
    expect(egressNotice({ target: "fedora" })).toMatch(/^egress: enforced/);
    expect(egressNotice({ target: "homelab", egressMode: "proxy" })).toBe(EGRESS_NOTICES.homelab);
    expect(egressNotice({ target: "homelab", egressMode: "cilium" })).toBe(HOMELAB_CILIUM_NOTICE);
    expect(egressNotice({})).toBeUndefined();
  });
});
