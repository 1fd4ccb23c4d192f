import { describe, expect, it } from "vitest";
import { startBackgroundJobs } from "../../src/startup/background-jobs.js";
import {
  createDirectory,
  deliveryRows,
  newWebhookSecret,
  setEndpoint,
  startTestWorker,
  useAppWithReceiver,
  waitFor,
  writeEvents,
} from "../helpers/event-fixtures.js";
import { buildTestApp } from "../helpers/test-app.js";

// With WEBHOOK_WORKER=true the service delivers webhooks itself (started by startBackgroundJobs).

describe("webhook worker inside the service", () => {
  const ctx = useAppWithReceiver({ WEBHOOK_WORKER: "true", WEBHOOK_POLL_MS: "20", WEBHOOK_RETRY_SCHEDULE: "0.05" });

  it("starts with the background jobs, delivers, and stops with them", async () => {
    const dir = await createDirectory(ctx.t.app.db);
    await setEndpoint(ctx.t.app.db, ctx.t.config, dir, ctx.receiver.url, newWebhookSecret());
    const jobs = startBackgroundJobs(ctx.t.app);
    try {
      await writeEvents(ctx.t.app.db, dir, 3);
      await waitFor(() => ctx.receiver.accepted.length === 3, 10000, "in-service deliveries");
    } finally {
      await jobs.stop();
    }
    expect(ctx.receiver.accepted.map((r) => r.json.data.seq)).toEqual([0, 1, 2]);
    await writeEvents(ctx.t.app.db, dir, 1, "user.updated", 3);
    expect(ctx.receiver.requests).toHaveLength(3);
    // Stopped: nothing more is sent. The positive signal is a new worker finding the event still
    // undelivered and sending it once, in order; had the stopped one kept running, it would be 3 sends.
    const again = startBackgroundJobs(ctx.t.app);
    try {
      await waitFor(() => ctx.receiver.accepted.length === 4, 10000, "the pending event after the restart");
    } finally {
      await again.stop();
    }
    expect(ctx.receiver.requests.map((r) => r.json.data.seq)).toEqual([0, 1, 2, 3]);
  });

  it("WEBHOOK_WORKER=false starts no worker", async () => {
    const off = await buildTestApp({ WEBHOOK_WORKER: "false" });
    try {
      const dir = await createDirectory(off.app.db);
      await setEndpoint(off.app.db, off.config, dir, ctx.receiver.url, newWebhookSecret());
      const before = ctx.receiver.requests.length;
      const jobs = startBackgroundJobs(off.app);
      await writeEvents(off.app.db, dir, 1);
      // Positive signal instead of a sleep: a worker started by hand finds the event never fanned out
      // (no delivery row) and makes the one and only send of it.
      const worker = startTestWorker(off.app.db, off.config);
      try {
        await waitFor(() => ctx.receiver.requests.length > before, 10000, "the hand-started worker's send");
        await waitFor(async () => (await deliveryRows(off.app.db.pool)).some((d) => d.status === "succeeded"), 10000, "its delivery row");
      } finally {
        await worker.stop();
        await jobs.stop();
      }
      const rows = await deliveryRows(off.app.db.pool);
      expect(rows.map((d) => ({ status: d.status, attempts: d.attempts }))).toEqual([{ status: "succeeded", attempts: 1 }]);
      expect(ctx.receiver.requests.length).toBe(before + 1);
    } finally {
      await off.close();
    }
  });
});
