import type { SqlRunner } from "../db/database.js";
import { sql } from "../db/sql.js";
import type { EventPosition } from "../events/event-position.js";

// The webhook_dispatch_state table (data plane): the single row (id 1) holding how far fan-out has read
// the event log, and the advisory lock that lets one instance at a time move it.

const DISPATCH_LOCK_ID = 7270736901;

/** Takes the fan-out lock for the rest of the transaction; false when another instance holds it. */
export async function tryDispatchLock(tx: SqlRunner): Promise<boolean> {
  const rows = await tx.query<{ locked: boolean }>(sql`SELECT pg_try_advisory_xact_lock(${DISPATCH_LOCK_ID}::bigint) AS locked`);
  return rows[0]?.locked === true;
}

export async function readDispatchPosition(tx: SqlRunner): Promise<EventPosition> {
  const rows = await tx.query<EventPosition>(
    sql`SELECT last_txid::text AS txid, last_event_id::text AS id FROM webhook_dispatch_state WHERE id = 1`,
  );
  return rows[0] ?? { txid: "0", id: "0" };
}

export async function advanceDispatchPosition(tx: SqlRunner, to: EventPosition): Promise<void> {
  await tx.execute(sql`
    UPDATE webhook_dispatch_state SET last_txid = ${to.txid}::xid8, last_event_id = ${to.id}::bigint, updated_at = now()
     WHERE id = 1`);
}
