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
import { containers, type FedoraRecording, P, quadlet, recordFedora, unitValues } from "./support/fedoraStack";

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
const networksOf = (name: string) => unitValues(units.get(name)!, "Network");

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
