import { describe, expect, it } from "vitest";
import { CONFIG_KEYS } from "../config/keys";
import { cockpit, COCKPIT_IMAGE } from "./cockpit";
import type { CatalogContext, CatalogSettings, ContainerService } from "./types";

const DIGEST = `sha256:${"0123456789abcdef".repeat(4)}`;

function contextWith(settings: Partial<CatalogSettings>): CatalogContext {
  return {
    domain: "example.com",
    networkName: "harness",
    hostname: (subdomain) => `${subdomain}.example.com`,
    routes: [],
    enabledServices: new Set(),
    addressesOf: () => [],
    operatorKeys: new Set(),
    settings: { mailDomains: ["example.com"], mailHostname: "mail.example.com", pilerTransparencyNoticeConfirmed: false, ...settings },
    hostPrograms: {},
  };
}

describe("Cockpit's image", () => {
  it("is the floating tag, with its reason, until the operator gives a digest", () => {
    const service = cockpit(contextWith({})) as ContainerService;
    expect(service.image).toBe(COCKPIT_IMAGE);
    expect(service.floatingTagReason).toMatch(/cockpitImageDigest/);
  });

  it("is pinned by the operator's digest: quay.io/cockpit/ws:latest@sha256:…", () => {
    const service = cockpit(contextWith({ cockpitImageDigest: DIGEST })) as ContainerService;
    expect(service.image).toBe(`quay.io/cockpit/ws:latest@${DIGEST}`);
  });

  it("cockpitImageDigest accepts only sha256:<64 lower-case hex>", () => {
    const schema = CONFIG_KEYS.cockpitImageDigest.schema;
    expect(schema.safeParse(DIGEST).success).toBe(true);
    for (const bad of ["0123", DIGEST.toUpperCase(), `${DIGEST}0`, `quay.io/cockpit/ws@${DIGEST}`, "sha512:ab"]) {
      const result = schema.safeParse(bad);
      expect(result.success, bad).toBe(false);
      expect(result.error?.issues[0]?.message).toMatch(/^expected an image digest "sha256:" followed by 64 lower-case hex digits/);
    }
  });
});
