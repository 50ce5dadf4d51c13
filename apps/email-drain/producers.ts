/**
 * The producers the drain accepts mail from, each with its key and its own sender rules (docs/email-drain.md
 * §Producers). An envelope names its producer; the drain sends it only when the signature verifies with
 * that producer's key (apps/email-envelope/producerAuth.ts) and its From (and Reply-To) are allowed for that
 * producer, and de-duplicates it by `<producer>.<id>`.
 */
import type { Mailbox } from "../email-envelope/address";
import { verifyEnvelopeAuth } from "../email-envelope/producerAuth";
import type { ValidatedEmail } from "../email-envelope/validateEnvelope";
import type { SenderAllowList } from "./allowList";

export interface Producer {
  name: string;
  /** 64 hex characters (secret). */
  key: string;
  senders: SenderAllowList;
  /** Where Reply-To may point; undefined: only to an address the producer may send as. `none`: never. */
  replyTo: SenderAllowList | "none" | undefined;
}

export type ProducerCheck = { ok: true } | { ok: false; reason: "producer-not-authenticated" | "sender-not-allowed"; detail: string };

export class ProducerRegistry {
  private readonly byName: ReadonlyMap<string, Producer>;

  constructor(producers: readonly Producer[]) {
    this.byName = new Map(producers.map((producer) => [producer.name, producer]));
  }

  /** Whether the envelope really comes from the producer it names, and that producer may send it as addressed. */
  async check(email: Pick<ValidatedEmail, "producer" | "auth" | "signedText" | "from" | "replyTo">): Promise<ProducerCheck> {
    const producer = this.byName.get(email.producer);
    if (producer === undefined) {
      return { ok: false, reason: "producer-not-authenticated", detail: `producer ${email.producer} is not in PRODUCERS` };
    }
    if (!(await verifyEnvelopeAuth(email.signedText, email.auth, producer.key))) {
      return {
        ok: false,
        reason: "producer-not-authenticated",
        detail: `the signature does not verify with producer ${producer.name}'s key (forged, altered, or signed with another key)`,
      };
    }
    const variable = `PRODUCER_${producer.name.toUpperCase()}`;
    if (!producer.senders.allows(email.from)) {
      return {
        ok: false,
        reason: "sender-not-allowed",
        detail: `sender ${email.from.address} is not allowed for producer ${producer.name} (${variable}_SENDERS)`,
      };
    }
    if (email.replyTo !== undefined && !replyToAllowed(producer, email.replyTo)) {
      return {
        ok: false,
        reason: "sender-not-allowed",
        detail: `Reply-To ${email.replyTo.address} is not allowed for producer ${producer.name} (${variable}_REPLY_TO${producer.replyTo === undefined ? `, unset: only the ${variable}_SENDERS addresses` : ""})`,
      };
    }
    return { ok: true };
  }

  /** The rules as configured (never the keys), for the startup log line: `mcp: senders a@x,b-*@x; reply-to senders`. */
  describe(): string[] {
    return [...this.byName.values()].map((producer) => {
      const replyTo =
        producer.replyTo === undefined ? "senders" : producer.replyTo === "none" ? "none" : producer.replyTo.describe().join(",");
      return `${producer.name}: senders ${producer.senders.describe().join(",")}; reply-to ${replyTo}`;
    });
  }
}

function replyToAllowed(producer: Producer, replyTo: Pick<Mailbox, "localPart" | "domain">): boolean {
  if (producer.replyTo === "none") return false;
  return (producer.replyTo ?? producer.senders).allows(replyTo);
}
