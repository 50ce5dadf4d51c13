/**
 * An address rule list, as the drain's per-producer sender and Reply-To rules are written
 * (`PRODUCER_<NAME>_SENDERS`, `PRODUCER_<NAME>_REPLY_TO`): comma-separated exact addresses (`ceo@sodimo.eu`)
 * and local-part patterns (`agent-*@sodimo.eu`, where `*` stands for any run of local-part characters,
 * dots included, possibly none).
 *
 * There is no whole-domain shorthand: `@sodimo.eu` is refused, and letting a producer use every local part of
 * a domain takes writing `*@sodimo.eu` on purpose. Matching is on the address only (the display name plays
 * no part; validateEnvelope.ts refuses address-like ones). Domains compare case-insensitively (RFC 5321
 * §2.4) and exactly (no subdomains); local parts compare case-sensitively, as the RFC allows them to be and as
 * a rule list is the place to be strict.
 */
import { parseAddrSpec, type Mailbox, type ParseResult } from "../email-envelope/address";

interface Entry {
  /** The local part as written; with `*` when `pattern` is set. */
  localPart: string;
  domain: string;
  pattern?: RegExp;
}

export class SenderAllowList {
  private constructor(private readonly entries: readonly Entry[]) {}

  static parse(list: string): ParseResult<SenderAllowList> {
    const entries: Entry[] = [];
    for (const raw of list
      .split(",")
      .map((item) => item.trim())
      .filter((item) => item !== "")) {
      if (raw.startsWith("@")) {
        return {
          ok: false,
          reason: `entry ${JSON.stringify(raw)}: whole domains are not accepted; list the addresses, or write *${raw} to allow every local part on purpose`,
        };
      }
      const spec = parseAddrSpec(raw);
      if (!spec.ok)
        return { ok: false, reason: `entry ${JSON.stringify(raw)}: ${spec.reason} (use addr@domain or a pattern such as agent-*@domain)` };
      const { localPart, domain } = spec.value;
      entries.push({
        localPart,
        domain: domain.toLowerCase(),
        ...(localPart.includes("*") && { pattern: new RegExp(`^${localPart.split("*").map(escapeRegExp).join("[^@]*")}$`) }),
      });
    }
    if (entries.length === 0) return { ok: false, reason: "no address is allowed (the list is empty)" };
    return { ok: true, value: new SenderAllowList(entries) };
  }

  allows(sender: Pick<Mailbox, "localPart" | "domain">): boolean {
    const domain = sender.domain.toLowerCase();
    return this.entries.some(
      (entry) =>
        entry.domain === domain &&
        (entry.pattern === undefined ? entry.localPart === sender.localPart : entry.pattern.test(sender.localPart)),
    );
  }

  /** The list as configured (domains lower-cased), for the startup log line. */
  describe(): string[] {
    return this.entries.map((entry) => `${entry.localPart}@${entry.domain}`);
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
