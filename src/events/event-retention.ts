import type pg from "pg";
import type { Logger } from "pino";
import type { Config } from "../config.js";

// Retention (EVENT_RETENTION_DAYS). Deletes in small batches, each its own short transaction, so the
// job never holds back the bound that readers of the event log wait on (see event-store.ts).
// Kept past retention, on purpose:
// - events that still have an open (pending or failed) webhook delivery: deleting them would lose a
//   delivery that is still being retried;
// - when any webhook target exists, events fan-out has not reached yet (a worker that was down).
// Finished deliveries (succeeded, dead) older than retention are deleted with them: the delivery log
// and the events it refers to age out together.

const BATCH = 1000;
const EVERY_MS = 60 * 60 * 1000;

export interface PruneResult {
  events: number;
  deliveries: number;
}

export async function pruneEvents(pool: pg.Pool, config: Config, now: Date = new Date()): Promise<PruneResult> {
  const cutoff = new Date(now.getTime() - config.events.retentionDays * 86_400_000);
  const result: PruneResult = { events: 0, deliveries: 0 };
  for (;;) {
    const { rowCount } = await pool.query(
      `DELETE FROM webhook_deliveries WHERE id IN (
         SELECT id FROM webhook_deliveries WHERE created_at < $1 AND status IN ('succeeded', 'dead') LIMIT $2)`,
      [cutoff, BATCH],
    );
    result.deliveries += rowCount ?? 0;
    if ((rowCount ?? 0) < BATCH) break;
  }
  const hasTargets = Boolean(config.webhooks.globalUrl) || (await pool.query("SELECT 1 FROM webhook_endpoints LIMIT 1")).rowCount! > 0;
  for (;;) {
    const { rowCount } = await pool.query(
      `DELETE FROM events WHERE id IN (
         SELECT e.id FROM events e
          WHERE e.occurred_at < $1
            AND NOT EXISTS (SELECT 1 FROM webhook_deliveries w WHERE w.event_id = e.id AND w.status IN ('pending', 'failed'))
            AND (NOT $3 OR (e.txid, e.id) <= (SELECT last_txid, last_event_id FROM webhook_dispatch_state WHERE id = 1))
          LIMIT $2)`,
      [cutoff, BATCH, hasTargets],
    );
    result.events += rowCount ?? 0;
    if ((rowCount ?? 0) < BATCH) break;
  }
  return result;
}

export interface EventPruningJob {
  stop(): Promise<void>;
}

/** Prunes shortly after start, then hourly. */
export function startEventPruning(pool: pg.Pool, config: Config, logger: Logger): EventPruningJob {
  let running: Promise<void> | undefined;
  const run = () => {
    if (running) return;
    running = pruneEvents(pool, config)
      .then((r) => {
        if (r.events || r.deliveries) logger.info({ ...r, retentionDays: config.events.retentionDays }, "pruned old events and deliveries");
      })
      .catch((err) => logger.warn({ err }, "event pruning failed; retrying at the next run"))
      .finally(() => {
        running = undefined;
      });
  };
  const first = setTimeout(run, 30_000);
  const timer = setInterval(run, EVERY_MS);
  first.unref();
  timer.unref();
  return {
    async stop() {
      clearTimeout(first);
      clearInterval(timer);
      await running;
    },
  };
}
