/**
 * `verify` for the Cloudflare edge: every public hostname the plan routes has its proxied CNAME to the
 * live tunnel, its Access application with the planned policies attached, and its ingress rule in the
 * tunnel's configuration; every other planned record (the mail domain's MX, SPF, DKIM and DMARC) is
 * there with its planned content. Read with the operator's API token (read-only: only GETs; the calls and
 * their shapes are in cloudflareApi.ts).
 */
import type { RecordedResource } from "../engine/RecordingMonitor";
import { plainValue } from "../engine/redact";
import {
  ACCESS_APPS_SCHEMA,
  type AccessApp,
  DNS_RECORDS_SCHEMA,
  type DnsRecord,
  type Envelope,
  type Tunnel,
  TUNNEL_CONFIGURATION_SCHEMA,
  type TunnelConfiguration,
  TUNNELS_SCHEMA,
} from "./cloudflareApi";
import { shapeProblems } from "./apiShapes";
import type { Drift } from "./hostProbe";

export interface ExpectedEdge {
  accountId: string;
  tunnelName?: string;
  records: ExpectedRecord[];
  accessApps: { hostname: string; policies: string[] }[];
  ingress: { hostname: string; service: string }[];
}

/** A planned DNS record: a tunnel route (proxied CNAME to the tunnel) or a record with fixed content. */
export interface ExpectedRecord {
  zoneId: string;
  hostname: string;
  type: string;
  /** A tunnel route: its content is the live tunnel's, known only once the tunnel is read. */
  proxied: boolean;
  /** The planned content, when the plan knows it. */
  content?: string;
  priority?: number;
}

const CF = "cloudflare:index/";
const text = (value: unknown) => (typeof value === "string" ? value : undefined);

/** From the recorded plan: the tunnel, each hostname's record, Access application (with its policies' names) and ingress rule. */
export function expectedEdge(resources: readonly RecordedResource[]): ExpectedEdge | undefined {
  const inputs = (r: RecordedResource) => plainValue(r.inputs) as Record<string, unknown>;
  const of = (type: string) => resources.filter((r) => r.type === `${CF}${type}`).map(inputs);
  const tunnel = of("zeroTrustTunnelCloudflared:ZeroTrustTunnelCloudflared")[0];
  const apps = of("zeroTrustAccessApplication:ZeroTrustAccessApplication");
  const accountId = text(tunnel?.accountId) ?? text(apps[0]?.accountId);
  if (accountId === undefined) return undefined;
  const policyNames = of("zeroTrustAccessPolicy:ZeroTrustAccessPolicy").flatMap((p) => text(p.name) ?? []);
  const config = of("zeroTrustTunnelCloudflaredConfig:ZeroTrustTunnelCloudflaredConfig")[0]?.config as
    { ingresses?: { hostname?: string; service?: string }[] } | undefined;
  return {
    accountId,
    ...(text(tunnel?.name) === undefined ? {} : { tunnelName: text(tunnel?.name) }),
    records: of("dnsRecord:DnsRecord").flatMap((r): ExpectedRecord[] => {
      const [zoneId, hostname] = [text(r.zoneId), text(r.name)];
      if (zoneId === undefined || hostname === undefined) return [];
      const content = r.proxied === true ? undefined : text(r.content);
      return [
        {
          zoneId,
          hostname,
          type: text(r.type) ?? "CNAME",
          proxied: r.proxied === true,
          ...(content === undefined ? {} : { content }),
          ...(typeof r.priority === "number" ? { priority: r.priority } : {}),
        },
      ];
    }),
    // AccessGate names each policy "<hostname>: …" (components/cloudflare/AccessGate.ts).
    accessApps: apps.flatMap((a) => {
      const hostname = text(a.domain);
      return hostname ? [{ hostname, policies: policyNames.filter((name) => name.startsWith(`${hostname}: `)).sort() }] : [];
    }),
    ingress: (config?.ingresses ?? []).flatMap((rule) =>
      rule.hostname && rule.service ? [{ hostname: rule.hostname, service: rule.service }] : [],
    ),
  };
}

export interface CloudflareAccess {
  /** The operator's API token (read access to DNS, Access: Apps and Policies, Cloudflare Tunnel). */
  token: string;
  /** Default: CLOUDFLARE_API (cloudflareApi.ts). */
  apiBase: string;
}

class ApiFailure extends Error {}

async function get<T>(access: CloudflareAccess, path: string, schema: object): Promise<Envelope<T>> {
  let response: Response;
  try {
    response = await fetch(`${access.apiBase}${path}`, {
      headers: { authorization: `Bearer ${access.token}`, accept: "application/json" },
    });
  } catch (error) {
    throw new ApiFailure(`GET ${path}: ${(error as Error).message}`);
  }
  const body = (await response.json().catch(() => undefined)) as Envelope<T> | undefined;
  if (!response.ok || body?.success !== true) {
    const errors = body?.errors?.map((e) => `${e.code} ${e.message}`).join("; ");
    throw new ApiFailure(`GET ${path}: HTTP ${response.status}${errors ? ` (${errors})` : ""}`);
  }
  const problems = shapeProblems(schema, body);
  if (problems.length > 0) throw new ApiFailure(`GET ${path}: an answer of an unexpected shape (${problems.slice(0, 3).join("; ")})`);
  return body;
}

/** Every page of a paged list. */
async function getAll<T>(access: CloudflareAccess, path: string, schema: object): Promise<T[]> {
  const items: T[] = [];
  for (let page = 1; ; page++) {
    const body = await get<T[]>(access, `${path}${path.includes("?") ? "&" : "?"}page=${page}&per_page=50`, schema);
    items.push(...body.result);
    if (page >= (body.result_info?.total_pages ?? 1) || body.result.length === 0) return items;
  }
}

const q = encodeURIComponent;

/**
 * A TXT record's text as a receiver reads it: its quoted character-strings joined (RFC 7208 §3.3),
 * so a record the API returns unsplit or unquoted still equals the planned one.
 */
function txtText(content: string): string {
  const strings = [...content.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1]!.replace(/\\(.)/g, "$1"));
  return strings.length > 0 ? strings.join("") : content;
}

function sameContent(type: string, found: string, planned: string): boolean {
  return type === "TXT" ? txtText(found) === txtText(planned) : found === planned;
}

/** Every drift between the plan's edge and Cloudflare's; an API the token cannot read is one drift, saying so. */
export async function verifyCloudflare(expected: ExpectedEdge, access: CloudflareAccess, stack: string): Promise<Drift[]> {
  const refreshAndUp = `pulumi refresh --stack ${stack} (so Pulumi sees it is gone), then pulumi up --stack ${stack}`;
  const drift: Drift[] = [];
  try {
    let tunnel: Tunnel | undefined;
    if (expected.tunnelName !== undefined) {
      tunnel = (
        await get<Tunnel[]>(
          access,
          `/accounts/${q(expected.accountId)}/cfd_tunnel?name=${q(expected.tunnelName)}&is_deleted=false`,
          TUNNELS_SCHEMA,
        )
      ).result.find((t) => t.name === expected.tunnelName);
      if (tunnel === undefined)
        drift.push({
          what: `tunnel ${expected.tunnelName}`,
          found: "missing (deleted?)",
          fix: `${refreshAndUp}; cloudflared then needs the new tunnel's token`,
        });
    }

    const putBack = `pulumi up --stack ${stack} puts the planned record back (a hand edit belongs in the stack)`;
    for (const record of expected.records) {
      const live = (
        await get<DnsRecord[]>(
          access,
          `/zones/${q(record.zoneId)}/dns_records?type=${q(record.type)}&name.exact=${q(record.hostname)}`,
          DNS_RECORDS_SCHEMA,
        )
      ).result.filter((r) => r.name === record.hostname && r.type === record.type);
      // Tunnel routes are named by hostname alone (one per hostname); the apex's MX and SPF TXT by type too.
      const what = record.proxied ? `DNS record ${record.hostname}` : `DNS record ${record.type} ${record.hostname}`;
      if (live.length === 0) {
        drift.push({ what, found: "missing", fix: refreshAndUp });
      } else if (record.proxied) {
        const found = live[0]!;
        const wanted = tunnel ? `${tunnel.id}.cfargotunnel.com` : undefined;
        if (!found.proxied || (wanted !== undefined && found.content !== wanted))
          drift.push({
            what,
            found: `CNAME ${found.content}${found.proxied ? "" : ", not proxied"}${wanted ? `; planned ${wanted}, proxied` : ""}`,
            fix: putBack,
          });
      } else if (record.content !== undefined) {
        const planned = record.content;
        const matches = (r: DnsRecord) =>
          sameContent(record.type, r.content, planned) && (record.priority === undefined || r.priority === record.priority);
        if (!live.some(matches)) {
          const shown = (content: string, priority?: number) => `${priority === undefined ? "" : `${priority} `}${content}`;
          drift.push({
            what,
            found: `${live.map((r) => shown(r.content, r.priority)).join(", ")}; planned ${shown(planned, record.priority)}`,
            fix: putBack,
          });
        }
      }
    }

    let apps: AccessApp[] = [];
    if (expected.accessApps.length > 0) {
      apps = await getAll<AccessApp>(access, `/accounts/${q(expected.accountId)}/access/apps`, ACCESS_APPS_SCHEMA);
      for (const app of expected.accessApps) {
        const found = apps.find((a) => a.domain === app.hostname);
        if (found === undefined) {
          drift.push({
            what: `Access application ${app.hostname}`,
            found: "missing: the hostname is not gated (its ingress rule still demands an Access token, so it fails closed)",
            fix: refreshAndUp,
          });
          continue;
        }
        const attached = new Set((found.policies ?? []).map((p) => p.name));
        const missing = app.policies.filter((name) => !attached.has(name));
        if (missing.length > 0 || attached.size === 0)
          drift.push({
            what: `Access policies of ${app.hostname}`,
            found: missing.length > 0 ? `not attached: ${missing.join(", ")}` : "none attached",
            fix: `pulumi up --stack ${stack} attaches them again (pulumi refresh first when a policy was deleted)`,
          });
      }
    }

    if (tunnel !== undefined && expected.ingress.length > 0) {
      const configuration = await get<TunnelConfiguration>(
        access,
        `/accounts/${q(expected.accountId)}/cfd_tunnel/${q(tunnel.id)}/configurations`,
        TUNNEL_CONFIGURATION_SCHEMA,
      );
      const rules = configuration.result.config?.ingress ?? [];
      for (const rule of expected.ingress) {
        const found = rules.find((r) => r.hostname === rule.hostname);
        if (found === undefined || found.service !== rule.service)
          drift.push({
            what: `ingress rule ${rule.hostname}`,
            found: found === undefined ? "missing from the tunnel's configuration" : `service ${found.service}, planned ${rule.service}`,
            fix: `pulumi up --stack ${stack} writes the tunnel's planned configuration back (edits in the dashboard are overwritten)`,
          });
        // cloudflared admits only tokens of the AUD tags its rule names: an application re-created by
        // hand has a new AUD, and every request to the hostname is refused until the rule follows.
        const aud = apps.find((a) => a.domain === rule.hostname)?.aud;
        const tags = found?.originRequest?.access?.audTag;
        if (aud !== undefined && tags !== undefined && !tags.includes(aud))
          drift.push({
            what: `ingress rule ${rule.hostname}`,
            found: `admits Access AUD ${tags.join(", ")}, but the Access application's AUD is ${aud}`,
            fix: `pulumi refresh --stack ${stack}, then pulumi up --stack ${stack} writes the application's AUD into the rule`,
          });
      }
    }
  } catch (error) {
    if (!(error instanceof ApiFailure)) throw error;
    drift.push({
      what: "the Cloudflare API",
      found: error.message,
      fix: "CLOUDFLARE_API_TOKEN must be a token that reads Zone DNS, Access: Apps and Policies, and Cloudflare Tunnel of this account",
    });
  }
  return drift;
}
