/** The Worker's rows in `run_ledger` (apps/d1/migrations/ledger): one per `email_send` call, pathway `mcp`. */
import type { D1Database } from "@cloudflare/workers-types/2023-07-01";
import type { Caller } from "./caller";

export const LEDGER_PATHWAY = "mcp";

export interface LedgerEntry {
  id: string;
  occurredAt: string;
  action: string;
  /** The envelope id for `email_send`. */
  reference: string | null;
  metadata: Record<string, unknown>;
}

export interface LedgerRow {
  id: string;
  occurred_at: string;
  actor_kind: string;
  actor_id: string;
  pathway: string;
  action: string;
  reference: string | null;
  metadata: string;
}

export async function recordCrossing(db: D1Database, caller: Caller, entry: LedgerEntry): Promise<void> {
  await db
    .prepare(
      `INSERT INTO run_ledger (id, occurred_at, actor_kind, actor_id, pathway, action, reference, metadata)
       VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)`,
    )
    .bind(entry.id, entry.occurredAt, caller.kind, caller.id, LEDGER_PATHWAY, entry.action, entry.reference, JSON.stringify(entry.metadata))
    .run();
}

/** Changes what a row says happened, once the outcome is known (the queue refused the message). */
export async function updateOutcome(db: D1Database, id: string, metadata: Record<string, unknown>): Promise<void> {
  await db.prepare("UPDATE run_ledger SET metadata = ?2 WHERE id = ?1").bind(id, JSON.stringify(metadata)).run();
}

/** The caller's own crossings, newest first, on every pathway: nobody reads another caller's rows here. */
export async function recentCrossings(db: D1Database, caller: Caller, limit: number): Promise<LedgerRow[]> {
  const result = await db
    .prepare(
      `SELECT id, occurred_at, actor_kind, actor_id, pathway, action, reference, metadata FROM run_ledger
       WHERE actor_kind = ?1 AND actor_id = ?2 ORDER BY occurred_at DESC, id DESC LIMIT ?3`,
    )
    .bind(caller.kind, caller.id, limit)
    .all<LedgerRow>();
  return result.results;
}
