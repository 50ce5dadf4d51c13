/**
 * "A service is one file": in a copy of the repository, a contributor adds one catalogue file and runs
 * `npm run generate`; the offline `plan` of the fedora stack then has the service's unit, its Caddy
 * route, its Tunnel rule, its DNS record and its Access gate — and nothing but the new file and the
 * generated files changed. The real generator and the real `plan`, run as a contributor runs them.
 */
import { execFile } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { git } from "../cli/diff/revisions";
import { createProjectFixture, type ProjectFixture } from "./support/projectFixture";
import { ROOT, unitValues } from "./support/fedoraStack";

const run = promisify(execFile);
const TSX = join(ROOT, "node_modules", "tsx", "dist", "cli.mjs");

/** The whole contribution: a routed service, written the way every entry of infra/catalog is. */
const ENTRY = `import type { ServiceDefinition } from "./types";

/** An HTTP echo service (the contribution in test/addService.test.ts). */
export const whoami: ServiceDefinition = () => ({
  name: "whoami",
  description: "HTTP echo service",
  image: "docker.io/traefik/whoami:v1.11.0",
  ports: [{ container: 80, host: 8099, posture: "cloudflared", purpose: "echo" }],
  route: { subdomain: "whoami", upstream: { port: 80 } },
  restart: "always",
});
`;

let fixture: ProjectFixture;
let changed: string[];
let generated: string;
let out: string;

beforeAll(async () => {
  fixture = await createProjectFixture(ROOT);
  writeFileSync(join(fixture.dir, "infra", "catalog", "whoami.ts"), ENTRY);
  generated = (await run(process.execPath, [TSX, "cli/generate.ts"], { cwd: fixture.dir })).stdout;
  changed = (await git(fixture.dir, ["status", "--porcelain"]))
    .split("\n")
    .filter(Boolean)
    .map((line) => line.trim());
  await run(process.execPath, [TSX, "cli/main.ts", "plan", "fedora"], { cwd: fixture.dir, maxBuffer: 64 * 1024 * 1024 });
  out = join(fixture.dir, ".out", "fedora");
}, 300_000);

afterAll(() => fixture?.dispose());

const artifact = (path: string) => readFileSync(join(out, "artifacts", path), "utf8");

describe("adding a routed service", () => {
  it("is one file: the generator rewrites the index and the generated docs, nothing else changes", () => {
    expect(generated).toContain("wrote infra/catalog/index.ts");
    expect(changed.sort()).toEqual(["?? infra/catalog/whoami.ts", "M README.md", "M docs/topology.md", "M infra/catalog/index.ts"]);
    expect(readFileSync(join(fixture.dir, "README.md"), "utf8")).toMatch(
      /^\| `whoami` \| HTTP echo service \|.*\| cloudflared \| `whoami\.<domain>` \|/m,
    );
  });

  it("gets its unit", () => {
    const unit = artifact("host/.config/containers/systemd/whoami.container");
    expect(unitValues(unit, "Image")).toEqual(["docker.io/traefik/whoami:v1.11.0"]);
    expect(unitValues(unit, "PublishPort")).toEqual(["127.0.0.1:8099:80"]);
  });

  it("gets its Caddy route, its Tunnel rule, its DNS record and its Access gate", () => {
    expect(artifact("host/.config/harness/caddy/Caddyfile")).toMatch(/whoami\.sodimo\.eu[\s\S]*reverse_proxy whoami:80/);
    const tunnel = JSON.parse(artifact("cloudflare/tunnel/tunnel-config.json")) as { ingresses: { hostname?: string; service: string }[] };
    expect(tunnel.ingresses.map((rule) => rule.hostname)).toContain("whoami.sodimo.eu");
    const plan = JSON.parse(readFileSync(join(out, "plan.json"), "utf8")) as { resources: { type: string; name: string }[] };
    const names = plan.resources.map((r) => `${r.type.split(":").pop()} ${r.name}`);
    expect(names).toEqual(
      expect.arrayContaining([
        "DnsRecord tunnel-whoami-record",
        "ZeroTrustAccessApplication tunnel-whoami-access-app",
        "ZeroTrustAccessPolicy tunnel-whoami-access-policy",
      ]),
    );
  });
});
