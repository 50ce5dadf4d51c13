/**
 * docs/topology.md: a Mermaid picture of the `fedora` stack, drawn from what the program plans for
 * the shipped stack file (planFedora: the resolved catalogue, the harness plan's network memberships
 * and the Cloudflare edge plan), never by hand. `npm run generate` rewrites it; the generated-files
 * test fails when it is stale.
 *
 * What is drawn, and where each part comes from:
 * - networks: a box for the containers with a route out (an uplink network of their own) and one for
 *   those whose networks are all Internal (their declared edges only; docs/fedora.md §Networks);
 * - routes: every public route of the catalogue, person → Access → Tunnel → cloudflared → Caddy → service;
 * - published ports: `direct` ones from the internet, `tailscale` ones from the operator;
 * - connections: every `<service>:<port>` that a service's plain environment, the non-secret text of
 *   its secret templates or its rendered config files name (databases, caches, the gateway, llama-swap);
 * - Principle 3: the policy pack's own roles (policy/lib/roles.ts) mark the gateway pathways thick —
 *   agent runtimes and the chat UI to the gateway, the gateway to the local models and to the model
 *   providers whose keys it alone holds — and the mail pathway: the queue the drain consumes (its
 *   `provided(...)` queue ids), the drain to Postfix, and the apps that submit mail as people do.
 */
import { MAIL_SUBMITTERS } from "../infra/catalog/mail";
import { secretValuesOf, type ResolvedCatalog } from "../infra/catalog/resolveCatalog";
import { leavesOf, literalStringsOf } from "../infra/catalog/secretValue";
import type { ServiceDeclaration } from "../infra/catalog/types";
import type { ConfigValues } from "../infra/config/parse";
import { parseStackConfig } from "../infra/config/parse";
import { planFedora, type FedoraStackPlan } from "../infra/targets/fedora";
import { EDGE_PROVIDED_SECRETS } from "../infra/targets/fedora/edge";
import { DEFAULT_TUNNEL_ORIGIN } from "../components/cloudflare/tunnelIngress";
import { AGENT_RUNTIMES, GATEWAYS, LLAMA_SWAP, MAIL_SERVERS, OPEN_WEBUI, PROVIDER_CREDENTIAL_VARIABLES } from "../policy/lib/roles";
import type { RoleMatcher } from "../policy/lib/config";
import { readProjectFile, readStackSettings } from "./engine/stackSettings";

export const TOPOLOGY_DOCUMENT = "docs/topology.md";
const STACK = "fedora";

/** The shipped stack's configuration, as the offline engine hands it to the program. */
export function shippedFedoraConfig(root: string): ConfigValues {
  const settings = readStackSettings(root, readProjectFile(root), STACK);
  return parseStackConfig({ stack: STACK, values: settings.config, secretKeys: new Set(settings.secretKeys), implementedTargets: [STACK] });
}

/** A Mermaid node id: letters, digits and underscores, prefixed so no id is a keyword (`end`, `graph`). */
const id = (kind: string, name: string) => `${kind}_${name.replace(/[^A-Za-z0-9]/g, "_")}`;
/** A quoted Mermaid label: `"` and the characters Mermaid reads as markup become entities. */
const label = (text: string) => `"${text.replace(/[&"<>#]/g, (c) => `#${c.charCodeAt(0)};`)}"`;
const lines = (...parts: string[]) => `"${parts.map((p) => label(p).slice(1, -1)).join("<br/>")}"`;
const isRole = (service: ServiceDeclaration, role: RoleMatcher) => role.names.includes(service.name);

export interface TopologyEdge {
  from: string;
  to: string;
  label: string;
  kind: "route" | "pathway" | "connection";
}

/**
 * Texts of a service that may name another service by `name:port`: its plain settings and the
 * literal parts of its secrets (Paperclip names its database only inside config.json's connection string).
 */
function plainTexts(service: ServiceDeclaration): string[] {
  const texts = [...Object.values(service.env ?? {}), ...secretValuesOf(service).flatMap(literalStringsOf)];
  if (service.kind !== "host") for (const file of service.configFiles ?? []) texts.push(file.content);
  return texts;
}

/** Every `<service>:<port>` a service names, in order of first mention. */
export function connectionsOf(service: ServiceDeclaration, names: ReadonlySet<string>): { target: string; port: string }[] {
  const found = new Map<string, { target: string; port: string }>();
  for (const text of plainTexts(service)) {
    for (const match of text.matchAll(/(?<![\w.-])([a-z][a-z0-9-]*):(\d{2,5})\b/g)) {
      const [, target, port] = match as unknown as [string, string, string];
      if (target !== service.name && names.has(target)) found.set(`${target}:${port}`, { target, port });
    }
  }
  return [...found.values()];
}

/**
 * Provider credentials a service holds: a provider's variable fed from an operator-supplied secret.
 * The same variable fed the gateway's own generated key (Paperclip's OPENAI_API_KEY) is not one.
 */
function providerCredentialsOf(service: ServiceDeclaration): string[] {
  return Object.entries(service.secretEnv ?? {})
    .filter(([name, value]) => PROVIDER_CREDENTIAL_VARIABLES.includes(name) && leavesOf(value).some((leaf) => leaf.kind === "operator"))
    .map(([name]) => name);
}

function providedSecretsOf(service: ServiceDeclaration): Set<string> {
  return new Set(
    Object.values(service.secretEnv ?? {}).flatMap((value) =>
      leavesOf(value)
        .filter((leaf) => leaf.kind === "provided")
        .map((leaf) => leaf.name),
    ),
  );
}

/** The edges of the picture, derived from the plan (exported for tests). */
export function topologyEdges(catalog: ResolvedCatalog): TopologyEdge[] {
  const services = catalog.services;
  const names = new Set(services.map((s) => s.name));
  const byName = new Map(services.map((s) => [s.name, s]));
  const edges: TopologyEdge[] = [];
  const node = (name: string) => id("svc", name);

  // The Tunnel's origin is the host's loopback; the proxy is the service that publishes that port there.
  const origin = DEFAULT_TUNNEL_ORIGIN.replace(/^https?:\/\//, "");
  const originPort = Number(origin.split(":").at(-1));
  const proxy = services.find((s) => (s.ports ?? []).some((p) => p.host === originPort && p.posture !== "direct"));
  const routeUpstreams = new Set(catalog.routes.flatMap((r) => [r.upstream, ...r.paths.map((p) => p.upstream)]));
  const connector = services.find((s) => providedSecretsOf(s).has(EDGE_PROVIDED_SECRETS.tunnelToken));
  if (catalog.routes.length > 0) {
    edges.push({ from: "person", to: "cf_access", label: "https", kind: "route" });
    edges.push({ from: "cf_access", to: "cf_tunnel", label: `${catalog.routes.length} hostnames`, kind: "route" });
    if (connector) edges.push({ from: "cf_tunnel", to: node(connector.name), label: "outbound connection", kind: "route" });
    if (connector && proxy) edges.push({ from: node(connector.name), to: node(proxy.name), label: origin, kind: "route" });
  }
  for (const route of catalog.routes) {
    const port = route.upstream.split(":").at(-1)!;
    edges.push({
      from: proxy ? node(proxy.name) : "cf_tunnel",
      to: node(route.service),
      label: `${route.hostname} → :${port}`,
      kind: "route",
    });
  }

  for (const service of services) {
    const direct = (service.ports ?? []).filter((p) => p.posture === "direct" && p.host !== undefined).map((p) => p.host);
    if (direct.length > 0) edges.push({ from: "internet", to: node(service.name), label: direct.join(", "), kind: "route" });
    for (const port of (service.ports ?? []).filter((p) => p.posture === "tailscale")) {
      edges.push({ from: "operator", to: node(service.name), label: `${port.container} (tailnet, SSH tunnel)`, kind: "route" });
    }
    for (const { target, port } of connectionsOf(service, names)) {
      if (service === proxy && routeUpstreams.has(`${target}:${port}`)) continue; // drawn as its route
      const to = byName.get(target)!;
      const modelPathway =
        ((isRole(service, AGENT_RUNTIMES) || isRole(service, OPEN_WEBUI)) && isRole(to, GATEWAYS)) ||
        (isRole(service, GATEWAYS) && isRole(to, LLAMA_SWAP));
      edges.push({ from: node(service.name), to: node(target), label: `:${port}`, kind: modelPathway ? "pathway" : "connection" });
    }
    const providerKeys = providerCredentialsOf(service);
    if (providerKeys.length > 0) {
      edges.push({
        from: node(service.name),
        to: "providers",
        label: providerKeys.join(", "),
        kind: isRole(service, GATEWAYS) ? "pathway" : "connection",
      });
    }
    const provided = providedSecretsOf(service);
    if (provided.has(EDGE_PROVIDED_SECRETS.outboxQueueId)) {
      edges.push({ from: "cf_outbox", to: node(service.name), label: "pull", kind: "pathway" });
      for (const dependency of service.dependsOn ?? []) {
        if (isRole(byName.get(dependency) ?? service, MAIL_SERVERS)) {
          edges.push({ from: node(service.name), to: node(dependency), label: "sendmail (podman exec)", kind: "pathway" });
        }
      }
    }
    if (provided.has(EDGE_PROVIDED_SECRETS.deadLetterQueueId))
      edges.push({ from: node(service.name), to: "cf_dlq", label: "undeliverable", kind: "pathway" });
    if (provided.has(EDGE_PROVIDED_SECRETS.etlDatabaseId))
      edges.push({ from: node(service.name), to: "cf_d1_etl", label: "D1 API", kind: "connection" });
    const submitter = MAIL_SUBMITTERS.find((s) => s.service === service.name);
    const mailServer = services.find((s) => isRole(s, MAIL_SERVERS));
    if (submitter && mailServer)
      edges.push({
        from: node(service.name),
        to: node(mailServer.name),
        label: `submits mail, login ${submitter.login}`,
        kind: "connection",
      });
  }
  return edges;
}

function serviceLabel(service: ServiceDeclaration): string {
  const published = (service.ports ?? [])
    .filter((p) => p.host !== undefined)
    .map((p) => `${p.posture === "direct" ? "" : "127.0.0.1:"}${p.host}`);
  const kind = service.kind === "host" ? "host service" : service.schedule ? `timer ${service.schedule.onCalendar}` : undefined;
  return lines(service.name, ...(kind ? [kind] : []), ...(published.length > 0 ? [published.join(", ")] : []));
}

/** The Mermaid flowchart of a planned fedora stack. */
export function renderTopologyDiagram(plan: FedoraStackPlan): string {
  const { catalog, edge } = plan;
  const out: string[] = ["flowchart LR"];
  const edges = topologyEdges(catalog);
  const used = new Set(edges.flatMap((e) => [e.from, e.to]));

  out.push(`  person([${label("a person's browser")}])`);
  if (used.has("internet")) out.push(`  internet([${label("the internet: mail clients and servers")}])`);
  if (used.has("operator")) out.push(`  operator([${label("the operator, over the tailnet")}])`);
  if (used.has("providers")) out.push(`  providers([${label("model providers' APIs")}])`);

  out.push(`  subgraph cloudflare[${label("Cloudflare")}]`);
  out.push(
    `    cf_access{{${lines("Access", edge.emailDomains.length > 0 ? `identities of ${edge.emailDomains.join(", ")}` : "the company's identity provider")}}}`,
  );
  out.push(`    cf_tunnel[${lines(`Tunnel ${edge.tunnelName}`, "unknown hostnames: 404")}]`);
  out.push(`    cf_outbox[(${label("Queue email_outbox")})]`);
  out.push(`    cf_dlq[(${label("Queue email_dlq")})]`);
  out.push(`    cf_worker[${lines(`Worker ${edge.workerScriptName}`, `weekly summary to ${edge.deadLetterSummary.to}`)}]`);
  for (const database of edge.databases)
    out.push(
      `    ${id("cf_d1", database.role)}[(${lines(`D1 ${database.databaseName}`, database.role === "ledger" ? "the run ledger" : "the nightly ETL's data")})]`,
    );
  out.push("  end");

  out.push(`  subgraph host[${label(`the Fedora host: rootless Podman, ${plan.harness.targetUnit}`)}]`);
  const groups = new Map<string, ServiceDeclaration[]>();
  for (const service of catalog.services) {
    const networks = plan.harness.memberships.get(service.name) ?? [];
    const uplink = networks.some((n) => n.endsWith("-uplink"));
    const key = service.kind === "host" ? "host" : networks.length === 0 ? "default" : uplink ? "uplink" : "internal";
    groups.set(key, [...(groups.get(key) ?? []), service]);
  }
  for (const [key, members] of groups) {
    const title =
      key === "host"
        ? "systemd user services on the host"
        : key === "default"
          ? "Podman's default network (the internet only)"
          : key === "uplink"
            ? "a route out: an uplink network of its own, Internal edge networks to what it reaches"
            : "no route out: Internal edge networks to what it reaches, and from what reaches it";
    out.push(`    subgraph ${id("net", key)}[${label(title)}]`);
    for (const service of members) out.push(`      ${id("svc", service.name)}[${serviceLabel(service)}]`);
    out.push("    end");
  }
  out.push("  end");

  // The dead-letter Worker's bindings, as deployCloudflareEdge wires them (infra/targets/fedora/edge.ts).
  out.push(`  cf_dlq -->|${label("consumes")}| cf_worker`);
  if (edge.databases.some((d) => d.role === "ledger")) out.push(`  cf_worker -.->|${label("dead_letters")}| cf_d1_ledger`);
  out.push(`  cf_worker ==>|${label(`weekly summary, from ${edge.deadLetterSummary.from}`)}| cf_outbox`);
  for (const e of edges) {
    const arrow = e.kind === "pathway" ? "==>" : e.kind === "route" ? "-->" : "-.->";
    out.push(`  ${e.from} ${arrow}|${label(e.label)}| ${e.to}`);
  }
  return out.join("\n");
}

/** Facts about Principle 3 read off the same plan, stated under the picture. */
function principleThreeFacts(plan: FedoraStackPlan): string[] {
  const services = plan.catalog.services;
  const networks = (service: ServiceDeclaration) => plan.harness.memberships.get(service.name) ?? [];
  const named = (list: readonly ServiceDeclaration[]) => (list.length > 0 ? list.map((s) => `\`${s.name}\``).join(", ") : "none");
  const networkList = (names: readonly string[]) => (names.length > 0 ? names.map((n) => `\`${n}\``).join(", ") : "none");
  const agents = services.filter((s) => isRole(s, AGENT_RUNTIMES));
  const mailServers = services.filter((s) => isRole(s, MAIL_SERVERS));
  const shared = [...new Set(agents.flatMap(networks))].filter((role) => mailServers.some((m) => networks(m).includes(role)));
  const localModels = services.filter((s) => isRole(s, LLAMA_SWAP));
  const modelNeighbours = services.filter(
    (s) => !isRole(s, LLAMA_SWAP) && localModels.some((m) => networks(m).some((role) => networks(s).includes(role))),
  );
  const keyHolders = services.filter((s) => providerCredentialsOf(s).length > 0);
  return [
    `- Agent runtimes (${named(agents)}) join ${networkList([...new Set(agents.flatMap(networks))])}; the mail server (${named(mailServers)}) joins ${networkList([...new Set(mailServers.flatMap(networks))])}. Networks they share: ${networkList(shared)}.`,
    `- Containers that share a network with the local models (${named(localModels)}): ${named(modelNeighbours)}.`,
    `- Services holding a model provider's credential: ${named(keyHolders)}.`,
    `- Public hostnames: ${plan.edge.hostnames.length}, each with its Access application, proxied CNAME and Tunnel ingress rule.`,
  ];
}

/** The whole of docs/topology.md for the shipped fedora stack. */
export function renderTopologyDocument(root: string): string {
  const config = shippedFedoraConfig(root);
  const plan = planFedora(config);
  return [
    "<!-- Generated by `npm run generate` (cli/topology.ts) from the plan of stacks/Pulumi.fedora.yaml; do not edit. -->",
    "# The `fedora` stack's topology",
    "",
    "What the shipped `fedora` stack deploys, as the program plans it: the Podman networks (one box per",
    "set of networks a container joins), the public routes through Cloudflare, the published ports, and",
    "the connections each service's configuration names. **Thick arrows are the Principle 3 pathways**:",
    "model calls through the gateway, and mail from agents through the `email_outbox` queue and the",
    "drain (see [the glossary](glossary.md)). Solid arrows are routes from outside; dotted ones are other",
    "connections (databases, caches, the milter). Services that are off in the shipped stack are absent.",
    "",
    "```mermaid",
    renderTopologyDiagram(plan),
    "```",
    "",
    "Read off the same plan:",
    "",
    ...principleThreeFacts(plan),
    "",
  ].join("\n");
}
