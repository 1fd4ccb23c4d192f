import type pg from "pg";
import type { Config } from "../config.js";
import { eventPosition, READABLE_TXID_BOUND } from "../events/event-store.js";

// The delivery log the admin API shows, manual retry, and replay of history to a directory's endpoint.

export type DeliveryStatus = "pending" | "failed" | "succeeded" | "dead";
export const DELIVERY_STATUSES: readonly DeliveryStatus[] = ["pending", "failed", "succeeded", "dead"];

export interface DeliveryView {
  id: string;
  eventId: string;
  eventType: string | null;
  endpoint: { id: string | null; global: boolean; url: string | null };
  status: DeliveryStatus;
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
  /** when a pending or failed delivery is next tried; null once finished */
  nextAttemptAt: Date | null;
  deliveredAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export class DeliveryNotFound extends Error {}
export class DeliveryNotRetryable extends Error {}
export class NoWebhookEndpoint extends Error {}
export class ReplayEventNotFound extends Error {}

interface DeliveryRow {
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
}

const SELECT_DELIVERY = `
  SELECT w.id::text, w.event_id::text, e.type AS event_type, w.endpoint_id, p.url, w.status, w.attempts,
         w.last_status_code, w.last_error, w.next_attempt_at, w.delivered_at, w.created_at, w.updated_at
    FROM webhook_deliveries w
    LEFT JOIN events e ON e.id = w.event_id
    LEFT JOIN webhook_endpoints p ON p.id = w.endpoint_id`;

function view(row: DeliveryRow, config: Config): DeliveryView {
  const open = row.status === "pending" || row.status === "failed";
  return {
    id: row.id,
    eventId: row.event_id,
    eventType: row.event_type,
    endpoint: row.endpoint_id ? { id: row.endpoint_id, global: false, url: row.url } : { id: null, global: true, url: config.webhooks.globalUrl ?? null },
    status: row.status,
    attempts: row.attempts,
    lastStatusCode: row.last_status_code,
    lastError: row.last_error,
    nextAttemptAt: open ? row.next_attempt_at : null,
    deliveredAt: row.delivered_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** Newest first; `before` is the id of the last delivery of the previous page. */
export async function listDeliveries(
  pool: pg.Pool,
  config: Config,
  directoryId: string,
  query: { status?: DeliveryStatus; before?: string; limit: number },
): Promise<{ deliveries: DeliveryView[]; more: boolean }> {
  const params: unknown[] = [directoryId, query.limit + 1];
  let filters = "";
  if (query.status) {
    params.push(query.status);
    filters += ` AND w.status = $${params.length}`;
  }
  if (query.before) {
    params.push(query.before);
    filters += ` AND w.id < $${params.length}::bigint`;
  }
  const { rows } = await pool.query<DeliveryRow>(`${SELECT_DELIVERY} WHERE w.directory_id = $1 ${filters} ORDER BY w.id DESC LIMIT $2`, params);
  return { deliveries: rows.slice(0, query.limit).map((r) => view(r, config)), more: rows.length > query.limit };
}

/** A failed or dead delivery becomes pending now, with a fresh retry schedule. */
export async function retryDelivery(pool: pg.Pool, config: Config, deliveryId: string): Promise<DeliveryView> {
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    // stream row first, then the delivery: the same lock order as the worker recording results
    const stream = await client.query<{ id: string }>(
      "SELECT s.id::text FROM webhook_streams s JOIN webhook_deliveries w ON w.stream_id = s.id WHERE w.id = $1::bigint FOR UPDATE OF s",
      [deliveryId],
    );
    if (!stream.rows[0]) throw new DeliveryNotFound(deliveryId);
    const found = await client.query<{ status: string; stream_id: string }>(
      "SELECT status, stream_id::text FROM webhook_deliveries WHERE id = $1::bigint FOR UPDATE",
      [deliveryId],
    );
    const row = found.rows[0];
    if (!row) throw new DeliveryNotFound(deliveryId);
    if (row.status !== "failed" && row.status !== "dead") {
      throw new DeliveryNotRetryable(`delivery is ${row.status}; only failed or dead deliveries can be retried`);
    }
    await client.query(
      "UPDATE webhook_deliveries SET status = 'pending', attempts = 0, next_attempt_at = now(), updated_at = now() WHERE id = $1::bigint",
      [deliveryId],
    );
    await client.query("UPDATE webhook_streams SET ready_at = now() WHERE id = $1::bigint", [row.stream_id]);
    const updated = await client.query<DeliveryRow>(`${SELECT_DELIVERY} WHERE w.id = $1::bigint`, [deliveryId]);
    await client.query("COMMIT");
    return view(updated.rows[0]!, config);
  } catch (err) {
    await client.query("ROLLBACK").catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}

/**
 * Queues every event of the directory from `fromEventId` on (in event order, readable events only) for
 * the directory's endpoint again. Already delivered or dead deliveries are reopened under a new webhook-id;
 * open ones are left alone. Returns how many deliveries were queued.
 */
export async function replayToEndpoint(pool: pg.Pool, directoryId: string, fromEventId: string): Promise<number> {
  const endpoint = await pool.query<{ id: string }>(
    "SELECT id FROM webhook_endpoints WHERE directory_id = $1 AND disabled_at IS NULL ORDER BY created_at LIMIT 1",
    [directoryId],
  );
  const endpointId = endpoint.rows[0]?.id;
  if (!endpointId) throw new NoWebhookEndpoint(directoryId);
  const from = await eventPosition(pool, directoryId, fromEventId);
  if (!from) throw new ReplayEventNotFound(fromEventId);
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    const stream = await client.query<{ id: string }>(
      `INSERT INTO webhook_streams (directory_id, endpoint_id, ready_at) VALUES ($1, $2, now())
       ON CONFLICT (directory_id, endpoint_id) DO UPDATE SET ready_at = now() RETURNING id::text`,
      [directoryId, endpointId],
    );
    const queued = await client.query(
      `INSERT INTO webhook_deliveries (stream_id, directory_id, endpoint_id, event_id, event_txid)
       SELECT $1::bigint, e.directory_id, $2::uuid, e.id, e.txid FROM events e
        WHERE e.directory_id = $3::uuid AND (e.txid, e.id) >= ($4::xid8, $5::bigint)
          AND e.txid < ${READABLE_TXID_BOUND}
       ON CONFLICT (endpoint_id, event_id) DO UPDATE
         SET status = 'pending', attempts = 0, generation = webhook_deliveries.generation + 1,
             next_attempt_at = now(), delivered_at = NULL, updated_at = now()
         WHERE webhook_deliveries.status IN ('succeeded', 'dead')`,
      [stream.rows[0]!.id, endpointId, directoryId, from.txid, from.id],
    );
    await client.query("COMMIT");
    return queued.rowCount ?? 0;
  } catch (err) {
    await client.query("ROLLBACK").catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}
