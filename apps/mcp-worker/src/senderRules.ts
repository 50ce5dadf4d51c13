/**
 * Who may send as whom through `email_send`, keyed on the verified caller (caller.ts):
 *
 * - a person sends as their own verified address, and only when its domain is one of `personDomains`
 *   (the company's; an Access policy that also let outsiders in would not let them send as themselves);
 * - a service token sends as the exact addresses listed for its client id, and is named in the ledger
 *   by its `actor` (`paperclip-agents`).
 *
 * The Worker gets the rules as JSON in `SENDER_RULES`; the stack writes them (it knows the service
 * token's client id). The drain's `ALLOWED_SENDERS` must cover every sender allowed here, or the mail
 * is dead-lettered there instead of sent.
 */
import { checkDomain, parseAddrSpec, type Mailbox } from "../../email-envelope/address";
import type { Caller } from "./caller";

export interface ServiceTokenRule {
  /** The name the ledger records for this token's calls. */
  actor: string;
  /** Exact sender addresses (`agents@sodimo.eu`); the first is the default `from`. */
  senders: string[];
}

export interface SenderRulesConfig {
  personDomains: string[];
  serviceTokens: Record<string, ServiceTokenRule>;
}

const ACTOR_NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;

export class SenderRules {
  private constructor(private readonly config: SenderRulesConfig) {}

  /** Parses `SENDER_RULES`; every problem is named, so a bad deploy fails with a readable reason. */
  static parse(json: string): { ok: true; rules: SenderRules } | { ok: false; reason: string } {
    let value: unknown;
    try {
      value = JSON.parse(json);
    } catch (error) {
      return { ok: false, reason: `SENDER_RULES is not JSON: ${error instanceof Error ? error.message : String(error)}` };
    }
    if (typeof value !== "object" || value === null || Array.isArray(value))
      return { ok: false, reason: "SENDER_RULES must be a JSON object" };
    const { personDomains, serviceTokens, ...unknown } = value as Record<string, unknown>;
    const extra = Object.keys(unknown);
    if (extra.length > 0) return { ok: false, reason: `SENDER_RULES: unknown key(s) ${extra.join(", ")}` };
    if (!Array.isArray(personDomains) || !personDomains.every((d) => typeof d === "string")) {
      return { ok: false, reason: "SENDER_RULES.personDomains must be a list of domains" };
    }
    for (const domain of personDomains) {
      const checked = checkDomain(domain);
      if (!checked.ok) return { ok: false, reason: `SENDER_RULES.personDomains: "${domain}": ${checked.reason}` };
    }
    if (typeof serviceTokens !== "object" || serviceTokens === null || Array.isArray(serviceTokens)) {
      return { ok: false, reason: "SENDER_RULES.serviceTokens must be an object keyed by service token client id" };
    }
    const tokens: Record<string, ServiceTokenRule> = {};
    for (const [clientId, rule] of Object.entries(serviceTokens as Record<string, unknown>)) {
      const where = `SENDER_RULES.serviceTokens["${clientId}"]`;
      if (typeof rule !== "object" || rule === null) return { ok: false, reason: `${where} must be an object {actor, senders}` };
      const { actor, senders } = rule as Record<string, unknown>;
      if (typeof actor !== "string" || !ACTOR_NAME.test(actor)) return { ok: false, reason: `${where}.actor must match ${ACTOR_NAME}` };
      if (!Array.isArray(senders) || senders.length === 0 || !senders.every((s) => typeof s === "string")) {
        return { ok: false, reason: `${where}.senders must be a non-empty list of addresses` };
      }
      for (const sender of senders) {
        const spec = parseAddrSpec(sender);
        if (!spec.ok) return { ok: false, reason: `${where}.senders: "${sender}": ${spec.reason}` };
      }
      tokens[clientId] = { actor, senders: senders };
    }
    return { ok: true, rules: new SenderRules({ personDomains: personDomains.map((d) => d.toLowerCase()), serviceTokens: tokens }) };
  }

  /** The ledger name of a service token, when the rules know it. */
  actorOf(clientId: string): string | undefined {
    return this.config.serviceTokens[clientId]?.actor;
  }

  /** The addresses `caller` may send as, in order; the first is the default. */
  sendersFor(caller: Caller): string[] {
    if (caller.kind === "human") {
      const domain = caller.email?.slice(caller.email.lastIndexOf("@") + 1);
      return caller.email !== undefined && domain !== undefined && this.config.personDomains.includes(domain) ? [caller.email] : [];
    }
    const rule = caller.serviceTokenClientId === undefined ? undefined : this.config.serviceTokens[caller.serviceTokenClientId];
    return rule?.senders ?? [];
  }

  /** Whether `caller` may send as `from` (by address: the display name plays no part). */
  allows(caller: Caller, from: Pick<Mailbox, "localPart" | "domain">): boolean {
    return this.sendersFor(caller).some((sender) => sameAddress(sender, from));
  }
}

/** Local parts compare exactly, domains case-insensitively (as the drain's allow-list does). */
function sameAddress(sender: string, mailbox: Pick<Mailbox, "localPart" | "domain">): boolean {
  const at = sender.lastIndexOf("@");
  return sender.slice(0, at) === mailbox.localPart && sender.slice(at + 1).toLowerCase() === mailbox.domain.toLowerCase();
}
