/**
 * The sender allow-list (`ALLOWED_SENDERS`): comma-separated exact addresses (`ceo@sodimo.eu`) and whole
 * domains (`@sodimo.eu`).
 *
 * Matching is on the address only; the display name plays no part. Domains compare case-insensitively
 * (RFC 5321 §2.4); local parts compare exactly, as the RFC says they may be case-sensitive and an allow-list is
 * the place to be strict. `@sodimo.eu` does not cover `mail.sodimo.eu`: every domain is listed explicitly.
 */
import { checkDomain, parseAddrSpec, type Mailbox, type ParseResult } from "../email-envelope/address";

type Entry = { kind: "address"; localPart: string; domain: string } | { kind: "domain"; domain: string };

export class SenderAllowList {
  private constructor(private readonly entries: readonly Entry[]) {}

  static parse(list: string): ParseResult<SenderAllowList> {
    const entries: Entry[] = [];
    for (const raw of list
      .split(",")
      .map((item) => item.trim())
      .filter((item) => item !== "")) {
      if (raw.startsWith("@")) {
        const domain = checkDomain(raw.slice(1));
        if (!domain.ok) return { ok: false, reason: `entry "${raw}": ${domain.reason}` };
        entries.push({ kind: "domain", domain: domain.value.toLowerCase() });
      } else {
        const spec = parseAddrSpec(raw);
        if (!spec.ok) return { ok: false, reason: `entry "${raw}": ${spec.reason} (use addr@domain or @domain)` };
        // "*" is a legal local part, but here it is surely a wildcard that would silently match nothing.
        if (spec.value.localPart === "*") return { ok: false, reason: `entry "${raw}": write @domain to allow a domain` };
        entries.push({ kind: "address", localPart: spec.value.localPart, domain: spec.value.domain.toLowerCase() });
      }
    }
    if (entries.length === 0) return { ok: false, reason: "no sender is allowed (the list is empty)" };
    return { ok: true, value: new SenderAllowList(entries) };
  }

  allows(sender: Pick<Mailbox, "localPart" | "domain">): boolean {
    const domain = sender.domain.toLowerCase();
    return this.entries.some((entry) => entry.domain === domain && (entry.kind === "domain" || entry.localPart === sender.localPart));
  }

  /** The list as configured (normalised), for the startup log line. */
  describe(): string[] {
    return this.entries.map((entry) => (entry.kind === "domain" ? `@${entry.domain}` : `${entry.localPart}@${entry.domain}`));
  }
}
