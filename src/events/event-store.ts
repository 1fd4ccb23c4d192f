import type pg from "pg";
import { EVENT_ROW_COLUMNS, type EventJson, type EventRow, toEventJson } from "./event-json.js";
import type { EventPosition } from "./event-position.js";
import type { EventType } from "./event-writer.js";

// Reading the event log without gaps.
//
// Ids come from a sequence, so they are handed out in insert order but become visible in COMMIT order:
// transaction A takes id 10, B takes id 11 and commits first. A reader paging by id would return 11,
// move its cursor past 10, and never see 10 when A commits. So we order by (txid, id) and only return
// events whose writing transaction is below a bound B that no transaction can still commit under:
// every transaction with an xid below B has finished (committed or rolled back) and is visible to the
// statement's snapshot, and every transaction that starts later gets a larger xid, so the set of rows
// with txid < B can never grow "behind" a cursor. xid8 is 64-bit and never wraps.
//
// The obvious B is the snapshot's xmin, and it is correct, but we found it too weak in practice: xmin is
// cluster-wide, so one long transaction in ANY database of the server (a slow DROP DATABASE, a report,
// another app sharing the Postgres) freezes the event log and webhook delivery for as long as it runs;
// we hit exactly that in tests. So B = the smallest xid still in progress in the statement's snapshot
// that is not proven to belong to another database, or the snapshot's xmax when there is none. "Proven
// foreign" = listed by pg_stat_get_activity with another database's oid; a backend never changes
// database and xids are unique, so that proof cannot be wrong, and anything unproven (subtransaction
// xids, prepared transactions, stats not visible to our role) counts as ours, which is only slower.
// pg_current_snapshot() is the statement's own snapshot, so B and the rows scanned agree.
//
// What we checked and accept:
// - Latency, not correctness: a long transaction in our own database that holds an xid holds B back.
//   SCIM transactions are short; the pruning job deletes in small batches for this reason.
// - The reading session's own xid is not in its snapshot: never read events inside a transaction that
//   writes events (readers here use their own pool connection).
// - (txid, id) is the order in which transactions got their xid, not commit order. Two transactions that
//   change the same row are serialised by its row lock, and the second normally gets its xid at that
//   write, after the first committed; only a transaction that wrote other rows first (e.g. a SCIM Bulk
//   request) and then waited on the lock can be ordered before the change it waited for. Each event's
//   data carries the resource's updatedAt for consumers that must resolve such a race; docs/events.md says so.
// - Webhook fan-out and replay read with the same bound (READABLE_TXID_BOUND), so deliveries are never skipped.

/** SQL for the bound B described above (an xid8); events with txid < B are final. */
export const READABLE_TXID_BOUND = `(
  SELECT COALESCE(min(x.xid), pg_snapshot_xmax(pg_current_snapshot()))
    FROM pg_snapshot_xip(pg_current_snapshot()) AS x(xid)
   WHERE xid(x.xid) NOT IN (
     SELECT a.backend_xid FROM pg_stat_get_activity(NULL) a
      WHERE a.backend_xid IS NOT NULL
        AND a.datid <> (SELECT oid FROM pg_database WHERE datname = current_database())))`;

export interface EventQuery {
  after?: EventPosition;
  limit: number;
  types?: readonly EventType[];
  directoryId?: string;
}

export interface EventPage {
  events: EventJson[];
  /** Position of the last returned event; `after` when nothing new is readable yet. */
  last: EventPosition | undefined;
}

export async function readEvents(pool: pg.Pool, query: EventQuery): Promise<EventPage> {
  const params: unknown[] = [query.after?.txid ?? "0", query.after?.id ?? "0", query.limit];
  const filters: string[] = [];
  if (query.directoryId) {
    params.push(query.directoryId);
    filters.push(`AND e.directory_id = $${params.length}::uuid`);
  }
  if (query.types?.length) {
    params.push(query.types);
    filters.push(`AND e.type = ANY($${params.length}::text[])`);
  }
  const { rows } = await pool.query<EventRow & { txid: string }>(
    `SELECT e.txid::text AS txid, ${EVENT_ROW_COLUMNS}
       FROM events e JOIN directories d ON d.id = e.directory_id
      WHERE (e.txid, e.id) > ($1::xid8, $2::bigint)
        AND e.txid < ${READABLE_TXID_BOUND}
        ${filters.join(" ")}
      ORDER BY e.txid, e.id
      LIMIT $3`,
    params,
  );
  const tail = rows.at(-1);
  return { events: rows.map(toEventJson), last: tail ? { txid: tail.txid, id: tail.id } : query.after };
}

/** The position of one event (for replay "from event id"); undefined if it does not exist in the directory. */
export async function eventPosition(pool: pg.Pool, directoryId: string, eventId: string): Promise<EventPosition | undefined> {
  const { rows } = await pool.query<{ txid: string }>(
    "SELECT txid::text AS txid FROM events WHERE id = $1::bigint AND directory_id = $2::uuid",
    [eventId, directoryId],
  );
  return rows[0] ? { txid: rows[0].txid, id: eventId } : undefined;
}
