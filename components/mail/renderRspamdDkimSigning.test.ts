import { describe, expect, it } from "vitest";
import { renderRspamdDkimSigning } from "./renderRspamdDkimSigning";

describe("renderRspamdDkimSigning", () => {
  it("signs authenticated and local mail with the keys in the data volume", () => {
    const text = renderRspamdDkimSigning({ keyDirectory: "/var/lib/rspamd/dkim", selector: "dkim" });
    expect(text).toMatchSnapshot();
    expect(text).toContain('path = "/var/lib/rspamd/dkim/$domain.$selector.key";');
    expect(text).toContain("allow_username_mismatch = true;");
  });

  it("refuses values that would break the file", () => {
    expect(() => renderRspamdDkimSigning({ keyDirectory: '/x";', selector: "dkim" })).toThrow(/invalid key directory/);
    expect(() => renderRspamdDkimSigning({ keyDirectory: "/x", selector: "a b" })).toThrow(/invalid selector/);
  });
});
