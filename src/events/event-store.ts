import type { SqlRunner } from "../db/database.js";
import { empty, raw, type Sql, sql } from "../db/sql.js";
import { EVENT_ROW_COLUMNS, type EventJson, type EventRow, toEventJson } from "./event-json.js";
import type { EventPosition } from "./event-position.js";
import type { EventType } from "./event-writer.js";

// The events table (data plane): reading the log without gaps, and deleting what retention allows.
// Events are appended by event-writer.ts in the same statement or transaction as the change itself.
//
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
export const READABLE_TXID_BOUND = raw(`(
  SELECT COALESCE(min(x.xid), pg_snapshot_xmax(pg_current_snapshot()))
    FROM pg_snapshot_xip(pg_current_snapshot()) AS x(xid)
   WHERE xid(x.xid) NOT IN (
     SELECT a.backend_xid FROM pg_stat_get_activity(NULL) a
      WHERE a.backend_xid IS NOT NULL
        AND a.datid <> (SELECT oid FROM pg_database WHERE datname = current_database())))`);

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

/** The events API's page: readable events after `after`, in (txid, id) order. */
export async function readEvents(db: SqlRunner, query: EventQuery): Promise<EventPage> {
  const rows = await db.query<EventRow & { txid: string }>(sql`
    SELECT e.txid::text AS txid, ${EVENT_ROW_COLUMNS}
      FROM events e JOIN directories d ON d.id = e.directory_id
     WHERE (e.txid, e.id) > (${query.after?.txid ?? "0"}::xid8, ${query.after?.id ?? "0"}::bigint)
       AND e.txid < ${READABLE_TXID_BOUND}
       ${query.directoryId ? sql`AND e.directory_id = ${query.directoryId}::uuid` : empty}
       ${query.types?.length ? sql`AND e.type = ANY(${query.types}::text[])` : empty}
     ORDER BY e.txid, e.id
     LIMIT ${query.limit}`);
  const tail = rows.at(-1);
  return { events: rows.map(toEventJson), last: tail ? { txid: tail.txid, id: tail.id } : query.after };
}

/**
 * The user an event is about: user.* events carry the user as `data`, membership events as `data.user`.
 * Spelled exactly as in the partial index events_user_id_idx (migration 20261202120000_console_event_lookup).
 */
const EVENT_USER_ID = raw(`(CASE WHEN e.type LIKE 'user.%' THEN e.data->>'id'
          WHEN e.type IN ('group.user_added', 'group.user_removed') THEN e.data->'user'->>'id' END)`);

export interface NewestEventQuery {
  directoryId: string;
  limit: number;
  types?: readonly EventType[];
  /** Only events about this user (user.* and group.user_added/removed). */
  userId?: string;
  /** Events with a smaller id than this one (the last id of the previous page). */
  beforeId?: string;
}

/**
 * One directory's events newest first, by id, for people reading them (the console), not for consumers:
 * a page is a snapshot, so an event whose transaction commits after a newer one was shown can fall between
 * pages. Consumers use readEvents. Returns up to `limit` events and whether older ones exist.
 */
export async function readNewestEvents(db: SqlRunner, query: NewestEventQuery): Promise<{ events: EventJson[]; more: boolean }> {
  const rows = await db.query<EventRow>(newestEventsSql(query));
  return { events: rows.slice(0, query.limit).map(toEventJson), more: rows.length > query.limit };
}

/** The statement of readNewestEvents (one row more than `limit`, to know whether older ones exist). */
export function newestEventsSql(query: NewestEventQuery): Sql {
  return sql`
    SELECT ${EVENT_ROW_COLUMNS}
      FROM events e JOIN directories d ON d.id = e.directory_id
     WHERE e.directory_id = ${query.directoryId}::uuid
       ${query.userId ? sql`AND ${EVENT_USER_ID} = ${query.userId}::text` : empty}
       ${query.types?.length ? sql`AND e.type = ANY(${query.types}::text[])` : empty}
       ${query.beforeId ? sql`AND e.id < ${query.beforeId}::bigint` : empty}
     ORDER BY e.id DESC
     LIMIT ${query.limit + 1}`;
}

/** An event as webhook fan-out sees it: where it goes (the directory's enabled endpoints) and its place in the log. */
export interface EventToDispatch extends EventPosition {
  directoryId: string;
  endpointIds: string[];
}

/**
 * The next readable events after `after` for fan-out, each with its directory's enabled endpoint ids
 * (joined here so fan-out needs one read, inside its transaction).
 */
export async function readEventsToDispatch(db: SqlRunner, after: EventPosition, limit: number): Promise<EventToDispatch[]> {
  const rows = await db.query<{ id: string; txid: string; directory_id: string; endpoint_ids: string[] }>(sql`
    SELECT e.id::text AS id, e.txid::text AS txid, e.directory_id,
           ARRAY(SELECT p.id::text FROM webhook_endpoints p
                  WHERE p.directory_id = e.directory_id AND p.disabled_at IS NULL ORDER BY p.created_at) AS endpoint_ids
      FROM events e
     WHERE (e.txid, e.id) > (${after.txid}::xid8, ${after.id}::bigint) AND e.txid < ${READABLE_TXID_BOUND}
     ORDER BY e.txid, e.id
     LIMIT ${limit}`);
  return rows.map((r) => ({ id: r.id, txid: r.txid, directoryId: r.directory_id, endpointIds: r.endpoint_ids }));
}

/** The position of one event (for replay "from event id"); undefined if it does not exist in the directory. */
export async function eventPosition(db: SqlRunner, directoryId: string, eventId: string): Promise<EventPosition | undefined> {
  const rows = await db.query<{ txid: string }>(
    sql`SELECT txid::text AS txid FROM events WHERE id = ${eventId}::bigint AND directory_id = ${directoryId}::uuid`,
  );
  return rows[0] ? { txid: rows[0].txid, id: eventId } : undefined;
}

/**
 * Deletes up to `batch` events older than `cutoff` that no open (pending or failed) delivery still needs;
 * with `keepUndispatched`, also keeps those fan-out has not reached. Returns how many went.
 */
export async function deleteOldEvents(db: SqlRunner, cutoff: Date, batch: number, keepUndispatched: boolean): Promise<number> {
  return db.execute(sql`
    DELETE FROM events WHERE id IN (
      SELECT e.id FROM events e
       WHERE e.occurred_at < ${cutoff}
         AND NOT EXISTS (SELECT 1 FROM webhook_deliveries w WHERE w.event_id = e.id AND w.status IN ('pending', 'failed'))
         AND (NOT ${keepUndispatched}::boolean
              OR (e.txid, e.id) <= (SELECT last_txid, last_event_id FROM webhook_dispatch_state WHERE id = 1))
       LIMIT ${batch})`);
}

/** How a directory's users and groups changed in one hour (created minus deleted), from its events. */
export interface HourlyCountChange {
  hour: Date;
  users: number;
  groups: number;
}

/** Per hour since `since`, the net change of users and groups (hours without such events are absent). */
export async function hourlyCountChanges(db: SqlRunner, directoryId: string, since: Date): Promise<HourlyCountChange[]> {
  return db.query<HourlyCountChange>(sql`
    SELECT date_trunc('hour', occurred_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS hour,
           (count(*) FILTER (WHERE type = 'user.created') - count(*) FILTER (WHERE type = 'user.deleted'))::int AS users,
           (count(*) FILTER (WHERE type = 'group.created') - count(*) FILTER (WHERE type = 'group.deleted'))::int AS groups
      FROM events
     WHERE directory_id = ${directoryId}::uuid AND occurred_at >= ${since}
       AND type IN ('user.created', 'user.deleted', 'group.created', 'group.deleted')
     GROUP BY 1 ORDER BY 1`);
}

/** Events ever written (the id sequence's position; pruning does not lower it), for the metrics scrape. */
export async function countEventsWritten(db: SqlRunner): Promise<number> {
  const [row] = await db.query<{ n: string }>(sql`SELECT CASE WHEN is_called THEN last_value ELSE 0 END AS n FROM events_id_seq`);
  return Number(row!.n);
}
