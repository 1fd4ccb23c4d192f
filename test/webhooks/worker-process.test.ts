import { describe, expect, it } from "vitest";
import {
  createDirectory,
  newWebhookSecret,
  setEndpoint,
  startTestWorker,
  useAppWithReceiver,
  waitFor,
  writeEvents,
} from "../helpers/event-fixtures.js";
import { startServerProcess } from "../helpers/server-process.js";
import { TEST_ADMIN_KEY, TEST_SECRETS_KEY } from "../helpers/test-app.js";

// `npm run worker` (src/worker.ts) as a real process: killed mid-delivery it loses nothing, and SIGTERM
// stops it cleanly.

describe("separate worker process", () => {
  const ctx = useAppWithReceiver();

  const workerEnv = () => ({
    DATABASE_URL: ctx.t.database.url,
    ADMIN_API_KEY: TEST_ADMIN_KEY,
    SECRETS_KEY: TEST_SECRETS_KEY,
    WEBHOOK_POLL_MS: "20",
    WEBHOOK_TIMEOUT_MS: "1000",
    WEBHOOK_LEASE_MS: "500",
    WEBHOOK_RETRY_SCHEDULE: "0.05,0.05",
  });

  it("SIGKILL while a delivery is in flight: after the lease expires another worker delivers everything", async () => {
    const dir = await createDirectory(ctx.t.app.db);
    await setEndpoint(ctx.t.app.db, ctx.t.config, dir, ctx.receiver.url, newWebhookSecret());
    await writeEvents(ctx.t.app.db, dir, 4);
    ctx.receiver.respond = (r) => (r.json.data.seq === 1 ? "hang" : 200);
    const proc = await startServerProcess(workerEnv(), "src/worker.ts");
    try {
      await waitFor(() => ctx.receiver.requests.some((r) => r.json.data.seq === 1), 20000, "delivery in flight in the worker process");
    } finally {
      proc.child.kill("SIGKILL");
      await proc.exited;
    }
    ctx.receiver.respond = 200;
    const survivor = startTestWorker(ctx.t.app.db, ctx.t.config, { leaseMs: 500 });
    try {
      await waitFor(() => new Set(ctx.receiver.accepted.map((r) => r.json.data.seq)).size === 4, 15000, "all four events");
    } finally {
      await survivor.stop();
    }
    const firstAccepted = [...new Map(ctx.receiver.accepted.map((r) => [r.json.data.seq, r.headers["webhook-id"]])).keys()];
    expect(firstAccepted).toEqual([0, 1, 2, 3]);
    const { rows } = await ctx.t.app.db.pool.query("SELECT status FROM webhook_deliveries WHERE directory_id = $1", [dir]);
    expect(rows.every((r) => r.status === "succeeded")).toBe(true);
  });

  it("SIGTERM stops the worker gracefully (exit 0)", async () => {
    const dir = await createDirectory(ctx.t.app.db);
    await setEndpoint(ctx.t.app.db, ctx.t.config, dir, ctx.receiver.url, newWebhookSecret());
    ctx.receiver.accepted.length = 0;
    const proc = await startServerProcess(workerEnv(), "src/worker.ts");
    try {
      await writeEvents(ctx.t.app.db, dir, 2);
      await waitFor(() => ctx.receiver.accepted.filter((r) => r.json.directoryId === dir).length === 2, 20000, "deliveries by the process");
    } finally {
      expect(await proc.stop("SIGTERM")).toBe(0);
    }
    expect(proc.output()).toContain("webhook worker stopping");
  });
});
