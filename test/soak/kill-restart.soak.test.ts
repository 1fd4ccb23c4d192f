import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ServerProcess, startServerProcess, waitForOk } from "../helpers/server-process.js";
import { TEST_ADMIN_KEY, TEST_SECRETS_KEY } from "../helpers/test-app.js";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database.js";
import { REPLAY_GROUP, type Replay, replayUserName, runEntraReplay } from "../reliability/entra-replay.js";
import { createLiveDirectory, type LiveDirectory, liveDirectory } from "../reliability/live-service.js";
import { expectAcknowledgedWritesKept, expectNoPartialWrites } from "../reliability/write-integrity.js";

// The real service process (src/server.ts) SIGKILLed twice during an Entra-like replay and restarted:
// acknowledged work is kept with its events, nothing is half-written, and the replay converges.

describe("kill -9 during an Entra replay", () => {
  let db: TestDatabase;
  let sql: pg.Pool;
  let proc: ServerProcess | undefined;
  const env = () => ({
    DATABASE_URL: db.url,
    ADMIN_API_KEY: TEST_ADMIN_KEY,
    SECRETS_KEY: TEST_SECRETS_KEY,
    WEBHOOK_WORKER: "false",
    LOG_LEVEL: "warn",
  });

  beforeAll(async () => {
    db = await createTestDatabase();
    sql = new pg.Pool({ connectionString: db.url, max: 2 });
  });
  afterAll(async () => {
    if (proc) await proc.stop("SIGKILL");
    await sql?.end();
    await db?.drop();
  }, 120_000);

  async function start(): Promise<ServerProcess> {
    const p = await startServerProcess(env());
    await waitForOk(`${p.baseUrl}/readyz`, 60_000, p);
    return p;
  }

  /** Runs the replay and SIGKILLs the process once `killAfter` responses have come back. */
  async function replayUntilKilled(dir: LiveDirectory, p: ServerProcess, count: number, killAfter: number): Promise<Replay> {
    const replay: Replay = { records: [], stopped: false };
    const watcher = setInterval(() => {
      if (replay.records.filter((r) => r.status !== undefined).length >= killAfter && p.child.exitCode === null) {
        p.child.kill("SIGKILL");
        replay.stopped = true;
      }
    }, 2);
    try {
      await runEntraReplay(dir, replay, count);
    } finally {
      clearInterval(watcher);
    }
    await p.exited;
    return replay;
  }

  it("every 2xx is stored with its event, nothing is half-written, and the replay converges after restarts", async () => {
    const USERS = 60;
    proc = await start();
    const created = await createLiveDirectory(proc, "Contoso");
    let dir = created;

    // killed while users are being created and updated (3 requests per user)
    const first = await replayUntilKilled(dir, proc, USERS, 70);
    expect(first.stopped).toBe(true);
    proc = await start();
    expect(await expectAcknowledgedWritesKept(sql, created.id, first)).toBeGreaterThan(10);
    await expectNoPartialWrites(sql, created.id);

    // killed again while members are being added to the group
    dir = liveDirectory(proc.baseUrl, created.id, created.token);
    const second = await replayUntilKilled(dir, proc, USERS, USERS * 2 + 8);
    proc = await start();
    await expectAcknowledgedWritesKept(sql, created.id, second);
    await expectNoPartialWrites(sql, created.id);

    // Entra carries on: the same cycle again converges to exactly one of everything
    dir = liveDirectory(proc.baseUrl, created.id, created.token);
    const last: Replay = { records: [], stopped: false };
    await runEntraReplay(dir, last, USERS);
    expect(last.records.filter((r) => r.status === undefined || r.status >= 500)).toEqual([]);
    await expectNoPartialWrites(sql, created.id);
    const users = await sql.query("SELECT user_name FROM scim_users WHERE directory_id = $1 ORDER BY user_name", [created.id]);
    expect(users.rows.map((r) => r.user_name)).toEqual(Array.from({ length: USERS }, (_, i) => replayUserName(i)).sort());
    const group = await sql.query("SELECT id, member_count FROM scim_groups WHERE directory_id = $1 AND display_name = $2", [
      created.id,
      REPLAY_GROUP,
    ]);
    expect(group.rows).toHaveLength(1);
    expect(group.rows[0].member_count).toBe(USERS);
    expect(
      (await sql.query("SELECT count(*)::int AS n FROM events WHERE directory_id = $1 AND type = 'user.created'", [created.id])).rows[0].n,
    ).toBe(USERS);
    expect(
      (await sql.query("SELECT count(*)::int AS n FROM events WHERE directory_id = $1 AND type = 'group.user_added'", [created.id])).rows[0]
        .n,
    ).toBe(USERS);
    await proc.stop();
    proc = undefined;
  }, 180_000);
});
