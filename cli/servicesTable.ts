/**
 * The README's table of the Fedora harness's services, generated from the catalogue: what each one
 * is, how it runs, its routing posture, hostname, published ports and what it reaches. `npm run generate`
 * rewrites the README section between the markers; a test fails when it is stale.
 */
import { CATALOG } from "../infra/catalog";
import type { CatalogContext, ServiceDeclaration } from "../infra/catalog/types";
import { CONFIG_KEYS } from "../infra/config/keys";
import { HOST_PROGRAMS } from "../infra/targets/fedora/hostPrograms";

/** A context that shows every entry with every optional feature on; hostnames stay relative. */
function tableContext(): CatalogContext {
  const domain = "example.com";
  const names = new Set<string>();
  const context: CatalogContext = {
    domain,
    networkName: "harness",
    hostname: (subdomain) => `${subdomain}.${domain}`,
    routes: [],
    enabledServices: names,
    addressesOf: () => [],
    operatorKeys: new Set(
      Object.entries(CONFIG_KEYS)
        .filter(([, spec]) => "secret" in spec && spec.secret)
        .map(([name]) => name),
    ),
    settings: { mailDomains: [domain], mailHostname: `mail.${domain}`, pilerTransparencyNoticeConfirmed: false },
    hostPrograms: HOST_PROGRAMS,
  };
  for (const definition of CATALOG) names.add(definition(context).name);
  // Caddy's edges are its routes: one to each routed container.
  const routes = CATALOG.map((definition) => definition(context)).flatMap((s) =>
    s.route && !s.route.upstream.onHost
      ? [{ service: s.name, hostname: `${s.route.subdomain}.${domain}`, upstream: `${s.name}:${s.route.upstream.port}`, paths: [] }]
      : [],
  );
  return { ...context, routes };
}

const cell = (text: string) => text.replaceAll("|", "\\|").replaceAll("\n", " ");
const code = (text: string) => `\`${text}\``;

function runsAs(service: ServiceDeclaration): string {
  if (service.kind === "host") return `host: ${code(service.exec[0]!)} (systemd user service)`;
  const image = service.build ? `built on the host from ${code(service.image)}` : code(service.image);
  return service.schedule ? `${image}, timer ${code(service.schedule.onCalendar)}` : image;
}

function routing(service: ServiceDeclaration): string {
  if (service.kind === "host") return "host (outbound only)";
  const postures = [...new Set([...(service.route ? ["cloudflared"] : []), ...(service.ports ?? []).map((p) => p.posture)])];
  return postures.length > 0 ? postures.join(", ") : "none";
}

function hostPorts(service: ServiceDeclaration): string {
  const published = (service.ports ?? []).filter((p) => p.host !== undefined);
  return published.length > 0
    ? published
        .map((p) => `${p.posture === "direct" ? "" : "127.0.0.1:"}${p.host}${p.host === p.container ? "" : `→${p.container}`}`)
        .join(", ")
    : "—";
}

/** The services it opens connections to, and whether it has a route out (docs/fedora.md §Networks). */
function reachesCell(service: ServiceDeclaration): string {
  if (service.kind === "host") return "host";
  const reaches = (service.reaches ?? []).map(code);
  return [...reaches, ...(service.internet ? ["the internet"] : [])].join(", ") || "—";
}

function notes(service: ServiceDeclaration): string {
  const parts: string[] = [];
  if (service.gate && !service.gate.enabled)
    parts.push(`Off: ${service.gate.reason}${service.gate.key ? ` (${code(service.gate.key)})` : ""}.`);
  if (service.kind !== "host" && service.floatingTagReason) parts.push(`Floating tag: ${service.floatingTagReason}`);
  return parts.join(" ");
}

export function renderServicesTable(): string {
  const context = tableContext();
  const rows = CATALOG.map((definition) => definition(context))
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((service) =>
      [
        code(service.name),
        service.description,
        runsAs(service),
        routing(service),
        service.route ? code(`${service.route.subdomain}.<domain>`) : "—",
        hostPorts(service),
        service.kind === "host" ? "host" : reachesCell(service),
        notes(service),
      ]
        .map(cell)
        .join(" | "),
    );
  return [
    "<!-- Generated from infra/catalog by `npm run generate`; do not edit by hand. -->",
    "| Service | What | Runs as | Routing | Hostname | Host ports | Reaches | Notes |",
    "|---|---|---|---|---|---|---|---|",
    ...rows.map((row) => `| ${row} |`),
  ].join("\n");
}

/** The text with the part between the two marker lines replaced by `body`. */
