import type { Database } from "../db/database.js";
import { type DeliveryOutcome, recordOutcomes } from "./delivery-store.js";
import { type ClaimedStream, lockLeasedStream, releaseStream } from "./stream-store.js";

// The delivery queue's lease protocol. Unit of work = a stream (directory x endpoint), leased as a whole:
// - claim (claimStreams): FOR UPDATE SKIP LOCKED over due streams whose lease is free or expired, then
//   stamp a lease (lease_until, lease_token). Two instances never hold one stream, so its order holds and
//   nothing is sent twice in the normal path.
// - a holder that dies simply stops; after lease_until any instance claims the stream again and resends
//   what was not recorded (at-least-once).
// - results are recorded only while the token still matches (completeStream): a holder that lost its
//   lease (too slow) cannot overwrite the newer holder's progress.

/**
 * Records outcomes and releases the stream, setting ready_at to its new head's due time (not before
 * deferUntil). Returns false (recording nothing) when the lease was lost to another instance.
 */
export async function completeStream(
  db: Database,
  stream: ClaimedStream,
  outcomes: DeliveryOutcome[],
  deferUntil?: Date,
): Promise<boolean> {
  return db.transaction(async (tx) => {
    // Locking the stream row first also waits for a concurrent fan-out that is adding deliveries to it,
    // so the head read by releaseStream (a later statement, a new snapshot) sees them and no wake-up is lost.
    if (!(await lockLeasedStream(tx, stream))) return false;
    await recordOutcomes(tx, outcomes);
    await releaseStream(tx, stream.id, deferUntil ?? null);
    return true;
  });
}
