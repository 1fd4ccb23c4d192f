import type { SqlRunner } from "../db/database.js";
import { empty, sql } from "../db/sql.js";
import { EVENT_ROW_COLUMNS, type EventRow } from "../events/event-json.js";
import type { EventPosition } from "../events/event-position.js";
import { READABLE_TXID_BOUND } from "../events/event-store.js";

// The webhook_deliveries table (data plane): one row per (endpoint, event), in its stream's event order.
// Callers that need several statements to agree (fan-out, retry, completing a stream) run these inside
// db.transaction and lock the stream row first (webhook-stream-store.ts).

export type DeliveryStatus = "pending" | "failed" | "succeeded" | "dead";

/** A delivery as the delivery log shows it, with its event type and endpoint URL. */
export interface DeliveryRow {
  id: string;
  event_id: string;
  event_type: string | null;
  endpoint_id: string | null;
  url: string | null;
  status: DeliveryStatus;
  attempts: number;
  last_status_code: number | null;
  last_error: string | null;
  next_attempt_at: Date;
  delivered_at: Date | null;
  created_at: Date;
  updated_at: Date;
  /** when the newest attempt in its history started (retries and replays reset `attempts`, not the history) */
  last_attempt_at: Date | null;
}

const SELECT_DELIVERY = sql`
  SELECT w.id::text, w.event_id::text, e.type AS event_type, w.endpoint_id, p.url, w.status, w.attempts,
         w.last_status_code, w.last_error, w.next_attempt_at, w.delivered_at, w.created_at, w.updated_at,
         (SELECT a.at FROM webhook_delivery_attempts a WHERE a.delivery_id = w.id ORDER BY a.id DESC LIMIT 1) AS last_attempt_at
    FROM webhook_deliveries w
    LEFT JOIN events e ON e.id = w.event_id
    LEFT JOIN webhook_endpoints p ON p.id = w.endpoint_id`;

/** Newest first, up to `limit` rows with an id below `before`. */
export async function listDeliveryRows(
  db: SqlRunner,
  directoryId: string,
  query: { status?: DeliveryStatus; before?: string; limit: number },
): Promise<DeliveryRow[]> {
  return db.query<DeliveryRow>(sql`${SELECT_DELIVERY}
    WHERE w.directory_id = ${directoryId}::uuid
      ${query.status ? sql`AND w.status = ${query.status}` : empty}
      ${query.before ? sql`AND w.id < ${query.before}::bigint` : empty}
    ORDER BY w.id DESC LIMIT ${query.limit}`);
}

/** One delivery; with `directoryId`, only if it belongs to that directory. */
export async function findDeliveryRow(db: SqlRunner, deliveryId: string, directoryId?: string): Promise<DeliveryRow | undefined> {
  const ofDirectory = directoryId ? sql`AND w.directory_id = ${directoryId}::uuid` : empty;
  return (await db.query<DeliveryRow>(sql`${SELECT_DELIVERY} WHERE w.id = ${deliveryId}::bigint ${ofDirectory}`))[0];
}

/** Locks one delivery row (in a transaction) and returns its status and stream. */
export async function lockDelivery(tx: SqlRunner, deliveryId: string): Promise<{ status: DeliveryStatus; streamId: string } | undefined> {
  const rows = await tx.query<{ status: DeliveryStatus; stream_id: string }>(
    sql`SELECT status, stream_id::text FROM webhook_deliveries WHERE id = ${deliveryId}::bigint FOR UPDATE`,
  );
  return rows[0] ? { status: rows[0].status, streamId: rows[0].stream_id } : undefined;
}

/** Makes a delivery pending now with a fresh retry schedule. */
export async function reopenDelivery(tx: SqlRunner, deliveryId: string): Promise<void> {
  await tx.execute(sql`
    UPDATE webhook_deliveries SET status = 'pending', attempts = 0, next_attempt_at = now(), updated_at = now()
     WHERE id = ${deliveryId}::bigint`);
}

export interface NewDelivery {
  streamId: string;
  directoryId: string;
  /** null: the global endpoint */
  endpointId: string | null;
  eventId: string;
  eventTxid: string;
}

/** Inserts deliveries in one statement; one that already exists for (endpoint, event) is left alone. */
export async function insertDeliveries(tx: SqlRunner, deliveries: NewDelivery[]): Promise<void> {
  if (deliveries.length === 0) return;
  await tx.execute(sql`
    INSERT INTO webhook_deliveries (stream_id, directory_id, endpoint_id, event_id, event_txid)
    SELECT * FROM unnest(${deliveries.map((d) => d.streamId)}::bigint[], ${deliveries.map((d) => d.directoryId)}::uuid[],
                         ${deliveries.map((d) => d.endpointId)}::uuid[], ${deliveries.map((d) => d.eventId)}::bigint[],
                         ${deliveries.map((d) => d.eventTxid)}::xid8[])
    ON CONFLICT (endpoint_id, event_id) DO NOTHING`);
}

/**
 * Queues the directory's readable events from `from` on (inclusive) to one endpoint's stream. Delivered or
 * dead deliveries are reopened under a new generation (a new webhook-id); open ones are left alone.
 */
export async function queueReplay(
  tx: SqlRunner,
  target: { streamId: string; directoryId: string; endpointId: string },
  from: EventPosition,
): Promise<number> {
  return tx.execute(sql`
    INSERT INTO webhook_deliveries (stream_id, directory_id, endpoint_id, event_id, event_txid)
    SELECT ${target.streamId}::bigint, e.directory_id, ${target.endpointId}::uuid, e.id, e.txid FROM events e
     WHERE e.directory_id = ${target.directoryId}::uuid AND (e.txid, e.id) >= (${from.txid}::xid8, ${from.id}::bigint)
       AND e.txid < ${READABLE_TXID_BOUND}
    ON CONFLICT (endpoint_id, event_id) DO UPDATE
      SET status = 'pending', attempts = 0, generation = webhook_deliveries.generation + 1,
          next_attempt_at = now(), delivered_at = NULL, updated_at = now()
      WHERE webhook_deliveries.status IN ('succeeded', 'dead')`);
}

export interface OpenDelivery {
  id: string;
  eventId: string;
  attempts: number;
  generation: number;
  nextAttemptAt: Date;
  /** undefined when the event no longer exists */
  event: EventRow | undefined;
}

/** The stream's open deliveries from its head, in event order, with their events. */
export async function loadOpenDeliveries(db: SqlRunner, streamId: string, limit: number): Promise<OpenDelivery[]> {
  const rows = await db.query<
    { delivery_id: string; event_id: string; attempts: number; generation: number; next_attempt_at: Date } & Partial<EventRow>
  >(sql`
    SELECT w.id::text AS delivery_id, w.event_id::text AS event_id, w.attempts, w.generation, w.next_attempt_at,
           ${EVENT_ROW_COLUMNS}
      FROM webhook_deliveries w
      LEFT JOIN events e ON e.id = w.event_id
      LEFT JOIN directories d ON d.id = e.directory_id
     WHERE w.stream_id = ${streamId}::bigint AND w.status IN ('pending', 'failed')
     ORDER BY w.event_txid, w.event_id
     LIMIT ${limit}`);
  return rows.map((r) => ({
    id: r.delivery_id,
    eventId: r.event_id,
    attempts: r.attempts,
    generation: r.generation,
    nextAttemptAt: r.next_attempt_at,
    event: r.id ? (r as EventRow) : undefined,
  }));
}

export interface DeliveryOutcome {
  deliveryId: string;
  status: "succeeded" | "failed" | "dead";
  attempts: number;
  statusCode: number | null;
  error: string | null;
  /** for "failed": when to try again */
  nextAttemptAt: Date | null;
  /** when the attempt started (its history row's time); the time of recording when absent */
  attemptedAt?: Date;
}

/** Records attempt outcomes, and each attempt in the delivery's history (webhook_delivery_attempts), in one statement. */
export async function recordOutcomes(tx: SqlRunner, outcomes: DeliveryOutcome[]): Promise<void> {
  if (outcomes.length === 0) return;
  // the history rows come from the UPDATE's RETURNING: only deliveries that still exist (and are now locked) get one
  await tx.execute(sql`
    WITH updated AS (
      UPDATE webhook_deliveries w
         SET status = o.status, attempts = o.attempts, last_status_code = o.code, last_error = o.error,
             next_attempt_at = COALESCE(o.next_at, w.next_attempt_at),
             delivered_at = CASE WHEN o.status = 'succeeded' THEN now() ELSE w.delivered_at END,
             updated_at = now()
        FROM unnest(${outcomes.map((o) => o.deliveryId)}::bigint[], ${outcomes.map((o) => o.status)}::text[],
                    ${outcomes.map((o) => o.attempts)}::int[], ${outcomes.map((o) => o.statusCode)}::int[],
                    ${outcomes.map((o) => o.error)}::text[], ${outcomes.map((o) => o.nextAttemptAt)}::timestamptz[],
                    ${outcomes.map((o) => o.attemptedAt ?? null)}::timestamptz[])
             AS o(id, status, attempts, code, error, next_at, attempted_at)
       WHERE w.id = o.id
       RETURNING w.id, o.status, o.code, o.error, o.attempted_at)
    INSERT INTO webhook_delivery_attempts (delivery_id, at, outcome, status_code, error)
    SELECT id, COALESCE(attempted_at, now()), status, code, error FROM updated`);
}

/** One attempt of a delivery, as its history shows it. */
export interface DeliveryAttemptRow {
  id: string;
  at: Date;
  outcome: "succeeded" | "failed" | "dead";
  status_code: number | null;
  error: string | null;
}

/** A delivery's attempts, newest first, up to `limit` with an id below `before`. */
export async function listDeliveryAttempts(
  db: SqlRunner,
  deliveryId: string,
  query: { before?: string; limit: number },
): Promise<DeliveryAttemptRow[]> {
  // a.id, qualified: a bare "id" in ORDER BY would be the text output column, sorting "10" before "9"
  return db.query<DeliveryAttemptRow>(sql`
    SELECT a.id::text, a.at, a.outcome, a.status_code, a.error FROM webhook_delivery_attempts a
     WHERE a.delivery_id = ${deliveryId}::bigint ${query.before ? sql`AND a.id < ${query.before}::bigint` : empty}
     ORDER BY a.id DESC LIMIT ${query.limit}`);
}

/** Deletes up to `batch` finished (succeeded or dead) deliveries created before `cutoff`. */
export async function deleteFinishedDeliveries(db: SqlRunner, cutoff: Date, batch: number): Promise<number> {
  return db.execute(sql`
    DELETE FROM webhook_deliveries WHERE id IN (
      SELECT id FROM webhook_deliveries WHERE created_at < ${cutoff} AND status IN ('succeeded', 'dead') LIMIT ${batch})`);
}

export interface DeliveryBacklog {
  byStatus: Map<string, number>;
  /** Age in seconds of the oldest delivery still to be sent (pending or failed, awaiting retry); 0 when none. */
  oldestOpenSeconds: number;
}

/** Deliveries per status and the age of the oldest open one, for the metrics scrape. */
export async function deliveryBacklog(db: SqlRunner): Promise<DeliveryBacklog> {
  const rows = await db.query<{ status: string; n: number; oldest_s: number | null }>(
    sql`SELECT status, count(*)::int AS n, extract(epoch FROM now() - min(created_at))::float8 AS oldest_s
        FROM webhook_deliveries GROUP BY status`,
  );
  const open = rows.filter((r) => (r.status === "pending" || r.status === "failed") && r.oldest_s !== null);
  return {
    byStatus: new Map(rows.map((r) => [r.status, r.n])),
    oldestOpenSeconds: Math.max(0, ...open.map((r) => r.oldest_s!)),
  };
}
