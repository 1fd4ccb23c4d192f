import { describe, expect, it } from "vitest";
import { startBackgroundJobs } from "../../src/startup/background-jobs.js";
import { createDirectory, newWebhookSecret, setEndpoint, useAppWithReceiver, waitFor, writeEvents } from "../helpers/event-fixtures.js";
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
    await new Promise((r) => setTimeout(r, 300));
    expect(ctx.receiver.requests).toHaveLength(3); // stopped: nothing more is sent
  });

  it("WEBHOOK_WORKER=false starts no worker", async () => {
    const off = await buildTestApp({ WEBHOOK_WORKER: "false" });
    try {
      const dir = await createDirectory(off.app.db);
      await setEndpoint(off.app.db, off.config, dir, ctx.receiver.url, newWebhookSecret());
      const before = ctx.receiver.requests.length;
      const jobs = startBackgroundJobs(off.app);
      await writeEvents(off.app.db, dir, 1);
      await new Promise((r) => setTimeout(r, 500));
      await jobs.stop();
      expect(ctx.receiver.requests.length).toBe(before);
    } finally {
      await off.close();
    }
  });
});
