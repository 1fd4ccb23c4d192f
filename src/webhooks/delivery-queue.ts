import type pg from "pg";
import { EVENT_ROW_COLUMNS, type EventRow } from "../events/event-json.js";

// Storage of the delivery queue. Unit of work = a stream (directory x endpoint), leased as a whole:
// - claim: FOR UPDATE SKIP LOCKED over due streams whose lease is free or expired, then stamp a lease
//   (lease_until, lease_token). Two instances never hold one stream, so its order holds and nothing is
//   sent twice in the normal path.
// - a holder that dies simply stops; after lease_until any instance claims the stream again and resends
//   what was not recorded (at-least-once).
// - results are recorded only while the token still matches: a holder that lost its lease (too slow)
//   cannot overwrite the newer holder's progress.

export interface ClaimedStream {
  id: string;
  directoryId: string;
  /** null: the global endpoint (WEBHOOK_URL) */
  endpointId: string | null;
  leaseToken: string;
  leaseUntil: Date;
}

export async function claimStreams(pool: pg.Pool, limit: number, leaseMs: number): Promise<ClaimedStream[]> {
  const { rows } = await pool.query<{ id: string; directory_id: string; endpoint_id: string | null; lease_token: string; lease_until: Date }>(
    `UPDATE webhook_streams s
        SET lease_until = clock_timestamp() + $2 * interval '1 millisecond', lease_token = gen_random_uuid()
      WHERE s.id IN (
        SELECT id FROM webhook_streams
         WHERE ready_at <= now() AND (lease_until IS NULL OR lease_until < now())
         ORDER BY ready_at
         LIMIT $1
         FOR UPDATE SKIP LOCKED)
      RETURNING s.id::text, s.directory_id, s.endpoint_id, s.lease_token, s.lease_until`,
    [limit, leaseMs],
  );
  return rows.map((r) => ({ id: r.id, directoryId: r.directory_id, endpointId: r.endpoint_id, leaseToken: r.lease_token, leaseUntil: r.lease_until }));
}

export interface EndpointTarget {
  url: string;
  secretEncrypted: string;
  disabled: boolean;
}

export async function loadEndpoint(pool: pg.Pool, endpointId: string): Promise<EndpointTarget | undefined> {
  const { rows } = await pool.query<{ url: string; secret_encrypted: string; disabled_at: Date | null }>(
    "SELECT url, secret_encrypted, disabled_at FROM webhook_endpoints WHERE id = $1",
    [endpointId],
  );
  const row = rows[0];
  return row ? { url: row.url, secretEncrypted: row.secret_encrypted, disabled: row.disabled_at !== null } : undefined;
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

/** The stream's open deliveries from its head, in event order. */
export async function loadOpenDeliveries(pool: pg.Pool, streamId: string, limit: number): Promise<OpenDelivery[]> {
  const { rows } = await pool.query<
    { delivery_id: string; event_id: string; attempts: number; generation: number; next_attempt_at: Date } & Partial<EventRow>
  >(
    `SELECT w.id::text AS delivery_id, w.event_id::text AS event_id, w.attempts, w.generation, w.next_attempt_at,
            ${EVENT_ROW_COLUMNS}
       FROM webhook_deliveries w
       LEFT JOIN events e ON e.id = w.event_id
       LEFT JOIN directories d ON d.id = e.directory_id
      WHERE w.stream_id = $1 AND w.status IN ('pending', 'failed')
      ORDER BY w.event_txid, w.event_id
      LIMIT $2`,
    [streamId, limit],
  );
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
}

/**
 * Records outcomes and releases the stream, setting ready_at to its new head's due time. Returns false
 * (recording nothing) when the lease was lost to another instance.
 */
export async function completeStream(pool: pg.Pool, stream: ClaimedStream, outcomes: DeliveryOutcome[], deferUntil?: Date): Promise<boolean> {
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    // Locking the stream row first also waits for a concurrent fan-out that is adding deliveries to it,
    // so the head query below (a new statement, a new snapshot) sees them and no wake-up is lost.
    const held = await client.query("SELECT 1 FROM webhook_streams WHERE id = $1 AND lease_token = $2 FOR UPDATE", [stream.id, stream.leaseToken]);
    if (held.rowCount === 0) {
      await client.query("ROLLBACK");
      return false;
    }
    if (outcomes.length > 0) {
      await client.query(
        `UPDATE webhook_deliveries w
            SET status = o.status, attempts = o.attempts, last_status_code = o.code, last_error = o.error,
                next_attempt_at = COALESCE(o.next_at, w.next_attempt_at),
                delivered_at = CASE WHEN o.status = 'succeeded' THEN now() ELSE w.delivered_at END,
                updated_at = now()
           FROM unnest($1::bigint[], $2::text[], $3::int[], $4::int[], $5::text[], $6::timestamptz[]) AS o(id, status, attempts, code, error, next_at)
          WHERE w.id = o.id`,
        [
          outcomes.map((o) => o.deliveryId),
          outcomes.map((o) => o.status),
          outcomes.map((o) => o.attempts),
          outcomes.map((o) => o.statusCode),
          outcomes.map((o) => o.error),
          outcomes.map((o) => o.nextAttemptAt),
        ],
      );
    }
    const head = await client.query<{ next_attempt_at: Date }>(
      `SELECT next_attempt_at FROM webhook_deliveries WHERE stream_id = $1 AND status IN ('pending', 'failed')
        ORDER BY event_txid, event_id LIMIT 1`,
      [stream.id],
    );
    const headDue = head.rows[0]?.next_attempt_at ?? null;
    const readyAt = headDue && deferUntil && deferUntil > headDue ? deferUntil : headDue;
    await client.query("UPDATE webhook_streams SET ready_at = $2, lease_until = NULL, lease_token = NULL WHERE id = $1", [stream.id, readyAt]);
    await client.query("COMMIT");
    return true;
  } catch (err) {
    await client.query("ROLLBACK").catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}
