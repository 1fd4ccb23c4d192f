import type { Database } from "../db/database.js";
import { readEventsToDispatch } from "../events/event-store.js";
import { advanceDispatchPosition, readDispatchPosition, tryDispatchLock } from "./dispatch-state-store.js";
import { insertDeliveries, type NewDelivery } from "./delivery-store.js";
import { openStreams, type StreamKey } from "./stream-store.js";

// Fan-out: turns new events into one delivery per target (the directory's endpoint, and the global
// endpoint when configured), in event order. It reads the log with the same gap-free rule as the events
// API (txid below READABLE_TXID_BOUND, ordered by (txid, id); see events/event-store.ts), so an event whose
// transaction commits late is still picked up. One instance dispatches at a time (advisory lock); the
// others skip. Deliveries are inserted idempotently, so a crash between insert and cursor update is safe.

export interface DispatchOptions {
  /** Also queue a delivery to the global endpoint (WEBHOOK_URL) for every event. */
  globalEndpoint: boolean;
  batchSize: number;
}

/** Dispatches up to batchSize events; returns how many it read (batchSize means: call again). */
export async function dispatchEvents(db: Database, options: DispatchOptions): Promise<number> {
  return db.transaction(async (tx) => {
    if (!(await tryDispatchLock(tx))) return 0;
    const events = await readEventsToDispatch(tx, await readDispatchPosition(tx), options.batchSize);
    if (events.length === 0) return 0;
    const targets: (StreamKey & { eventId: string; txid: string })[] = [];
    for (const event of events) {
      for (const endpointId of event.endpointIds)
        targets.push({ directoryId: event.directoryId, endpointId, eventId: event.id, txid: event.txid });
      if (options.globalEndpoint) targets.push({ directoryId: event.directoryId, endpointId: null, eventId: event.id, txid: event.txid });
    }
    if (targets.length > 0) {
      const key = (t: StreamKey) => `${t.directoryId}/${t.endpointId}`;
      const streamIds = await openStreams(tx, [...new Map(targets.map((t) => [key(t), t])).values()]);
      const deliveries: NewDelivery[] = targets.map((t) => ({
        streamId: streamIds.get(key(t))!,
        directoryId: t.directoryId,
        endpointId: t.endpointId,
        eventId: t.eventId,
        eventTxid: t.txid,
      }));
      await insertDeliveries(tx, deliveries);
    }
    const last = events.at(-1)!;
    await advanceDispatchPosition(tx, { txid: last.txid, id: last.id });
    return events.length;
  });
}
