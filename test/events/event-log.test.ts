import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDatabase, type Database } from "../../src/db/database.js";
import { appendEvents } from "../../src/events/event-writer.js";
import { createDirectory } from "../helpers/event-fixtures.js";
import { seededRandom } from "../helpers/fuzz-seed.js";
import { adminAuth, buildTestApp, type TestApp } from "../helpers/test-app.js";

// The events API is gap-free: a reader paging with the cursor never skips an event whose transaction
// commits after a later-numbered one was already readable.

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("event log reading under concurrent writers", () => {
  let t: TestApp;
  let writers: Database;
  beforeAll(async () => {
    t = await buildTestApp();
    writers = createDatabase({ url: t.database.url, poolSize: 22, statementTimeoutMs: 0 });
  });
  afterAll(async () => {
    await writers.close();
    await t.close();
  });

  async function page(after: string | null): Promise<{ data: { id: string }[]; nextCursor: string | null }> {
    const res = await t.app.inject({ method: "GET", url: `/api/v1/events?limit=37${after ? `&after=${after}` : ""}`, headers: adminAuth });
    expect(res.statusCode).toBe(200);
    return res.json();
  }

  it("an event committed after a later-numbered one is still returned, in transaction order", async () => {
    const dir = await createDirectory(t.app.db);
    const start = (await page(null)).nextCursor;
    const slow = await writers.pool.connect();
    try {
      await slow.query("BEGIN");
      await slow.query("INSERT INTO events (directory_id, type, data) VALUES ($1, 'user.created', '{\"n\":\"slow\"}')", [dir]);
      await writers.pool.query("INSERT INTO events (directory_id, type, data) VALUES ($1, 'user.created', '{\"n\":\"fast\"}')", [dir]);
      // "fast" has the larger id and is committed, but "slow" may still commit before it: nothing yet
      const blocked = await page(start);
      expect(blocked.data).toEqual([]);
      expect(blocked.nextCursor).toBe(start);
      await slow.query("COMMIT");
    } finally {
      slow.release();
    }
    const after = await page(start);
    expect(after.data.map((e) => (e as unknown as { data: { n: string } }).data.n)).toEqual(["slow", "fast"]);
  });

  it("never skips an event while 20 writers commit out of order and a reader pages", async () => {
    const dir = await createDirectory(t.app.db);
    const start = (await page(null)).nextCursor;
    let writing = true;
    // the commit order varies, but replays from FUZZ_SEED (test/helpers/fuzz-seed.ts)
    const random = seededRandom();
    const writer = async (w: number) => {
      for (let i = 0; i < 12; i++) {
        await writers.transaction(async (tx) => {
          if (i % 3 === 0) await sleep(random() * 15); // sometimes take the xid late
          await appendEvents(
            tx,
            Array.from({ length: 1 + (i % 3) }, (_, k) => ({ type: "user.updated" as const, directoryId: dir, data: { w, i, k } })),
          );
          await sleep(random() * 25); // commit at a random later moment
        });
      }
    };
    const seen: string[] = [];
    const reader = (async () => {
      let cursor = start;
      for (;;) {
        const done = !writing;
        const res = await page(cursor);
        seen.push(...res.data.map((e) => e.id));
        cursor = res.nextCursor;
        if (done && res.data.length === 0) return;
        if (res.data.length === 0) await sleep(5);
      }
    })();
    await Promise.all(Array.from({ length: 20 }, (_, w) => writer(w)));
    writing = false;
    await reader;
    const { rows } = await t.app.db.pool.query<{ id: string }>(
      "SELECT e.id::text AS id FROM events e WHERE e.directory_id = $1 ORDER BY e.txid, e.id",
      [dir],
    );
    expect(rows.length).toBe(20 * (4 * 1 + 4 * 2 + 4 * 3));
    // every event exactly once (nothing skipped, nothing twice), in the log's order
    expect(seen).toEqual(rows.map((r) => r.id));
  }, 60000);
});
