import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { fakeUuid } from "../../cli/engine/offlineMocks";
import type { RecordedResource } from "../../cli/engine/RecordingMonitor";
import {
  CF,
  isSecret,
  recordComponents,
  resourceNamed,
  resourcesOfType,
  unsecret,
  type ComponentRecording,
} from "../../test/support/recordComponents";
import { Tunnel } from "./Tunnel";

const ACCOUNT = "5d1c7a3e9b2f4e6a8c0d1b3f5a7e9c2d";
const ZONE = "8e2a4c6f0b1d3e5a7c9f1b3d5e7a9c0b";
const IDP = "2f6b8d0e-4a1c-4e3b-9d5f-7a0c2e4b6d8f";
const HOSTNAMES = [
  { service: "paperclip", hostname: "paperclip.sodimo.eu" },
  { service: "openwebui", hostname: "chat.sodimo.eu" },
  { service: "vaultwarden", hostname: "vault.sodimo.eu" },
];

let recording: ComponentRecording;
let tokenIsSecret: Promise<boolean>;
const byName = (name: string) => resourceNamed(recording.resources, name);
const inputs = (r: RecordedResource) => unsecret(r.inputs) as Record<string, any>;

beforeAll(async () => {
  recording = await recordComponents(() => {
    const tunnel = new Tunnel("tunnel", {
      accountId: ACCOUNT,
      zoneId: ZONE,
      tunnelName: "harness-sodimo.eu",
      hostnames: HOSTNAMES,
      accessTeam: "sodimo",
      emailDomains: ["sodimo.eu"],
      identityProviderId: IDP,
      sessionDuration: "12h",
    });
    tokenIsSecret = pulumi.isSecret(tunnel.token);
    return { tunnelId: tunnel.tunnelId, token: tunnel.token, cnameTarget: tunnel.cnameTarget };
  });
});

describe("Tunnel", () => {
  it("is a remotely-managed named tunnel whose secret comes from Secret32", () => {
    const tunnel = byName("tunnel-tunnel");
    expect(tunnel.type).toBe(CF.tunnel);
    expect(isSecret(tunnel.inputs.tunnelSecret)).toBe(true);
    expect(inputs(tunnel)).toMatchObject({ accountId: ACCOUNT, name: "harness-sodimo.eu", configSrc: "cloudflare" });
    const bytes = byName("tunnel-secret-bytes");
    expect(bytes.inputs).toEqual({ length: 32 });
    // The secret is the 32 random bytes in base64, as the tunnel API wants it.
    expect(recording.producedSecrets).toContain(inputs(tunnel).tunnelSecret);
    expect(Buffer.from(inputs(tunnel).tunnelSecret as string, "base64")).toHaveLength(32);
  });

  it("has one ingress rule per hostname, in order, to Caddy with the Host kept, and the 404 catch-all last", () => {
    const config = byName("tunnel-config");
    expect(config.type).toBe(CF.tunnelConfig);
    const { tunnelId, source, config: body } = inputs(config);
    expect(tunnelId).toBe(recording.outputs.tunnelId);
    expect(source).toBe("cloudflare");
    const ingresses = body.ingresses as Array<Record<string, any>>;
    expect(ingresses.map((rule) => rule.hostname ?? rule.service)).toEqual([
      "paperclip.sodimo.eu",
      "chat.sodimo.eu",
      "vault.sodimo.eu",
      "http_status:404",
    ]);
    expect(ingresses.at(-1)).toEqual({ service: "http_status:404" });
    for (const rule of ingresses.slice(0, -1)) {
      expect(rule.service).toBe("http://127.0.0.1:80");
      expect(rule.originRequest.httpHostHeader).toBe(rule.hostname);
      expect(rule.originRequest.http2Origin).toBe(false);
      expect(rule.originRequest.access).toMatchObject({ required: true, teamName: "sodimo" });
    }
  });

  it("gives each hostname one proxied CNAME to the tunnel, with automatic TTL", () => {
    const records = resourcesOfType(recording.resources, CF.dnsRecord);
    expect(records.map((r) => inputs(r).name)).toEqual(HOSTNAMES.map((h) => h.hostname));
    for (const record of records) {
      expect(inputs(record)).toMatchObject({
        zoneId: ZONE,
        type: "CNAME",
        content: `${recording.outputs.tunnelId as string}.cfargotunnel.com`,
        proxied: true,
        ttl: 1,
      });
    }
    expect(recording.outputs.cnameTarget).toBe(`${recording.outputs.tunnelId as string}.cfargotunnel.com`);
  });

  it("gates every hostname with its own self-hosted Access application and allow policy", () => {
    const applications = resourcesOfType(recording.resources, CF.accessApplication);
    const policies = resourcesOfType(recording.resources, CF.accessPolicy);
    expect(applications).toHaveLength(HOSTNAMES.length);
    expect(policies).toHaveLength(HOSTNAMES.length);
    for (const { service, hostname } of HOSTNAMES) {
      const app = byName(`tunnel-${service}-access-app`);
      const policy = byName(`tunnel-${service}-access-policy`);
      expect(inputs(app)).toMatchObject({
        accountId: ACCOUNT,
        type: "self_hosted",
        domain: hostname,
        destinations: [{ type: "public", uri: hostname }],
        // Its own policy, by the id the offline provider gave that policy.
        policies: [{ id: fakeUuid(`test/${CF.accessPolicy}/${policy.name}`), precedence: 1 }],
        sessionDuration: "12h",
        allowedIdps: [IDP],
        autoRedirectToIdentity: true,
      });
      expect(inputs(policy)).toEqual({
        accountId: ACCOUNT,
        name: `${hostname}: company identities`,
        decision: "allow",
        includes: [{ emailDomain: { domain: "sodimo.eu" } }],
        requires: [{ loginMethod: { id: IDP } }],
      });
    }
  });

  it("routes nothing before its gate exists: the record and the ingress rule wait for the application", () => {
    const config = byName("tunnel-config");
    const ingresses = inputs(config).config.ingresses as Array<Record<string, any>>;
    for (const { service, hostname } of HOSTNAMES) {
      const app = byName(`tunnel-${service}-access-app`);
      const record = byName(`tunnel-${service}-record`);
      expect(record.dependencies).toContain(app.urn);
      expect(config.dependencies).toContain(app.urn);
      const rule = ingresses.find((r) => r.hostname === hostname)!;
      expect(rule.originRequest.access.audTags).toEqual([recordedAud(app)]);
    }
  });

  it("hands out the connector token as a secret", async () => {
    expect(await tokenIsSecret).toBe(true);
    expect(recording.producedSecrets).toContain(recording.outputs.token);
  });

  it("refuses two hostnames for one service", async () => {
    await expect(
      recordComponents(() => {
        new Tunnel("dup", {
          accountId: ACCOUNT,
          zoneId: ZONE,
          tunnelName: "t",
          hostnames: [
            { service: "a", hostname: "a.sodimo.eu" },
            { service: "a", hostname: "b.sodimo.eu" },
          ],
          accessTeam: "sodimo",
          emailDomains: ["sodimo.eu"],
        });
      }, "dup"),
    ).rejects.toThrow("Tunnel dup: service a has two hostnames");
  });
});

/** The AUD of an application, as its AccessGate registered it. */
function recordedAud(app: RecordedResource): string {
  const outputs = recording.resources.find((r) => r.type === "harness:cloudflare:AccessGate" && app.parent === r.urn)?.outputs;
  return unsecret(outputs?.aud) as string;
}
