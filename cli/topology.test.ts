import { readFileSync } from "node:fs";
import { join } from "node:path";
import { JSDOM } from "jsdom";
import { beforeAll, describe, expect, it } from "vitest";
import { CATALOG } from "../infra/catalog";
import type { ServiceDefinition } from "../infra/catalog/types";
import { planFedora } from "../infra/targets/fedora";
import { renderTopologyDiagram, shippedFedoraConfig, TOPOLOGY_DOCUMENT } from "./topology";

const ROOT = join(__dirname, "..");

/** Mermaid's own parser (the one GitHub's renderer runs), given the DOM its sanitizer needs. */
let parseMermaid: (text: string) => Promise<unknown>;
beforeAll(async () => {
  const { window } = new JSDOM("");
  (globalThis as { window?: unknown }).window = window;
  const { default: mermaid } = await import("mermaid");
  parseMermaid = (text) => mermaid.parse(text);
});

function diagramOf(markdown: string): string {
  const match = /```mermaid\n([\s\S]*?)\n```/.exec(markdown);
  expect(match, "docs/topology.md has a mermaid block").not.toBeNull();
  return match![1]!;
}

const config = shippedFedoraConfig(ROOT);

/** A routed service more: what a contributor adds by adding one catalogue file. */
const whoami: ServiceDefinition = () => ({
  name: "whoami",
  description: "HTTP echo service",
  image: "docker.io/traefik/whoami:v1.11.0",
  ports: [{ container: 80, posture: "cloudflared" }],
  route: { subdomain: "whoami", upstream: { port: 80 } },
  env: { UPSTREAM: "http://litellm:4000" },
  reaches: ["litellm"],
  restart: "always",
});

describe("the topology picture (docs/topology.md)", () => {
  it("is a flowchart Mermaid's parser accepts", async () => {
    const diagram = diagramOf(readFileSync(join(ROOT, TOPOLOGY_DOCUMENT), "utf8"));
    await expect(parseMermaid(diagram)).resolves.toMatchObject({ diagramType: "flowchart-v2" });
  });

  it("is checked by a parser that rejects a broken diagram", async () => {
    await expect(parseMermaid('flowchart LR\n  a["unclosed --> b')).rejects.toThrow(/Parse error/);
  });

  it("draws every public route, network and Principle 3 pathway of the plan", () => {
    const diagram = renderTopologyDiagram(planFedora(config));
    expect(diagram).toContain('svc_caddy -->|"chat.sodimo.eu → :8080"| svc_openwebui');
    expect(diagram).toContain('subgraph net_internal["no route out: Internal edge networks to what it reaches, and from what reaches it"]');
    expect(diagram).toContain('svc_paperclip ==>|":4000"| svc_litellm');
    expect(diagram).toContain('svc_litellm ==>|":8080"| svc_llama_swap');
    expect(diagram).toContain('svc_litellm ==>|"ANTHROPIC_API_KEY, OPENAI_API_KEY"| providers');
    expect(diagram).toContain('cf_outbox ==>|"pull"| svc_email_drain');
    expect(diagram).toContain('svc_email_drain ==>|"sendmail (podman exec)"| svc_postfix');
    // Paperclip holds the gateway's key, not a provider's: no edge from it to the providers.
    expect(diagram).not.toMatch(/svc_paperclip \S+\|[^|]*\| providers/);
    expect(diagram).not.toContain("svc_piler");
  });

  it("follows the catalogue: a service more is a node, a route and its connections, with nothing else edited", async () => {
    const plan = planFedora(config, { definitions: [...CATALOG, whoami] });
    const diagram = renderTopologyDiagram(plan);
    expect(diagram).toContain('svc_caddy -->|"whoami.sodimo.eu → :80"| svc_whoami');
    expect(diagram).toContain('cf_access -->|"6 hostnames"| cf_tunnel');
    // Not an agent runtime: its call to the gateway is a plain connection, not a Principle 3 pathway.
    expect(diagram).toContain('svc_whoami -.->|":4000"| svc_litellm');
    await expect(parseMermaid(diagram)).resolves.toMatchObject({ diagramType: "flowchart-v2" });
  });
});
