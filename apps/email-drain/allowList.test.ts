import { describe, expect, it } from "vitest";
import { parseMailbox } from "../email-envelope/address";
import { SenderAllowList } from "./allowList";

function allowList(list: string): SenderAllowList {
  const parsed = SenderAllowList.parse(list);
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.value;
}

function allows(list: string, sender: string): boolean {
  const mailbox = parseMailbox(sender);
  if (!mailbox.ok) throw new Error(mailbox.reason);
  return allowList(list).allows(mailbox.value);
}

describe("SenderAllowList", () => {
  it.each([
    ["exact address", "ceo@sodimo.eu", "ceo@sodimo.eu", true],
    ["another address at the same domain", "ceo@sodimo.eu", "cfo@sodimo.eu", false],
    ["every local part, written on purpose", "*@sodimo.eu", "anyone@sodimo.eu", true],
    ["domain case-insensitive (entry)", "*@SODIMO.eu", "anyone@sodimo.eu", true],
    ["local-part pattern", "agent-*@sodimo.eu", "agent-sales@sodimo.eu", true],
    ["local-part pattern with dots", "agent-*@sodimo.eu", "agent-sales.fr@sodimo.eu", true],
    ["local-part pattern: the prefix alone is a match too", "agent-*@sodimo.eu", "agent-@sodimo.eu", true],
    ["local-part pattern does not match another prefix", "agent-*@sodimo.eu", "ceo@sodimo.eu", false],
    ["local-part pattern is anchored", "agent-*@sodimo.eu", "x.agent-a@sodimo.eu", false],
    ["local-part pattern case-sensitive", "agent-*@sodimo.eu", "Agent-a@sodimo.eu", false],
    ["local-part pattern in the middle", "sales.*.fr@sodimo.eu", "sales.paris.fr@sodimo.eu", true],
    ["pattern characters other than * are literal", "a.b*@sodimo.eu", "axb@sodimo.eu", false],
    ["domain case-insensitive (sender)", "ceo@sodimo.eu", "ceo@Sodimo.EU", true],
    ["local part case-sensitive", "ceo@sodimo.eu", "CEO@sodimo.eu", false],
    ["display name ignored (allowed)", "ceo@sodimo.eu", "The CEO <ceo@sodimo.eu>", true],
    ["display name ignored (spoofed name)", "ceo@sodimo.eu", "ceo@sodimo.eu <intruder@evil.example>", false],
    ["subdomain not covered by *@domain", "*@sodimo.eu", "a@mail.sodimo.eu", false],
    ["parent domain not covered by *@sub", "*@mail.sodimo.eu", "a@sodimo.eu", false],
    ["suffix trick", "*@sodimo.eu", "a@evilsodimo.eu", false],
    ["exact address does not allow the domain", "ceo@sodimo.eu", "ceo@sodimo.eu.evil.example", false],
    ["several entries with spaces", " ceo@sodimo.eu , *@yallafood.eu,", "x@yallafood.eu", true],
  ])("%s", (_name, list, sender, expected) => {
    expect(allows(list, sender)).toBe(expected);
  });

  it.each([
    ["", "no address is allowed"],
    [" , ", "no address is allowed"],
    ["sodimo.eu", 'entry "sodimo.eu"'],
    ["@sodimo.eu", 'entry "@sodimo.eu": whole domains are not accepted; list the addresses, or write *@sodimo.eu'],
    ["agent-*@*.sodimo.eu", 'entry "agent-*@*.sodimo.eu"'],
    ["Ceo <ceo@sodimo.eu>", 'entry "Ceo <ceo@sodimo.eu>"'],
    ["@localhost", 'entry "@localhost"'],
  ])("rejects the list %j", (list, reason) => {
    const parsed = SenderAllowList.parse(list);
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.reason).toContain(reason);
  });

  it("describes itself normalised", () => {
    expect(allowList("ceo@Sodimo.EU, agent-*@YallaFood.eu").describe()).toEqual(["ceo@sodimo.eu", "agent-*@yallafood.eu"]);
  });
});
