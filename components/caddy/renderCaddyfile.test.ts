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

const directory = mkdtempSync(path.join(os.tmpdir(), "caddyfile-"));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

describe("renderCaddyfile", () => {
  const text = renderCaddyfile(ROUTES);

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

  it("refuses hostnames, upstreams and paths that would break the file", () => {
    expect(() => renderCaddyfile([{ hostname: "a.example.com {\n}", upstream: "a:1" }])).toThrow(/invalid hostname/);
    expect(() => renderCaddyfile([{ hostname: "a.example.com", upstream: "a:1 b:2" }])).toThrow(/invalid upstream/);
    expect(() => renderCaddyfile([{ hostname: "a.example.com", upstream: "a:1", paths: [{ path: "hub", upstream: "a:2" }] }])).toThrow(
      /invalid path/,
    );
  });
});
