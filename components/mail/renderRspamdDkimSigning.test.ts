import { describe, expect, it } from "vitest";
import { renderRspamdDkimSigning } from "./renderRspamdDkimSigning";

describe("renderRspamdDkimSigning", () => {
  const config = { domains: ["sodimo.eu", "yallafood.eu"], keyFile: "/run/secrets/rspamd-dkim.key", selector: "dkim" };

  it("signs the mail domains only, with the generated key, for logins and loopback (the drain) only", () => {
    const text = renderRspamdDkimSigning(config);
    expect(text).toMatchSnapshot();
    expect(text).toContain('  "yallafood.eu" {\n    path = "/run/secrets/rspamd-dkim.key";\n    selector = "dkim";\n  }');
    expect(text).toContain("try_fallback = false;");
    expect(text).toContain("sign_local = false;");
    expect(text).toContain('sign_networks = ["127.0.0.0/8", "::1/128"];');
    expect(text).not.toMatch(/^path =/m);
  });

  it("refuses values that would break the file", () => {
    expect(() => renderRspamdDkimSigning({ ...config, keyFile: '/x";' })).toThrow(/invalid key file/);
    expect(() => renderRspamdDkimSigning({ ...config, selector: "a b" })).toThrow(/invalid selector/);
    expect(() => renderRspamdDkimSigning({ ...config, domains: ['x" { path = "/etc/shadow'] })).toThrow(/invalid domain/);
    expect(() => renderRspamdDkimSigning({ ...config, domains: [] })).toThrow(/at least one domain/);
  });
});
