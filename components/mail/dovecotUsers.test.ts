import { describe, expect, it } from "vitest";
import { configErrorOf } from "../../test/support/configErrors";
import { fedoraConfig } from "../../test/support/fedoraConfig";
import { parseMailUsers, renderDovecotUsers } from "./dovecotUsers";

// What `doveadm pw -s SHA512-CRYPT` and plain `doveadm pw` (bcrypt) print (Dovecot 2.3.19).
const SHA512 = "{SHA512-CRYPT}$6$c6nY0YBhJrHMKUeK$uT0spDtl92iLz6Xcu7zrrC8OjhKTS13Ugt0YRIdRFpYOb78eTF8B.puiJU5WPuCCAE9.zFZPUhbpIYVs6NNRS/";
const BCRYPT = "{CRYPT}$2y$05$JCCp2hrkWeIBxVf94q2wVu73Z/FHkt8CmapAsnGHlAQ7OZ9SroKl6";
const KEY = "paperclip-harness:mailUsers";

describe("mailUsers → Dovecot's passwd-file", () => {
  it("accepts pasted doveadm output, one line per address, and writes the userdb fields Dovecot needs", () => {
    const parsed = parseMailUsers(`# the team\r\nCEO@Sodimo.eu:${SHA512}\n\n  ops@sodimo.eu:${BCRYPT}  \nold@sodimo.eu:${SHA512}::::::\n`);
    expect(parsed).toEqual({
      ok: true,
      users: [
        { address: "ceo@sodimo.eu", password: SHA512 },
        { address: "ops@sodimo.eu", password: BCRYPT.replace("{CRYPT}", "{BLF-CRYPT}") },
        { address: "old@sodimo.eu", password: SHA512 },
      ],
    });
    if (!parsed.ok) return;
    const file = renderDovecotUsers(parsed.users);
    // user:password:uid:gid:gecos:home:shell:extra — the six userdb fields present, empty (default_fields fill them).
    expect(file.split("\n").filter((l) => !l.startsWith("#") && l !== "")).toEqual([
      `ceo@sodimo.eu:${SHA512}::::::`,
      `ops@sodimo.eu:${BCRYPT.replace("{CRYPT}", "{BLF-CRYPT}")}::::::`,
      `old@sodimo.eu:${SHA512}::::::`,
    ]);
  });

  it("accepts a comment alone (no mailbox yet) and a bare $6$ hash", () => {
    expect(parseMailUsers("# nobody yet\n")).toEqual({ ok: true, users: [] });
    expect(parseMailUsers(`a@b.eu:${SHA512.replace("{SHA512-CRYPT}", "")}`)).toEqual({
      ok: true,
      users: [{ address: "a@b.eu", password: SHA512 }],
    });
  });

  it("names the line and what is wrong, never the hash or a password typed in its place", () => {
    const result = parseMailUsers(
      [
        "ceo@sodimo.eu:hunter2-plaintext",
        "hunter3-no-colon",
        `ceo@sodimo.eu:${SHA512}`,
        `ceo@sodimo.eu:${SHA512}`,
        `x@sodimo.eu:{PLAIN}hunter4`,
        `y@sodimo.eu:${SHA512}:1000:1000::/home/y::`,
        `z@sodimo.eu:{BLF-CRYPT}${SHA512.slice(14)}`,
      ].join("\n"),
    );
    expect(result.ok).toBe(false);
    const problems = result.ok ? [] : result.problems;
    expect(problems).toEqual([
      expect.stringMatching(/^line 1 \(ceo@sodimo\.eu\): expected `address:\{SHA512-CRYPT\}\$6\$…`.*not a SHA512-CRYPT or BLF-CRYPT hash/),
      expect.stringMatching(/^line 2: .*the part before the first colon is not an email address/),
      expect.stringMatching(/^line 4 \(ceo@sodimo\.eu\): the address is listed twice/),
      expect.stringMatching(/^line 5 \(x@sodimo\.eu\): .*\{PLAIN\} is not a scheme accepted here/),
      expect.stringMatching(/^line 6 \(y@sodimo\.eu\): .*more fields than the address and the hash/),
      expect.stringMatching(/^line 7 \(z@sodimo\.eu\): .*does not match its scheme \{BLF-CRYPT\}/),
    ]);
    for (const secret of ["hunter", "$6$c6nY", "uT0sp"]) expect(problems.join("\n")).not.toContain(secret);
  });

  it("is the setting's schema: the plan gets the rendered file, a bad line is a ConfigError naming the key", () => {
    expect(fedoraConfig({ [KEY]: `ceo@sodimo.eu:${SHA512}` }).mailUsers).toBe(
      `# Managed by paperclip-harness (Pulumi), from the mailUsers setting.\nceo@sodimo.eu:${SHA512}::::::\n`,
    );
    const message = configErrorOf(() => fedoraConfig({ [KEY]: `ceo@sodimo.eu:${SHA512}\nceo@sodimo.eu:hunter2` }));
    expect(message).toContain(`${KEY} = (secret): line 2 (ceo@sodimo.eu): expected`);
    expect(message).not.toContain("hunter2");
    expect(message).not.toContain("uT0sp");
  });

  it("offline, the encrypted value's stand-in is a comment, so the stack checks without mailboxes", () => {
    expect(fedoraConfig().mailUsers).toMatch(/^# Managed by paperclip-harness \(Pulumi\), from the mailUsers setting\.\n$/);
  });
});
