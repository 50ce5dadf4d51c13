import { describe, expect, it } from "vitest";
import { renderCockpitConf } from "./renderCockpitConf";

describe("renderCockpitConf", () => {
  it("accepts proxied HTTPS from its public origin only", () => {
    const text = renderCockpitConf("cockpit.sodimo.eu");
    expect(text).toMatchSnapshot();
    expect(text).toContain("Origins = https://cockpit.sodimo.eu wss://cockpit.sodimo.eu");
    expect(text).toContain("ProtocolHeader = X-Forwarded-Proto");
    expect(text).toContain("LoginTo = false");
  });

  it("refuses a hostname that would break the file", () => {
    expect(() => renderCockpitConf("cockpit.sodimo.eu\nAllowUnencrypted = true")).toThrow(/invalid hostname/);
  });
});
