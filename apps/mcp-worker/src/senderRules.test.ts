import { describe, expect, it } from "vitest";
import { callerFromClaims, type Caller } from "./caller";
import { SenderRules } from "./senderRules";

const CLIENT_ID = "0123456789abcdef0123456789abcdef.access";
const rulesJson = JSON.stringify({
  personDomains: ["Sodimo.eu"],
  serviceTokens: { [CLIENT_ID]: { actor: "paperclip-agents", senders: ["agents@sodimo.eu", "Sales@sodimo.eu"] } },
});

function rules(json: string = rulesJson): SenderRules {
  const parsed = SenderRules.parse(json);
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.rules;
}

const person = (email: string): Caller => ({ kind: "human", id: email, email });
const agent: Caller = { kind: "agent", id: "paperclip-agents", serviceTokenClientId: CLIENT_ID };

describe("SenderRules", () => {
  it("lets a person of a company domain send as their own address only", () => {
    expect(rules().sendersFor(person("ann@sodimo.eu"))).toEqual(["ann@sodimo.eu"]);
    expect(rules().allows(person("ann@sodimo.eu"), { localPart: "ann", domain: "SODIMO.EU" })).toBe(true);
    expect(rules().allows(person("ann@sodimo.eu"), { localPart: "ceo", domain: "sodimo.eu" })).toBe(false);
    expect(rules().sendersFor(person("eve@elsewhere.example"))).toEqual([]);
    expect(rules().sendersFor(person("eve@mail.sodimo.eu"))).toEqual([]);
  });

  it("lets a service token send as its listed addresses, local parts exactly", () => {
    expect(rules().sendersFor(agent)).toEqual(["agents@sodimo.eu", "Sales@sodimo.eu"]);
    expect(rules().allows(agent, { localPart: "Sales", domain: "sodimo.eu" })).toBe(true);
    expect(rules().allows(agent, { localPart: "sales", domain: "sodimo.eu" })).toBe(false);
    expect(rules().sendersFor({ ...agent, serviceTokenClientId: "other.access" })).toEqual([]);
    expect(rules().actorOf(CLIENT_ID)).toBe("paperclip-agents");
    expect(rules().actorOf("other.access")).toBeUndefined();
  });

  it.each([
    ["{", /^SENDER_RULES is not JSON/],
    ["[]", /^SENDER_RULES must be a JSON object$/],
    [JSON.stringify({ personDomains: [], serviceTokens: {}, extra: 1 }), /unknown key\(s\) extra/],
    [JSON.stringify({ personDomains: ["localhost"], serviceTokens: {} }), /personDomains: "localhost": domain is not fully qualified/],
    [JSON.stringify({ personDomains: [], serviceTokens: [] }), /serviceTokens must be an object keyed by service token client id/],
    [
      JSON.stringify({ personDomains: [], serviceTokens: { x: { actor: "Bad Name", senders: ["a@b.example"] } } }),
      /serviceTokens\["x"\]\.actor must match/,
    ],
    [
      JSON.stringify({ personDomains: [], serviceTokens: { x: { actor: "bots", senders: [] } } }),
      /serviceTokens\["x"\]\.senders must be a non-empty list/,
    ],
    [
      JSON.stringify({ personDomains: [], serviceTokens: { x: { actor: "bots", senders: ["@sodimo.eu"] } } }),
      /serviceTokens\["x"\]\.senders: "@sodimo\.eu": /,
    ],
  ])("refuses %s with a reason", (json, reason) => {
    const parsed = SenderRules.parse(json);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.reason).toMatch(reason);
  });
});

describe("callerFromClaims", () => {
  const actorOf = (clientId: string) => rules().actorOf(clientId);

  it("a login is a person, by the lower-cased email", () => {
    expect(callerFromClaims({ email: "Ann@Sodimo.eu", sub: "7335d417" }, actorOf)).toEqual({
      ok: true,
      caller: { kind: "human", id: "ann@sodimo.eu", email: "ann@sodimo.eu" },
    });
  });

  it("a service token is an agent, named by the rules or by its client id", () => {
    expect(callerFromClaims({ common_name: CLIENT_ID, sub: "" }, actorOf)).toEqual({ ok: true, caller: agent });
    expect(callerFromClaims({ common_name: "other.access", sub: "" }, actorOf)).toEqual({
      ok: true,
      caller: { kind: "agent", id: "service-token:other.access", serviceTokenClientId: "other.access" },
    });
  });

  it("a token naming nobody is refused", () => {
    expect(callerFromClaims({ email: "", common_name: 42 }, actorOf)).toEqual({
      ok: false,
      reason: expect.stringMatching(/names neither a person/),
    });
  });
});
