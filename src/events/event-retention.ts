import type { Logger } from "pino";
import type { Config } from "../config.js";
import type { Database } from "../db/database.js";
import { anyWebhookEndpoint } from "../directories/directory-webhook.js";
import { deleteFinishedDeliveries } from "../webhooks/delivery-store.js";
import { deleteOldEvents } from "./event-store.js";

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

export async function pruneEvents(db: Database, config: Config, now: Date = new Date()): Promise<PruneResult> {
  const cutoff = new Date(now.getTime() - config.events.retentionDays * 86_400_000);
  const result: PruneResult = { events: 0, deliveries: 0 };
  for (let deleted = BATCH; deleted === BATCH; ) {
    deleted = await deleteFinishedDeliveries(db, cutoff, BATCH);
    result.deliveries += deleted;
  }
  const hasTargets = Boolean(config.webhooks.globalUrl) || (await anyWebhookEndpoint(db.prisma));
  for (let deleted = BATCH; deleted === BATCH; ) {
    deleted = await deleteOldEvents(db, cutoff, BATCH, hasTargets);
    result.events += deleted;
  }
  return result;
}

export interface EventPruningJob {
  stop(): Promise<void>;
}

/** Prunes shortly after start, then hourly. */
export function startEventPruning(db: Database, config: Config, logger: Logger): EventPruningJob {
  let running: Promise<void> | undefined;
  const run = () => {
    if (running) return;
    running = pruneEvents(db, config)
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
