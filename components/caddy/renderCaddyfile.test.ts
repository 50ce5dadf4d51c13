import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { caddyValidator } from "../../cli/validators/caddyValidator";
import { requireTool } from "../../cli/validators/testSupport";
import { renderCaddyfile, type CaddyRoute } from "./renderCaddyfile";

const ROUTES: CaddyRoute[] = [
  { hostname: "paperclip.example.com", upstream: "paperclip:3100" },
  { hostname: "chat.example.com", upstream: "openwebui:8080" },
  { hostname: "tool.example.com", upstream: "tool:80", paths: [{ path: "/hub", upstream: "tool:3012" }] },
];

const OWN = { tunnelSources: ["10.89.0.10", "10.89.0.2"] };

const directory = mkdtempSync(path.join(os.tmpdir(), "caddyfile-"));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

describe("renderCaddyfile", () => {
  const text = renderCaddyfile(ROUTES, OWN);

  it("renders one site per hostname, sorted, with path routes first", () => {
    expect(text).toMatchSnapshot();
    expect(text.indexOf("http://chat.example.com")).toBeLessThan(text.indexOf("http://paperclip.example.com"));
    expect(text.indexOf("reverse_proxy /hub* tool:3012")).toBeLessThan(text.indexOf("reverse_proxy tool:80"));
  });

  it("tells every upstream the request was HTTPS (TLS ends at Cloudflare)", () => {
    const proxies = text.match(/reverse_proxy [^\n]*\{\n\t\theader_up X-Forwarded-Proto https\n\t\}/g) ?? [];
    expect(proxies).toHaveLength(4);
  });

  it("is a valid Caddyfile", async (context) => {
    requireTool(context, "caddy");
    const file = path.join(directory, "Caddyfile");
    writeFileSync(file, text);
    expect(await caddyValidator({ file })).toMatchObject({ status: "passed" });
  });

  it("routes only connections from Caddy's own addresses, in every public site", () => {
    expect(text).toContain("\t@around_tunnel not remote_ip 10.89.0.10 10.89.0.2\n");
    const sites = text.split("\n\n").filter((block) => /^http:\/\/[a-z]+\.example\.com \{/m.test(block));
    expect(sites).toHaveLength(3);
    for (const site of sites) expect(site.split("\n")[1], site).toBe("\timport tunnel_only");
  });

  it("refuses every public request when it knows none of Caddy's addresses", () => {
    const closed = renderCaddyfile(ROUTES, { tunnelSources: [] });
    expect(closed).toMatch(/\(tunnel_only\) \{\n\trespond "Forbidden: only through the Tunnel" 403\n\}/);
    expect(() => renderCaddyfile(ROUTES, { tunnelSources: ["10.89.0.2 0.0.0.0/0"] })).toThrow(/invalid tunnel source/);
  });

  it("refuses hostnames, upstreams and paths that would break the file", () => {
    expect(() => renderCaddyfile([{ hostname: "a.example.com {\n}", upstream: "a:1" }], OWN)).toThrow(/invalid hostname/);
    expect(() => renderCaddyfile([{ hostname: "a.example.com", upstream: "a:1 b:2" }], OWN)).toThrow(/invalid upstream/);
    expect(() => renderCaddyfile([{ hostname: "a.example.com", upstream: "a:1", paths: [{ path: "hub", upstream: "a:2" }] }], OWN)).toThrow(
      /invalid path/,
    );
  });
});
