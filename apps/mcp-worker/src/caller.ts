/**
 * Who is calling, as the verified Access token says: a person (an identity-provider login, with an
 * email) or a service token (an agent runtime, named by the token's client id). This is what the run
 * ledger records and what the sender rules key on; nothing the caller sends in a request can change it.
 */
export interface Caller {
  /** `human` for a person, `agent` for a service token (run_ledger.actor_kind). */
  kind: "human" | "agent";
  /** The person's email (lower-cased), or the service token's actor name from the sender rules (run_ledger.actor_id). */
  id: string;
  /** The verified email address of a person; absent for a service token. */
  email?: string;
  /** The service token's client id (`common_name`); absent for a person. */
  serviceTokenClientId?: string;
}

/**
 * The caller named by a verified token's claims, or why none is. A login token carries `email`; a
 * service-token token carries `common_name` (its client id) and an empty `sub`.
 */
export function callerFromClaims(
  claims: Readonly<Record<string, unknown>>,
  actorNameOf: (clientId: string) => string | undefined,
): { ok: true; caller: Caller } | { ok: false; reason: string } {
  if (typeof claims["email"] === "string" && claims["email"] !== "") {
    const email = claims["email"].toLowerCase();
    return { ok: true, caller: { kind: "human", id: email, email } };
  }
  if (typeof claims["common_name"] === "string" && claims["common_name"] !== "") {
    const clientId = claims["common_name"];
    return {
      ok: true,
      caller: { kind: "agent", id: actorNameOf(clientId) ?? `service-token:${clientId}`, serviceTokenClientId: clientId },
    };
  }
  return { ok: false, reason: "the Access token names neither a person (email) nor a service token (common_name)" };
}
