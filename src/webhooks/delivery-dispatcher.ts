import type pg from "pg";
import { READABLE_TXID_BOUND } from "../events/event-store.js";

// Fan-out: turns new events into one delivery per target (the directory's endpoint, and the global
// endpoint when configured), in event order. It reads the log with the same gap-free rule as the events
// API (txid below READABLE_TXID_BOUND, ordered by (txid, id); see events/event-store.ts), so an event whose
// transaction commits late is still picked up. One instance dispatches at a time (advisory lock); the
// others skip. Deliveries are inserted idempotently, so a crash between insert and cursor update is safe.

const DISPATCH_LOCK_ID = 7270736901;

export interface DispatchOptions {
  /** Also queue a delivery to the global endpoint (WEBHOOK_URL) for every event. */
  globalEndpoint: boolean;
  batchSize: number;
}

/** Dispatches up to batchSize events; returns how many it read (batchSize means: call again). */
export async function dispatchEvents(pool: pg.Pool, options: DispatchOptions): Promise<number> {
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    const lock = await client.query<{ locked: boolean }>("SELECT pg_try_advisory_xact_lock($1) AS locked", [DISPATCH_LOCK_ID]);
    if (!lock.rows[0]?.locked) {
      await client.query("COMMIT");
      return 0;
    }
        const state = await client.query<{ txid: string; id: string }>(
      "SELECT last_txid::text AS txid, last_event_id::text AS id FROM webhook_dispatch_state WHERE id = 1",
    );
    const from = state.rows[0] ?? { txid: "0", id: "0" };
    const events = await client.query<{ id: string; txid: string; directory_id: string }>(
      // qualified names: a bare "ORDER BY id" would sort by the text output column
      `SELECT e.id::text AS id, e.txid::text AS txid, e.directory_id FROM events e
        WHERE (e.txid, e.id) > ($1::xid8, $2::bigint) AND e.txid < ${READABLE_TXID_BOUND}
        ORDER BY e.txid, e.id LIMIT $3`,
      [from.txid, from.id, options.batchSize],
    );
    if (events.rows.length === 0) {
      await client.query("COMMIT");
      return 0;
    }
    const directoryIds = [...new Set(events.rows.map((e) => e.directory_id))];
    const endpoints = await client.query<{ id: string; directory_id: string }>(
      "SELECT id, directory_id FROM webhook_endpoints WHERE directory_id = ANY($1::uuid[]) AND disabled_at IS NULL",
      [directoryIds],
    );
    const endpointsByDirectory = new Map<string, string[]>();
    for (const e of endpoints.rows) endpointsByDirectory.set(e.directory_id, [...(endpointsByDirectory.get(e.directory_id) ?? []), e.id]);

    const targets: { directoryId: string; endpointId: string | null; eventId: string; txid: string }[] = [];
    for (const event of events.rows) {
      for (const endpointId of endpointsByDirectory.get(event.directory_id) ?? []) {
        targets.push({ directoryId: event.directory_id, endpointId, eventId: event.id, txid: event.txid });
      }
      if (options.globalEndpoint) targets.push({ directoryId: event.directory_id, endpointId: null, eventId: event.id, txid: event.txid });
    }
    if (targets.length > 0) {
      const streamKeys = [...new Map(targets.map((t) => [`${t.directoryId}/${t.endpointId}`, t])).values()];
      // An idle stream (ready_at NULL) becomes due now; a stream waiting on a retry keeps its time.
      const streams = await client.query<{ id: string; directory_id: string; endpoint_id: string | null }>(
        `INSERT INTO webhook_streams (directory_id, endpoint_id, ready_at)
         SELECT d, e, now() FROM unnest($1::uuid[], $2::uuid[]) AS t(d, e)
         ON CONFLICT (directory_id, endpoint_id) DO UPDATE SET ready_at = COALESCE(webhook_streams.ready_at, now())
         RETURNING id::text, directory_id, endpoint_id`,
        [streamKeys.map((t) => t.directoryId), streamKeys.map((t) => t.endpointId)],
      );
      const streamId = new Map(streams.rows.map((s) => [`${s.directory_id}/${s.endpoint_id}`, s.id]));
      await client.query(
        `INSERT INTO webhook_deliveries (stream_id, directory_id, endpoint_id, event_id, event_txid)
         SELECT * FROM unnest($1::bigint[], $2::uuid[], $3::uuid[], $4::bigint[], $5::xid8[])
         ON CONFLICT (endpoint_id, event_id) DO NOTHING`,
        [
          targets.map((t) => streamId.get(`${t.directoryId}/${t.endpointId}`)),
          targets.map((t) => t.directoryId),
          targets.map((t) => t.endpointId),
          targets.map((t) => t.eventId),
          targets.map((t) => t.txid),
        ],
      );
    }
    const last = events.rows.at(-1)!;
    await client.query(
      "UPDATE webhook_dispatch_state SET last_txid = $1::xid8, last_event_id = $2::bigint, updated_at = now() WHERE id = 1",
      [last.txid, last.id],
    );
    await client.query("COMMIT");
    return events.rows.length;
  } catch (err) {
    await client.query("ROLLBACK").catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}
