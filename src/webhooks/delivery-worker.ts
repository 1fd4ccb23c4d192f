import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import type { Config } from "../config.js";
import type { Database } from "../db/database.js";
import { toEventJson } from "../events/event-json.js";
import { SecretBox } from "../secrets/secret-box.js";
import { dispatchEvents } from "./delivery-dispatcher.js";
import { completeStream } from "./delivery-queue.js";
import { type DeliveryOutcome, loadOpenDeliveries } from "./delivery-store.js";
import { afterFailedAttempt, webhookMessageId } from "./retry-schedule.js";
import { type ClaimedStream, claimStreams } from "./stream-store.js";
import { WebhookSender } from "./webhook-sender.js";

// The delivery worker: one loop that fans new events out to deliveries and leases due streams, and up to
// `concurrency` stream tasks that each send their stream's deliveries strictly in order, stopping at the
// first failure (a later event never overtakes an earlier one that has not succeeded or been
// dead-lettered). Runs inside the service (startup/background-jobs.ts) or alone (src/worker.ts); any
// number of instances can share one database.

const DISPATCH_BATCH = 1000;
/** Deliveries sent per lease before results are recorded (one write per batch, not per delivery). */
const STREAM_BATCH = 100;
/** A stream that cannot be sent to right now (endpoint disabled, global endpoint not configured here). */
const DEFER_MS = 60_000;

export interface WebhookWorker {
  /** Finishes in-flight sends, records them, releases leases. */
  stop(): Promise<void>;
  /** Stops as if the process died: nothing more is recorded, leases stay until they expire (tests). */
  abandon(): Promise<void>;
  /** Look for work now (e.g. right after events were written) instead of at the next poll. */
  wake(): void;
}

export interface WebhookWorkerOptions {
  db: Database;
  config: Config;
  logger: Logger;
}

export function startWebhookWorker({ db, config, logger }: WebhookWorkerOptions): WebhookWorker {
  const log = logger.child({ component: "webhook-worker", instance: randomUUID().slice(0, 8) });
  const settings = config.webhooks;
  // A lease must outlive one attempt, or a slow receiver would hand the stream to a second instance.
  const leaseMs = Math.max(settings.leaseMs, settings.timeoutMs + 1000);
  const sender = new WebhookSender(config);
  const box = config.secretsKey ? new SecretBox(config.secretsKey) : undefined;
  const globalEndpoint = Boolean(settings.globalUrl && settings.globalSecret);
  const active = new Set<Promise<void>>();
  let state: "running" | "stopping" | "abandoned" = "running";
  const abandoned = () => state === "abandoned";
  let wakeUp: (() => void) | undefined;
  let wokenWhileBusy = false;

  const wake = () => {
    const w = wakeUp;
    wakeUp = undefined;
    if (w) w();
    else wokenWhileBusy = true;
  };
  const idle = (ms: number) =>
    new Promise<void>((resolve) => {
      if (wokenWhileBusy) {
        wokenWhileBusy = false;
        return resolve();
      }
      const timer = setTimeout(() => {
        wakeUp = undefined;
        resolve();
      }, ms);
      wakeUp = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  async function deliverStream(stream: ClaimedStream, leaseDeadline: number): Promise<void> {
    const outcomes: DeliveryOutcome[] = [];
    let deferUntil: Date | undefined;
    const target = await resolveTarget(stream);
    if ("defer" in target) {
      log.warn({ streamId: stream.id, reason: target.defer }, "webhook stream deferred");
      deferUntil = new Date(Date.now() + DEFER_MS);
    } else {
      const open = await loadOpenDeliveries(db, stream.id, STREAM_BATCH);
      for (const delivery of open) {
        if (state !== "running") break;
        if (delivery.nextAttemptAt.getTime() > Date.now()) break;
        // do not start an attempt the lease may not cover; the stream stays due and is claimed again
        if (Date.now() + settings.timeoutMs + 500 > leaseDeadline) break;
        const attempts = delivery.attempts + 1;
        const attemptedAt = new Date();
        if (!delivery.event) {
          outcomes.push({
            deliveryId: delivery.id,
            status: "dead",
            attempts,
            statusCode: null,
            error: "event no longer exists (pruned by retention)",
            nextAttemptAt: null,
            attemptedAt,
          });
          continue;
        }
        const result =
          "error" in target
            ? { ok: false, statusCode: null, error: target.error }
            : await sender.send({
                url: target.url,
                secret: target.secret,
                messageId: webhookMessageId(delivery.eventId, delivery.generation),
                payload: JSON.stringify(toEventJson(delivery.event)),
              });
        if (abandoned()) return;
        if (result.ok) {
          outcomes.push({
            deliveryId: delivery.id,
            status: "succeeded",
            attempts,
            statusCode: result.statusCode,
            error: null,
            nextAttemptAt: null,
            attemptedAt,
          });
          continue;
        }
        const next = afterFailedAttempt(attempts, settings.retrySchedule);
        outcomes.push({
          deliveryId: delivery.id,
          status: next.kind === "dead" ? "dead" : "failed",
          attempts,
          statusCode: result.statusCode,
          error: result.error,
          nextAttemptAt: next.kind === "retry" ? new Date(Date.now() + next.delayMs) : null,
          attemptedAt,
        });
        log.info(
          {
            deliveryId: delivery.id,
            eventId: delivery.eventId,
            attempts,
            status: result.statusCode,
            error: result.error,
            dead: next.kind === "dead",
          },
          "webhook delivery failed",
        );
        if (next.kind === "retry") break;
      }
    }
    if (abandoned()) return;
    const recorded = await completeStream(db, stream, outcomes, deferUntil);
    if (!recorded)
      log.warn({ streamId: stream.id }, "webhook stream lease expired before results were recorded; another instance resends them");
  }

  async function resolveTarget(stream: ClaimedStream): Promise<{ url: string; secret: string } | { error: string } | { defer: string }> {
    if (stream.endpointId === null) {
      if (!settings.globalUrl || !settings.globalSecret)
        return { defer: "global endpoint (WEBHOOK_URL) is not configured on this instance" };
      return { url: settings.globalUrl, secret: settings.globalSecret };
    }
    const endpoint = stream.endpoint;
    if (!endpoint || endpoint.disabled) return { defer: "endpoint is disabled" };
    if (!box) return { error: "SECRETS_KEY is not configured; cannot read the webhook secret" };
    try {
      return { url: endpoint.url, secret: box.open(endpoint.secretEncrypted) };
    } catch {
      return { error: "cannot decrypt the webhook secret: SECRETS_KEY differs from the one that stored it" };
    }
  }

  function runStream(stream: ClaimedStream, leaseDeadline: number): void {
    const task = deliverStream(stream, leaseDeadline)
      .catch((err) => log.error({ err, streamId: stream.id }, "webhook stream failed; its lease will expire and it is retried"))
      .finally(() => {
        active.delete(task);
        wake();
      });
    active.add(task);
  }

  async function loop(): Promise<void> {
    while (state === "running") {
      let busy = false;
      try {
        const dispatched = await dispatchEvents(db, { globalEndpoint, batchSize: DISPATCH_BATCH });
        busy = dispatched === DISPATCH_BATCH;
        const free = settings.concurrency - active.size;
        if (free > 0 && state === "running") {
          const claimedAt = Date.now();
          const streams = await claimStreams(db, free, leaseMs);
          for (const stream of streams) runStream(stream, claimedAt + leaseMs);
          busy ||= streams.length === free;
        }
      } catch (err) {
        log.warn({ err }, "webhook worker cycle failed; retrying");
        await idle(settings.pollMs * 5);
        continue;
      }
      if (state !== "running") break;
      // Work found: go again at once (a finishing stream task also wakes us). Otherwise poll.
      if (!busy || active.size >= settings.concurrency) await idle(settings.pollMs);
    }
  }

  const running = loop();
  log.debug({ leaseMs, concurrency: settings.concurrency }, "webhook worker started");

  return {
    wake,
    async stop() {
      if (state === "running") state = "stopping";
      wake();
      await running;
      await Promise.allSettled([...active]);
      sender.close();
    },
    async abandon() {
      state = "abandoned";
      wake();
      await running;
      sender.close();
    },
  };
}
