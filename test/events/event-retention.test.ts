import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pruneEvents } from "../../src/events/event-retention.js";
import { dispatchEvents } from "../../src/webhooks/delivery-dispatcher.js";
import { createDirectory, newWebhookSecret, setEndpoint, waitFor, writeEvents } from "../helpers/event-fixtures.js";
import { buildTestApp, type TestApp } from "../helpers/test-app.js";

describe("event retention", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp({ EVENT_RETENTION_DAYS: "30" });
  });
  afterAll(async () => t.close());

  const ages = async (dir: string) =>
    (
      await t.app.db.pool.query<{ seq: number }>("SELECT (data->>'seq')::int AS seq FROM events WHERE directory_id = $1 ORDER BY id", [dir])
    ).rows.map((r) => r.seq);
  const age = (dir: string, seqs: number[], days: number) =>
    t.app.db.pool.query(
      "UPDATE events SET occurred_at = now() - make_interval(days => $3) WHERE directory_id = $1 AND (data->>'seq')::int = ANY($2)",
      [dir, seqs, days],
    );

  it("deletes events older than the retention, keeps newer ones, and keeps those a webhook delivery still needs", async () => {
    const quiet = await createDirectory(t.app.db);
    await writeEvents(t.app.db, quiet, 4);
    await age(quiet, [0, 1], 31);
    await age(quiet, [2], 29);

    const hooked = await createDirectory(t.app.db);
    await setEndpoint(t.app.db, t.config, hooked, "http://127.0.0.1:9/hooks", newWebhookSecret());
    await writeEvents(t.app.db, hooked, 3);
    // fan out all 7 events, polling as the worker does: a round may see fewer while a transaction elsewhere on the
    // server (other test files share it) holds the readable bound back
    let dispatched = 0;
    await waitFor(
      async () => {
        dispatched += await dispatchEvents(t.app.db, { globalEndpoint: false, batchSize: 1000 });
        return dispatched >= 7;
      },
      10_000,
      "the 7 events to be dispatched",
    );
    // seq 0 was delivered long ago, seq 1 is still being retried, seq 2 is new
    await t.app.db.pool.query(
      `UPDATE webhook_deliveries w SET status = CASE WHEN (e.data->>'seq') = '0' THEN 'succeeded' ELSE 'failed' END,
              created_at = now() - interval '40 days'
         FROM events e WHERE e.id = w.event_id AND e.directory_id = $1 AND (e.data->>'seq') IN ('0', '1')`,
      [hooked],
    );
    await age(hooked, [0, 1], 40);
    // written after fan-out ran: not dispatched yet, so kept even though old
    await writeEvents(t.app.db, hooked, 1, "user.updated", 3);
    await age(hooked, [3], 40);

    const result = await pruneEvents(t.app.db, t.config);
    expect(result).toEqual({ events: 3, deliveries: 1 });
    expect(await ages(quiet)).toEqual([2, 3]);
    expect(await ages(hooked)).toEqual([1, 2, 3]);
    const { rows } = await t.app.db.pool.query("SELECT status FROM webhook_deliveries WHERE directory_id = $1 ORDER BY event_id", [hooked]);
    expect(rows.map((r) => r.status)).toEqual(["failed", "pending"]);
  });
});
