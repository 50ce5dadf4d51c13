import { describe, expect, it } from "vitest";
import { CATCH_ALL_SERVICE, DEFAULT_TUNNEL_ORIGIN, hostnameIngressRule, tunnelIngressRules } from "./tunnelIngress";

const rule = (hostname: string) =>
  hostnameIngressRule({ hostname, origin: DEFAULT_TUNNEL_ORIGIN, teamName: "sodimo", accessAud: `aud-of-${hostname}` });

describe("tunnel ingress rules", () => {
  it("sends a hostname to Caddy with its own Host, over HTTP/1.1, only with a valid Access token", () => {
    expect(rule("paperclip.sodimo.eu")).toMatchSnapshot();
    expect(rule("paperclip.sodimo.eu")).toEqual({
      hostname: "paperclip.sodimo.eu",
      service: "http://127.0.0.1:80",
      originRequest: {
        httpHostHeader: "paperclip.sodimo.eu",
        http2Origin: false,
        access: { required: true, teamName: "sodimo", audTags: ["aud-of-paperclip.sodimo.eu"] },
      },
    });
  });

  it("keeps the hostnames' order and puts the 404 catch-all last", () => {
    const rules = tunnelIngressRules([rule("chat.sodimo.eu"), rule("paperclip.sodimo.eu"), rule("crm.sodimo.eu")]);
    expect(rules.map((r) => ("hostname" in r ? r.hostname : r.service))).toEqual([
      "chat.sodimo.eu",
      "paperclip.sodimo.eu",
      "crm.sodimo.eu",
      CATCH_ALL_SERVICE,
    ]);
    expect(rules.at(-1)).toEqual({ service: "http_status:404" });
  });

  it("is only the catch-all when nothing is public", () => {
    expect(tunnelIngressRules([])).toEqual([{ service: "http_status:404" }]);
  });

  it("refuses a hostname twice (cloudflared would silently use the first)", () => {
    expect(() => tunnelIngressRules([rule("a.sodimo.eu"), rule("a.sodimo.eu")])).toThrow(
      "tunnel ingress: hostname a.sodimo.eu appears twice",
    );
  });

  it("refuses an origin with a path or another scheme", () => {
    for (const origin of ["http://127.0.0.1:80/app", "tcp://127.0.0.1:80", "127.0.0.1:80"]) {
      expect(() => hostnameIngressRule({ hostname: "a.sodimo.eu", origin, teamName: "t", accessAud: "x" })).toThrow(
        `tunnel origin must be an http(s) URL without a path, got ${origin}`,
      );
    }
  });
});
