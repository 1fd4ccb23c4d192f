import type { SqlRunner } from "../db/database.js";
import { sql } from "../db/sql.js";

// The webhook_streams table (data plane): one ordered delivery queue per (directory, endpoint), endpoint
// NULL = the global endpoint. The unit a worker leases (see delivery-queue.ts for the protocol).

export interface ClaimedStream {
  id: string;
  directoryId: string;
  /** null: the global endpoint (WEBHOOK_URL) */
  endpointId: string | null;
  leaseToken: string;
  leaseUntil: Date;
  /** The endpoint's settings, read in the claiming statement; undefined for the global endpoint or a deleted one. */
  endpoint: { url: string; secretEncrypted: string; disabled: boolean } | undefined;
}

interface ClaimedRow {
  id: string;
  directory_id: string;
  endpoint_id: string | null;
  lease_token: string;
  lease_until: Date;
  url: string | null;
  secret_encrypted: string | null;
  disabled_at: Date | null;
}

/**
 * Leases up to `limit` due streams whose lease is free or expired (SKIP LOCKED: instances never wait on
 * each other), with their endpoint's URL and sealed secret joined in: one round trip, and the worker
 * process never needs the ORM.
 */
export async function claimStreams(db: SqlRunner, limit: number, leaseMs: number): Promise<ClaimedStream[]> {
  const rows = await db.query<ClaimedRow>(sql`
    WITH claimed AS (
      UPDATE webhook_streams s
         SET lease_until = clock_timestamp() + ${leaseMs} * interval '1 millisecond', lease_token = gen_random_uuid()
       WHERE s.id IN (
         SELECT id FROM webhook_streams
          WHERE ready_at <= now() AND (lease_until IS NULL OR lease_until < now())
          ORDER BY ready_at
          LIMIT ${limit}
          FOR UPDATE SKIP LOCKED)
       RETURNING s.id, s.directory_id, s.endpoint_id, s.lease_token, s.lease_until)
    SELECT c.id::text, c.directory_id, c.endpoint_id, c.lease_token, c.lease_until, p.url, p.secret_encrypted, p.disabled_at
      FROM claimed c LEFT JOIN webhook_endpoints p ON p.id = c.endpoint_id`);
  return rows.map((r) => ({
    id: r.id,
    directoryId: r.directory_id,
    endpointId: r.endpoint_id,
    leaseToken: r.lease_token,
    leaseUntil: r.lease_until,
    endpoint:
      r.url !== null && r.secret_encrypted !== null
        ? { url: r.url, secretEncrypted: r.secret_encrypted, disabled: r.disabled_at !== null }
        : undefined,
  }));
}

export interface StreamKey {
  directoryId: string;
  endpointId: string | null;
}

/**
 * Creates the streams that do not exist yet; an idle stream (ready_at NULL) becomes due now, a stream
 * waiting on a retry keeps its time. Returns each stream's id by `${directoryId}/${endpointId}`.
 */
export async function openStreams(tx: SqlRunner, keys: StreamKey[]): Promise<Map<string, string>> {
  const rows = await tx.query<{ id: string; directory_id: string; endpoint_id: string | null }>(sql`
    INSERT INTO webhook_streams (directory_id, endpoint_id, ready_at)
    SELECT d, e, now() FROM unnest(${keys.map((k) => k.directoryId)}::uuid[], ${keys.map((k) => k.endpointId)}::uuid[]) AS t(d, e)
    ON CONFLICT (directory_id, endpoint_id) DO UPDATE SET ready_at = COALESCE(webhook_streams.ready_at, now())
    RETURNING id::text, directory_id, endpoint_id`);
  return new Map(rows.map((s) => [`${s.directory_id}/${s.endpoint_id}`, s.id]));
}

/** The stream of (directory, endpoint), created if needed, due now (replay). */
export async function openStreamNow(tx: SqlRunner, directoryId: string, endpointId: string): Promise<string> {
  const rows = await tx.query<{ id: string }>(sql`
    INSERT INTO webhook_streams (directory_id, endpoint_id, ready_at) VALUES (${directoryId}::uuid, ${endpointId}::uuid, now())
    ON CONFLICT (directory_id, endpoint_id) DO UPDATE SET ready_at = now() RETURNING id::text`);
  return rows[0]!.id;
}

/** Locks the stream a delivery belongs to (in a transaction); false when there is no such delivery. */
export async function lockStreamOfDelivery(tx: SqlRunner, deliveryId: string): Promise<boolean> {
  const rows = await tx.query(sql`
    SELECT s.id FROM webhook_streams s JOIN webhook_deliveries w ON w.stream_id = s.id
     WHERE w.id = ${deliveryId}::bigint FOR UPDATE OF s`);
  return rows.length > 0;
}

/** Locks a stream (in a transaction) if its lease is still `leaseToken`; false when the lease was lost. */
export async function lockLeasedStream(tx: SqlRunner, stream: ClaimedStream): Promise<boolean> {
  const rows = await tx.query(
    sql`SELECT 1 FROM webhook_streams WHERE id = ${stream.id}::bigint AND lease_token = ${stream.leaseToken}::uuid FOR UPDATE`,
  );
  return rows.length > 0;
}

export async function makeStreamDue(tx: SqlRunner, streamId: string): Promise<void> {
  await tx.execute(sql`UPDATE webhook_streams SET ready_at = now() WHERE id = ${streamId}::bigint`);
}

/**
 * Ends the lease. The stream is next due when its head (first open delivery, in event order) is, but not
 * before `notBefore`; with nothing open it is idle (ready_at NULL) until fan-out adds to it.
 */
export async function releaseStream(tx: SqlRunner, streamId: string, notBefore: Date | null): Promise<void> {
  await tx.execute(sql`
    UPDATE webhook_streams
       SET ready_at = (SELECT GREATEST(w.next_attempt_at, ${notBefore}::timestamptz) FROM webhook_deliveries w
                        WHERE w.stream_id = ${streamId}::bigint AND w.status IN ('pending', 'failed')
                        ORDER BY w.event_txid, w.event_id LIMIT 1),
           lease_until = NULL, lease_token = NULL
     WHERE id = ${streamId}::bigint`);
}
