/**
 * verify's Cloudflare checks against a FAKE Cloudflare API on loopback (the real one is on the
 * internet, with the operator's account): it serves the edge the fedora stack plans, every answer is
 * validated against the shapes taken from Cloudflare's OpenAPI schema (cloudflareApi.ts) before it is
 * sent, and drift is injected by editing its state.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { recordFedora } from "../../test/support/fedoraStack";
import {
  ACCESS_APPS_SCHEMA,
  type AccessApp,
  DNS_RECORDS_SCHEMA,
  type DnsRecord,
  FAILURE_SCHEMA,
  TUNNEL_CONFIGURATION_SCHEMA,
  TUNNELS_SCHEMA,
} from "./cloudflareApi";
import { shapeProblems } from "./apiShapes";
import { type ExpectedEdge, expectedEdge, verifyCloudflare } from "./verifyCloudflare";

const TOKEN = "read-only-test-token";
const TUNNEL_ID = "0b5e2f3a-7c1d-4e8f-9a6b-2d4c6e8f0a1b";

interface FakeState {
  tunnels: { id: string; name: string; deleted_at: null; status: string }[];
  records: Map<string, DnsRecord[]>;
  apps: AccessApp[];
  ingress: { hostname?: string; service: string; originRequest?: { access: { audTag: string[]; teamName: string; required: boolean } } }[];
}

const recordKey = (r: { zoneId: string; type: string; hostname: string }) => `${r.zoneId}/${r.type}/${r.hostname}`;

function cleanState(edge: ExpectedEdge): FakeState {
  return {
    tunnels: [{ id: TUNNEL_ID, name: edge.tunnelName!, deleted_at: null, status: "healthy" }],
    records: new Map(
      edge.records.map((r, i) => [
        recordKey(r),
        [
          r.proxied
            ? { id: `rec${i}`, name: r.hostname, type: "CNAME", content: `${TUNNEL_ID}.cfargotunnel.com`, proxied: true }
            : {
                id: `rec${i}`,
                name: r.hostname,
                type: r.type,
                content: r.content!,
                proxied: false,
                ...(r.priority === undefined ? {} : { priority: r.priority }),
              },
        ],
      ]),
    ),
    apps: edge.accessApps.map((a, i) => ({
      id: `app${i}`,
      type: "self_hosted",
      domain: a.hostname,
      name: a.hostname,
      aud: `aud-${a.hostname}`,
      policies: a.policies.map((name, j) => ({ id: `pol${i}-${j}`, name })),
    })),
    ingress: [
      ...edge.ingress.map((r) => ({
        ...r,
        originRequest: { access: { audTag: [`aud-${r.hostname}`], teamName: "sodimo", required: true } },
      })),
      { service: "http_status:404" },
    ],
  };
}

describe("verify against a FAKE Cloudflare API on loopback (answers validated against Cloudflare's OpenAPI shapes)", () => {
  let edge: ExpectedEdge;
  let state: FakeState;
  let server: Server;
  let apiBase: string;
  const methods = new Set<string>();
  const fakeErrors: string[] = [];

  beforeAll(async () => {
    edge = expectedEdge((await recordFedora()).recording.resources)!;
    server = createServer((req, res) => {
      try {
        answer(req, res);
      } catch (error) {
        fakeErrors.push((error as Error).message);
        res.writeHead(500).end();
      }
    });
    const answer = (req: IncomingMessage, res: ServerResponse) => {
      methods.add(req.method ?? "");
      const url = new URL(req.url ?? "/", "http://fake");
      const send = (status: number, body: object, schema: object) => {
        const problems = shapeProblems(schema, body);
        if (problems.length > 0) throw new Error(`the fake's answer does not fit Cloudflare's schema: ${problems.join("; ")}`);
        res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
      };
      const ok = (result: unknown, schema: object, info?: object) =>
        send(200, { success: true, errors: [], messages: [], result, ...(info ? { result_info: info } : {}) }, schema);
      if (req.headers.authorization !== `Bearer ${TOKEN}`)
        return send(
          403,
          { success: false, errors: [{ code: 10000, message: "Authentication error" }], messages: [], result: null },
          FAILURE_SCHEMA,
        );
      let m: RegExpExecArray | null;
      if (/^\/accounts\/([^/]+)\/cfd_tunnel$/.test(url.pathname))
        return ok(
          state.tunnels.filter((t) => t.name === url.searchParams.get("name")),
          TUNNELS_SCHEMA,
        );
      if ((m = /^\/accounts\/([^/]+)\/cfd_tunnel\/([^/]+)\/configurations$/.exec(url.pathname)))
        return ok({ tunnel_id: m[2], version: 3, source: "cloudflare", config: { ingress: state.ingress } }, TUNNEL_CONFIGURATION_SCHEMA);
      if ((m = /^\/zones\/([^/]+)\/dns_records$/.exec(url.pathname)))
        return ok(
          state.records.get(
            recordKey({ zoneId: m[1]!, type: url.searchParams.get("type") ?? "", hostname: url.searchParams.get("name.exact") ?? "" }),
          ) ?? [],
          DNS_RECORDS_SCHEMA,
        );
      if (/^\/accounts\/([^/]+)\/access\/apps$/.test(url.pathname)) {
        // Two per page: the verifier must follow result_info.
        const page = Number(url.searchParams.get("page") ?? "1");
        const items = state.apps.slice((page - 1) * 2, page * 2);
        return ok(items, ACCESS_APPS_SCHEMA, { page, per_page: 2, count: items.length, total_pages: Math.ceil(state.apps.length / 2) });
      }
      send(404, { success: false, errors: [{ code: 7003, message: "No route for the URI" }], messages: [], result: null }, FAILURE_SCHEMA);
    };
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    apiBase = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }, 60_000);

  afterAll(() => server?.close());
  beforeEach(() => {
    state = cleanState(edge);
  });
  afterEach(() => expect(fakeErrors).toEqual([]));

  it("reads the fedora stack's edge from the plan: five tunnel hostnames, six Access applications", () => {
    expect(edge.tunnelName).toBe("harness-sodimo.eu");
    const routes = edge.records.filter((r) => r.proxied);
    expect(routes.map((r) => `${r.type} ${r.hostname}`).sort()).toEqual([
      "CNAME chat.sodimo.eu",
      "CNAME cockpit.sodimo.eu",
      "CNAME crm.sodimo.eu",
      "CNAME paperclip.sodimo.eu",
      "CNAME vault.sodimo.eu",
    ]);
    expect(edge.ingress.map((r) => r.hostname).sort()).toEqual(routes.map((r) => r.hostname).sort());
    // The mail domain's records, each with the content the plan knows (the DKIM key is generated offline too).
    const mail = edge.records.filter((r) => !r.proxied);
    expect(mail.map((r) => `${r.type} ${r.hostname}`).sort()).toEqual([
      "MX sodimo.eu",
      "TXT _dmarc.sodimo.eu",
      "TXT dkim._domainkey.sodimo.eu",
      "TXT sodimo.eu",
    ]);
    for (const record of mail) expect(record.content, `${record.type} ${record.hostname}`).toEqual(expect.any(String));
    expect(edge.accessApps.map((a) => a.hostname)).toContain("mcp.sodimo.eu");
    expect(edge.accessApps.find((a) => a.hostname === "mcp.sodimo.eu")?.policies).toEqual([
      "mcp.sodimo.eu: company identities",
      "mcp.sodimo.eu: service tokens",
    ]);
  });

  it("passes on a clean edge, reading only", async () => {
    expect(await verifyCloudflare(edge, { token: TOKEN, apiBase }, "fedora")).toEqual([]);
    expect([...methods]).toEqual(["GET"]);
  });

  it("reports a missing DNS record, a deleted Access application, a detached policy and a missing ingress rule, each with what to do", async () => {
    state.records.delete(recordKey(edge.records.find((r) => r.hostname === "crm.sodimo.eu")!));
    state.apps = state.apps.filter((a) => a.domain !== "vault.sodimo.eu");
    state.apps.find((a) => a.domain === "mcp.sodimo.eu")!.policies!.splice(1, 1);
    state.ingress = state.ingress.filter((r) => r.hostname !== "chat.sodimo.eu");
    const drift = await verifyCloudflare(edge, { token: TOKEN, apiBase }, "fedora");
    expect(drift.map((d) => `${d.what}: ${d.found}`)).toEqual([
      "DNS record crm.sodimo.eu: missing",
      "Access application vault.sodimo.eu: missing: the hostname is not gated (its ingress rule still demands an Access token, so it fails closed)",
      "Access policies of mcp.sodimo.eu: not attached: mcp.sodimo.eu: service tokens",
      "ingress rule chat.sodimo.eu: missing from the tunnel's configuration",
    ]);
    expect(drift[0]!.fix).toBe("pulumi refresh --stack fedora (so Pulumi sees it is gone), then pulumi up --stack fedora");
    expect(drift[3]!.fix).toContain("pulumi up --stack fedora writes the tunnel's planned configuration back");
  });

  it("reports a record pointing elsewhere, an Access application whose AUD the ingress rule does not admit, and a deleted tunnel", async () => {
    state.records.get(recordKey(edge.records.find((r) => r.proxied)!))![0]!.content = "elsewhere.example.net";
    expect((await verifyCloudflare(edge, { token: TOKEN, apiBase }, "fedora")).map((d) => d.found)).toEqual([
      `CNAME elsewhere.example.net; planned ${TUNNEL_ID}.cfargotunnel.com, proxied`,
    ]);
    state = cleanState(edge);
    state.apps.find((a) => a.domain === "cockpit.sodimo.eu")!.aud = "aud-recreated-by-hand";
    expect((await verifyCloudflare(edge, { token: TOKEN, apiBase }, "fedora")).map((d) => `${d.what}: ${d.found}`)).toEqual([
      "ingress rule cockpit.sodimo.eu: admits Access AUD aud-cockpit.sodimo.eu, but the Access application's AUD is aud-recreated-by-hand",
    ]);
    state = cleanState(edge);
    state.tunnels = [];
    expect((await verifyCloudflare(edge, { token: TOKEN, apiBase }, "fedora")).map((d) => `${d.what}: ${d.found}`)).toEqual([
      "tunnel harness-sodimo.eu: missing (deleted?)",
    ]);
  });

  it("reports the mail domain's records: an SPF edited by hand, an MX at another priority, a deleted DMARC; a DKIM key returned as one string is the same key", async () => {
    const mail = (type: string, hostname: string) =>
      state.records.get(recordKey(edge.records.find((r) => r.type === type && r.hostname === hostname)!))!;
    const spf = mail("TXT", "sodimo.eu")[0]!;
    const plannedSpf = spf.content;
    spf.content = '"v=spf1 +all"';
    mail("MX", "sodimo.eu")[0]!.priority = 50;
    state.records.delete(recordKey(edge.records.find((r) => r.hostname === "_dmarc.sodimo.eu")!));
    const dkim = mail("TXT", "dkim._domainkey.sodimo.eu")[0]!;
    expect(dkim.content).toContain('" "'); // planned as several 255-byte strings
    dkim.content = `"${dkim.content.replaceAll('" "', "").slice(1, -1)}"`;
    const drift = await verifyCloudflare(edge, { token: TOKEN, apiBase }, "fedora");
    const mx = edge.records.find((r) => r.type === "MX")!;
    expect(drift.map((d) => `${d.what}: ${d.found}`).sort()).toEqual(
      [
        `DNS record MX sodimo.eu: 50 ${mx.content}; planned ${mx.priority} ${mx.content}`,
        `DNS record TXT sodimo.eu: "v=spf1 +all"; planned ${plannedSpf}`,
        "DNS record TXT _dmarc.sodimo.eu: missing",
      ].sort(),
    );
  });

  it("says so, once, when the token cannot read", async () => {
    const drift = await verifyCloudflare(edge, { token: "wrong", apiBase }, "fedora");
    expect(drift).toEqual([
      {
        what: "the Cloudflare API",
        found: expect.stringMatching(
          /^GET \/accounts\/[0-9a-f]+\/cfd_tunnel\?name=harness-sodimo\.eu&is_deleted=false: HTTP 403 \(10000 Authentication error\)$/,
        ),
        fix: expect.stringContaining("CLOUDFLARE_API_TOKEN"),
      },
    ]);
  });
});
