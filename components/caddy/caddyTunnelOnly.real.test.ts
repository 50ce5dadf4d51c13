/**
 * Caddy serves the public routes to the Tunnel only, run for real: the Caddyfile the shipped fedora
 * stack renders, run by the Caddy in `.tools` (Debian's) in a private user + mount + network namespace
 * (test/support/privateNamespace.ts) that holds Caddy's own addresses and Paperclip's address on their
 * edge network, all on loopback. What Podman would do, and this test does instead:
 * - Podman's rootless port forwarding (the Tunnel's path: cloudflared → 127.0.0.1:80 on the host)
 *   connects from inside Caddy's network namespace, from one of Caddy's addresses to that same
 *   address (which one is not fixed): here, curl bound to each of Caddy's addresses in turn;
 * - a neighbour on an edge network connects from its own address: here, curl bound to Paperclip's;
 * - the upstream containers are one local sink, their names resolved to 127.0.0.1 by a private hosts
 *   file mounted over /etc/hosts; an upstream on port 80 cannot have a sink beside Caddy's own :80, so
 *   its routes are judged on the refusals only.
 * Without root or Caddy the test is skipped loudly, and FAILS when CI=true.
 */
import { readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ContainerUnit } from "../podman/unitModel";
import { planFedora, type FedoraStackPlan } from "../../infra/targets/fedora";
import { findTool } from "../../cli/validators/tools";
import { fedoraConfig } from "../../test/support/fedoraConfig";
import { PrivateNamespace, privateNamespaceUnavailableReason } from "../../test/support/privateNamespace";

const caddy = findTool("caddy");
const unavailable =
  privateNamespaceUnavailableReason() ?? (caddy === undefined ? "caddy is not installed (scripts/install-validators.sh)" : undefined);
if (unavailable !== undefined && process.env.CI !== "true")
  console.warn(`\n!!! SKIPPED: Caddy's tunnel-only routes, run for real: ${unavailable}.\n`);

/** `<name>.network:ip=<address>` lines of a container, by network unit. */
function addressesOf(plan: FedoraStackPlan, name: string): Map<string, string> {
  const unit = plan.harness.units.find((u): u is ContainerUnit => u.kind === "container" && u.name === name)!;
  return new Map(
    (unit.container.Network ?? []).flatMap((line) => {
      const match = /^([^:]+):ip=([0-9.]+)$/.exec(line);
      return match ? [[match[1]!, match[2]!] as const] : [];
    }),
  );
}

describe("Caddy's routes answer the Tunnel only (the rendered Caddyfile, run by Caddy)", { timeout: 120_000 }, () => {
  if (unavailable !== undefined) {
    if (process.env.CI === "true") it("has root and Caddy", () => expect.fail(`cannot run: ${unavailable}`));
    else it.skip(`SKIPPED LOUDLY: ${unavailable}`, () => undefined);
    return;
  }

  const plan = planFedora(fedoraConfig());
  const caddyfile = plan.catalog.services.find((s) => s.name === "caddy")!;
  const content = "configFiles" in caddyfile ? caddyfile.configFiles!.find((f) => f.name === "Caddyfile")!.content : "";
  const caddyAddresses = addressesOf(plan, "caddy");
  const edge = [...caddyAddresses.keys()].find((n) => n.endsWith("-caddy-to-paperclip.network"))!;
  const paperclipAddress = addressesOf(plan, "paperclip").get(edge)!;
  const upstreams = [...new Set(plan.catalog.routes.flatMap((r) => [r.upstream, ...(r.paths ?? []).map((p) => p.upstream)]))];
  const upstreamNames = [...new Set(upstreams.map((u) => u.split(":")[0]!))];
  const upstreamPorts = [...new Set(upstreams.map((u) => Number(u.split(":")[1])))].filter((port) => port !== 80);
  const sinkRoutes = plan.catalog.routes.filter((r) => upstreamPorts.includes(Number(r.upstream.split(":")[1])));

  let namespace: PrivateNamespace;
  let root: string;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), "caddy-tunnel-"));
    await writeFile(join(root, "Caddyfile"), content);
    await writeFile(join(root, "hosts"), `127.0.0.1 localhost ${upstreamNames.join(" ")}\n`);
    // One sink for every upstream port: it answers with the port the request reached.
    await writeFile(
      join(root, "sink.js"),
      `const http = require("node:http");
for (const port of ${JSON.stringify([...new Set(upstreamPorts)])}) {
  http.createServer((req, res) => res.end("upstream " + port + " " + req.headers.host)).listen(port, "127.0.0.1");
}
`,
    );
    namespace = await PrivateNamespace.start();
    await namespace.exec("mount", ["--bind", join(root, "hosts"), "/etc/hosts"]);
    for (const address of [...caddyAddresses.values(), paperclipAddress])
      await namespace.exec("ip", ["addr", "add", `${address}/32`, "dev", "lo"]);
    namespace.spawnDaemon(process.execPath, [join(root, "sink.js")], join(root, "sink.log"));
    namespace.spawnDaemon(
      "env",
      [
        `HOME=${root}`,
        `XDG_DATA_HOME=${root}/data`,
        `XDG_CONFIG_HOME=${root}/config`,
        caddy!,
        "run",
        "--config",
        join(root, "Caddyfile"),
        "--adapter",
        "caddyfile",
      ],
      join(root, "caddy.log"),
    );
    // Ready once Caddy answers its own health check and the sink answers.
    const logs = async () => ["sink.log", "caddy.log"].map((f) => `${f}:\n${readFileSync(join(root, f), "utf8")}`).join("\n");
    await namespace
      .exec("sh", [
        "-c",
        `for i in $(seq 1 100); do curl -fs -o /dev/null http://127.0.0.1:80/ -H 'Host: localhost' && curl -fs -o /dev/null http://127.0.0.1:${upstreamPorts[0]}/ && exit 0; sleep 0.1; done; exit 1`,
      ])
      .catch(async (error: unknown) => {
        throw new Error(`Caddy or the sink did not start:\n${await logs()}`, { cause: error });
      });
  });

  afterAll(async () => {
    await namespace?.stop();
    if (root) await rm(root, { recursive: true, force: true });
  });

  /** curl from `source` to Caddy at `target`, asking for `host`: the status and body. */
  async function ask(source: string, target: string, host: string): Promise<{ status: number; body: string }> {
    const out = await namespace.exec("curl", [
      "-sS",
      "--interface",
      source,
      "-H",
      `Host: ${host}`,
      "-w",
      "\n%{http_code}",
      `http://${target}:80/`,
    ]);
    const lines = out.split("\n");
    return { status: Number(lines.at(-1)), body: lines.slice(0, -1).join("\n") };
  }

  it("routes the Tunnel's requests, whichever of Caddy's addresses the port forwarding connects from", async () => {
    expect(caddyAddresses.size).toBeGreaterThan(3);
    expect(sinkRoutes.map((r) => r.service)).toEqual(expect.arrayContaining(["paperclip", "cockpit", "openwebui"]));
    for (const address of caddyAddresses.values()) {
      for (const route of sinkRoutes) {
        const answer = await ask(address, address, route.hostname);
        expect(answer, `${route.hostname} from ${address}`).toEqual({
          status: 200,
          body: `upstream ${route.upstream.split(":")[1]} ${route.hostname}`,
        });
      }
    }
  });

  it("refuses Paperclip's requests on their edge network: no hostname, its own included, is routed around Access", async () => {
    const caddyOnEdge = caddyAddresses.get(edge)!;
    for (const route of plan.catalog.routes) {
      const answer = await ask(paperclipAddress, caddyOnEdge, route.hostname);
      expect(answer, route.hostname).toEqual({ status: 403, body: "Forbidden: only through the Tunnel" });
    }
    const cockpit = plan.catalog.routes.find((r) => r.service === "cockpit")!;
    expect((await ask(paperclipAddress, caddyOnEdge, cockpit.hostname)).status).toBe(403);
  });
});
