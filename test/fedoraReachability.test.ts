/**
 * Who can reach whom on the fedora host, read off the units the real program renders (the Network=
 * lines of every .container and the .network files they name), compared with the edges the
 * catalogue declares (docs/fedora.md §Networks). The rendered files are recorded offline; the Podman
 * runtime cannot run here, so reachability is network co-membership, not a packet sent.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { connectionsOf } from "../cli/topology";
import { planFedora, type FedoraStackPlan } from "../infra/targets/fedora";
import { fedoraConfig } from "./support/fedoraConfig";
import { containers, type FedoraRecording, hostFile, P, quadlet, recordFedora, unitValues } from "./support/fedoraStack";

const PILER = { [`${P}pilerTransparencyNoticeConfirmed`]: "true" };

let stack: FedoraRecording;
let units: Map<string, string>;
let plan: FedoraStackPlan;

beforeAll(async () => {
  stack = await recordFedora(PILER);
  units = containers(stack.artifacts);
  plan = planFedora(fedoraConfig(PILER));
});

const pair = (a: string, b: string) => [a, b].sort().join(" <-> ");
/** The .network units a container joins (`<name>.network:ip=…` carries its fixed address). */
const networksOf = (name: string) => unitValues(units.get(name)!, "Network").map((n) => n.split(":")[0]!);
/** A container's fixed address on each network it joins. */
const addressesOf = (name: string) =>
  new Map(unitValues(units.get(name)!, "Network").map((n) => [n.split(":")[0]!, /:ip=([0-9.]+)$/.exec(n)?.[1]] as const));

/** Unordered pairs of containers that share a network in the rendered units. */
function reachablePairs(): Set<string> {
  const names = [...units.keys()];
  const pairs = new Set<string>();
  for (const [i, a] of names.entries()) {
    for (const b of names.slice(i + 1)) if (networksOf(a).some((n) => networksOf(b).includes(n))) pairs.add(pair(a, b));
  }
  return pairs;
}

/** The catalogue's declared edges, as unordered pairs (a shared network lets either end connect). */
function declaredPairs(): Set<string> {
  return new Set(
    plan.catalog.services.flatMap((service) =>
      service.kind === "host" ? [] : (service.reaches ?? []).map((to) => pair(service.name, to)),
    ),
  );
}

/** What a container reaches: the other members of its networks. */
function neighbours(name: string): string[] {
  return [...units.keys()].filter((other) => other !== name && networksOf(other).some((n) => networksOf(name).includes(n))).sort();
}

describe("reachability on the fedora host", () => {
  it("is exactly the declared edges: two containers share a network only where one declares it reaches the other", () => {
    expect([...reachablePairs()].sort()).toEqual([...declaredPairs()].sort());
    expect(reachablePairs().size).toBeGreaterThan(20);
  });

  it("lets Paperclip reach only Caddy, LiteLLM, its database and the egress proxy", () => {
    expect(neighbours("paperclip")).toEqual(["caddy", "egress-proxy", "litellm", "paperclip-db"]);
    for (const target of ["openwebui", "cockpit", "twenty", "vaultwarden", "postfix", "llama-swap", "openwebui-db"]) {
      expect(neighbours("paperclip"), target).not.toContain(target);
    }
    // Every network Paperclip joins is Internal: no route out but the proxy.
    for (const network of networksOf("paperclip")) {
      const unit = quadlet(stack.artifacts, network);
      expect(unitValues(unit, "Internal"), network).toEqual(["true"]);
      expect(unitValues(unit, "Options"), network).toEqual(["isolate=true"]);
    }
  });

  it("gives each network two members at most, and a route out only to a service's own uplink", () => {
    const networkFiles = stack.artifacts.filter((a) => a.path.endsWith(".network"));
    expect(networkFiles.length).toBeGreaterThan(20);
    const subnets = networkFiles.map((a) => unitValues(a.content, "Subnet")[0]);
    expect(new Set(subnets).size).toBe(subnets.length);
    for (const file of networkFiles) {
      const name = file.path.split("/").at(-1)!;
      const members = [...units.keys()].filter((c) => networksOf(c).includes(name));
      const internal = unitValues(file.content, "Internal").includes("true");
      expect(members.length, name).toBe(internal ? 2 : 1);
      // Every network is isolated from the others: no routing between them in the rootless namespace.
      expect(unitValues(file.content, "Options"), name).toEqual(["isolate=true"]);
    }
  });

  it("puts Cockpit, privileged, on a network with Caddy alone besides its uplink, and publishes no web UI", () => {
    expect(neighbours("cockpit")).toEqual(["caddy"]);
    for (const name of ["cockpit", "openwebui", "twenty", "vaultwarden", "piler", "paperclip", "llama-swap"]) {
      expect(unitValues(units.get(name)!, "PublishPort"), name).toEqual([]);
    }
    // Each routed service meets Caddy on a network of their own.
    for (const route of plan.catalog.routes) {
      const shared = networksOf(route.service).filter((n) => networksOf("caddy").includes(n));
      expect(shared, route.service).toEqual([`sodimo-caddy-to-${route.service}.network`]);
    }
  });

  it("gives every container a fixed address of its own, inside each network's subnet", () => {
    const seen = new Set<string>();
    for (const name of units.keys()) {
      for (const [network, address] of addressesOf(name)) {
        expect(address, `${name} on ${network}`).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
        const [base, bits] = unitValues(quadlet(stack.artifacts, network), "Subnet")[0]!.split("/") as [string, string];
        const ip = (a: string) => a.split(".").reduce((acc, o) => acc * 256 + Number(o), 0);
        const offset = ip(address!) - ip(base);
        // Neither the network's own address nor its gateway (the first host), within the block.
        expect(offset, `${name} on ${network}`).toBeGreaterThanOrEqual(2);
        expect(offset, `${name} on ${network}`).toBeLessThan(2 ** (32 - Number(bits)) - 1);
        expect(seen.has(address!), address).toBe(false);
        seen.add(address!);
      }
    }
  });

  it("lets only the Tunnel reach Caddy's routes: every public site answers Caddy's own addresses alone", () => {
    const caddyfile = hostFile(stack.artifacts, ".config/harness/caddy/Caddyfile");
    const own = [...addressesOf("caddy").values()];
    expect(own).toHaveLength(networksOf("caddy").length);
    const served = /\t@around_tunnel not remote_ip ([^\n]+)\n/.exec(caddyfile)?.[1]?.split(" ");
    expect(served?.sort()).toEqual([...own].sort());
    // A neighbour on an edge network (Paperclip, and so any agent) is not among them.
    for (const neighbour of neighbours("caddy")) {
      for (const [network, address] of addressesOf(neighbour)) {
        if (networksOf("caddy").includes(network)) expect(served, `${neighbour} on ${network}`).not.toContain(address);
      }
    }
    const sites = caddyfile.split("\n\n").filter((block) => /^http:\/\/[a-z0-9-]+\.sodimo\.eu \{/m.test(block));
    expect(sites.length).toBe(plan.catalog.routes.length);
    for (const site of sites) expect(site.split("\n")[1], site).toBe("\timport tunnel_only");
  });

  it("declares every connection a service's configuration names, so none is cut off by the segmentation", () => {
    const names = new Set(plan.catalog.services.map((s) => s.name));
    const declared = declaredPairs();
    const undeclared = plan.catalog.services.flatMap((service) =>
      connectionsOf(service, names)
        .filter(({ target }) => !declared.has(pair(service.name, target)))
        .map(({ target, port }) => `${service.name} → ${target}:${port}`),
    );
    expect(undeclared).toEqual([]);
  });
});
