import http from "node:http";
import type net from "node:net";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { startBackgroundJobs } from "../../src/startup/background-jobs.js";
import { waitFor } from "../helpers/event-fixtures.js";
import { TEST_ADMIN_KEY } from "../helpers/test-app.js";
import { createTestDatabase, serverUrl } from "../helpers/test-database.js";
import { createLiveDirectory, ERROR_SCHEMA, type LiveDirectory, newUser, requestJson, startLiveService } from "./live-service.js";
import { startTcpProxy } from "./tcp-proxy.js";
import { expectNoPartialWrites } from "./write-integrity.js";

// Faults: the database gone and back, a bad webhook receiver, a stuck statement: precise 503s, no hang,
// SCIM latency independent of webhooks. The kill -9 replay (three process starts) is in
// test/soak/kill-restart.soak.test.ts.

describe("Postgres unavailable, then back", () => {
  it("503 SCIM error bodies and /readyz 503 while it is gone; recovers without a restart", async () => {
    const real = await createTestDatabase();
    const target = new URL(serverUrl());
    const proxy = await startTcpProxy(target.hostname, Number(target.port || 5432));
    const viaProxy = new URL(real.url);
    viaProxy.host = `127.0.0.1:${proxy.port}`;
    const live = await startLiveService({ DB_POOL_SIZE: "4" }, { ...real, url: viaProxy.toString() });
    try {
      const dir = await createLiveDirectory(live, "Outage");
      expect((await dir.scim("POST", "/Users", newUser("before@example.com"))).status).toBe(201);

      for (const mode of ["refuse", "blackhole"] as const) {
        await proxy.cut(mode);
        const started = Date.now();
        // all at once: in "blackhole" mode each waits for the pool's 5 s connection timeout
        const [responses, ready, health, admin] = await Promise.all([
          Promise.all([
            dir.scim("GET", "/Users?count=5"),
            dir.scim("POST", "/Users", newUser(`during-${mode}@example.com`)),
            dir.scim("GET", `/Users?filter=${encodeURIComponent('userName eq "before@example.com"')}`),
          ]),
          fetch(`${live.baseUrl}/readyz`),
          fetch(`${live.baseUrl}/healthz`),
          requestJson(`${live.baseUrl}/api/v1/directories`, { headers: { authorization: `Bearer ${TEST_ADMIN_KEY}` } }),
        ]);
        // bounded: the pool's 5 s connection timeout, not a hang
        expect(Date.now() - started).toBeLessThan(15_000);
        for (const res of responses) {
          expect({ mode, status: res.status }).toEqual({ mode, status: 503 });
          expect(res.body).toMatchObject({ schemas: [ERROR_SCHEMA], status: "503" });
          expect(res.headers.get("retry-after")).toBe("5");
        }
        expect(ready.status).toBe(503);
        expect(health.status).toBe(200);
        expect(admin.status).toBe(503);
        expect(admin.headers.get("content-type")).toMatch(/problem\+json/);

        if (mode === "refuse") {
          // /Bulk (token still cached from the request before the cut): the first operation answers 503 in its
          // own result and the rest are not attempted, so the IdP retries exactly what did not happen.
          const bulk = await dir.scim("POST", "/Bulk", {
            schemas: ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],
            Operations: [
              { method: "POST", bulkId: "a", path: "/Users", data: newUser("bulk-a@example.com") },
              { method: "POST", bulkId: "b", path: "/Users", data: newUser("bulk-b@example.com") },
            ],
          });
          expect(bulk.status).toBe(200);
          expect(bulk.body.Operations).toEqual([
            expect.objectContaining({ method: "POST", bulkId: "a", status: "503", response: expect.objectContaining({ status: "503" }) }),
          ]);
        }
        await proxy.restore();
        await waitFor(async () => (await fetch(`${live.baseUrl}/readyz`)).status === 200, 10_000, "/readyz 200 after the restore");
        expect((await dir.scim("POST", "/Users", newUser(`after-${mode}@example.com`))).status).toBe(201);
        expect((await dir.scim("GET", "/Users?count=50")).body.totalResults).toBe(mode === "refuse" ? 2 : 3);
      }
      // cut mid-load: each request is acknowledged and stored with its event, or a 503 and applied entirely or not at all.
      // Connections die under checked-out transaction clients here; an unhandled pg 'error' event would be an
      // uncaught exception (a crashed process in production), which vitest reports and fails the run on.
      // The cut waits for the load to be under way (a first answer), not for a fixed time; requests sent after
      // the cut, while the others are still in flight, are certain to meet it.
      let answered = 0;
      const post = (i: number) =>
        dir.scim("POST", "/Users", newUser(`midload-${i}@example.com`)).finally(() => {
          answered++;
        });
      const before = Array.from({ length: 30 }, (_, i) => post(i));
      await waitFor(() => answered > 0, 10_000, "a first answer under load");
      await proxy.cut("refuse");
      const after = Array.from({ length: 5 }, (_, i) => post(30 + i));
      const midLoad = await Promise.all([...before, ...after]);
      await proxy.restore();
      for (const res of midLoad.slice(30)) expect(res.status).toBe(503);
      for (const res of midLoad) expect([201, 503]).toContain(res.status);
      expect(midLoad.some((r) => r.status === 503)).toBe(true);
      const sqlPool = new pg.Pool({ connectionString: real.url, max: 1 });
      try {
        for (const res of midLoad.filter((r) => r.status === 201)) {
          expect(
            (await sqlPool.query("SELECT 1 FROM events WHERE type = 'user.created' AND data->>'id' = $1", [res.body.id])).rowCount,
          ).toBe(1);
        }
        await expectNoPartialWrites(sqlPool, dir.id);
      } finally {
        await sqlPool.end();
      }
      expect(live.logText()).toMatch(/database/i);
    } finally {
      await proxy.restore();
      await live.close();
      await proxy.close();
      await real.drop();
    }
  }, 90_000);
});

describe("a bad webhook receiver", () => {
  const servers: http.Server[] = [];
  afterAll(async () => {
    for (const s of servers) {
      s.closeAllConnections();
      await new Promise((r) => s.close(r));
    }
  });

  async function receiver(handler: http.RequestListener): Promise<string> {
    const server = http.createServer(handler);
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    return `http://127.0.0.1:${(server.address() as net.AddressInfo).port}/hook`;
  }

  async function p50(dir: LiveDirectory, tag: string, n: number): Promise<number> {
    const times: number[] = [];
    for (let i = 0; i < n; i++) {
      const t0 = performance.now();
      const res = await dir.scim("POST", "/Users", newUser(`${tag}-${i}@example.com`));
      times.push(performance.now() - t0);
      expect(res.status).toBe(201);
    }
    return times.sort((a, b) => a - b)[Math.floor(n / 2)]!;
  }

  it("slow (30 s), failing (500) or unreachable: SCIM latency unchanged; deliveries retried per policy", async () => {
    const live = await startLiveService({
      WEBHOOK_WORKER: "true",
      WEBHOOK_POLL_MS: "20",
      WEBHOOK_TIMEOUT_MS: "1000",
      WEBHOOK_RETRY_SCHEDULE: "1,1,1,1,1",
      WEBHOOK_ALLOW_PRIVATE_TARGETS: "true",
    });
    // the delivery worker runs in the same process as the HTTP server, as with WEBHOOK_WORKER=true in production
    const jobs = startBackgroundJobs(live.app);
    let delivered = 0;
    try {
      const good = await receiver((_req, res) => {
        delivered++;
        res.writeHead(204).end();
      });
      let slowHeld = 0;
      const slow = await receiver((req) => {
        slowHeld++;
        setTimeout(() => req.socket.destroy(), 30_000);
      });
      const failing = await receiver((_req, res) => res.writeHead(500).end("boom"));
      const unreachable = "http://127.0.0.1:9/hook";
      const N = 15;
      const baseline = await p50(await createLiveDirectory(live, "Good", { webhook: { url: good } }), "good", N);
      const results: Record<string, number> = { baseline };
      const dirs: Record<string, LiveDirectory> = {};
      for (const [name, url] of Object.entries({ slow, failing, unreachable })) {
        dirs[name] = await createLiveDirectory(live, name, { webhook: { url } });
        results[name] = await p50(dirs[name]!, name, N);
      }
      // Independent of the receiver, not a latency ratio: while the slow receiver holds a delivery open, the
      // slow directory's SCIM writes still answer, and none waits for the 1,000 ms webhook timeout as a
      // synchronous send would.
      await waitFor(() => slowHeld > 0, 10_000, "the slow receiver to hold a delivery");
      const whileHeld = await p50(dirs.slow!, "slow-held", 3);
      for (const [name, ms] of Object.entries({ ...results, whileHeld })) {
        expect(ms, `${name}: ${JSON.stringify({ ...results, whileHeld })}`).toBeLessThan(1000);
      }
      // the worker keeps trying the failing ones per WEBHOOK_RETRY_SCHEDULE, while the good one gets everything
      const deliveryState = async (name: string) => {
        const rows = await live.app.db.pool.query(
          "SELECT coalesce(max(attempts), 0)::int AS attempts, coalesce(bool_or(status = 'succeeded'), false) AS ok FROM webhook_deliveries WHERE directory_id = $1",
          [dirs[name]!.id],
        );
        return rows.rows[0] as { attempts: number; ok: boolean };
      };
      await waitFor(
        async () => {
          if (delivered < N) return false;
          for (const name of ["failing", "unreachable", "slow"]) if ((await deliveryState(name)).attempts < 2) return false;
          return true;
        },
        30_000,
        "every good delivery, and retries of the failing ones",
      );
      expect(delivered).toBe(N);
      for (const name of ["failing", "unreachable", "slow"]) {
        const state = await deliveryState(name);
        expect({ name, attempts: state.attempts >= 2, ok: state.ok }).toEqual({ name, attempts: true, ok: false });
      }
    } finally {
      await jobs.stop();
      await live.close();
    }
  }, 90_000);
});

describe("statement timeout and disk full", () => {
  async function sql(url: string, query: string): Promise<number> {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      return (await c.query(query)).rows[0].n as number;
    } finally {
      await c.end();
    }
  }

  it("a statement stuck behind a lock, or a full disk, is a 503 SCIM error body and an error log line, never a hang", async () => {
    const live = await startLiveService({ DB_STATEMENT_TIMEOUT_MS: "500" });
    const locker = new pg.Client({ connectionString: live.database.url });
    await locker.connect();
    try {
      const dir = await createLiveDirectory(live, "Locked");
      await locker.query("BEGIN");
      await locker.query("LOCK TABLE scim_users IN ACCESS EXCLUSIVE MODE");
      const started = Date.now();
      const [list, create] = await Promise.all([dir.scim("GET", "/Users"), dir.scim("POST", "/Users", newUser("locked@example.com"))]);
      expect(Date.now() - started).toBeLessThan(10_000);
      for (const res of [list, create]) {
        expect(res.status).toBe(503);
        expect(res.body).toMatchObject({ schemas: [ERROR_SCHEMA], status: "503" });
        expect(res.text).not.toMatch(/statement|lock|57014|\bat\b.*\.ts/i);
      }
      const lines = live.logs.filter((l) => l.level === 50 && l.msg === "request failed");
      expect(lines.length).toBeGreaterThanOrEqual(2);
      await locker.query("ROLLBACK");
      expect((await dir.scim("POST", "/Users", newUser("locked@example.com"))).status).toBe(201);

      // disk full: Postgres's own error code, raised by a trigger in this test database only
      await locker.query(`CREATE FUNCTION disk_full() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'could not extend file: No space left on device' USING ERRCODE = 'disk_full'; END $$`);
      await locker.query("CREATE TRIGGER disk_full BEFORE INSERT ON scim_users FOR EACH ROW EXECUTE FUNCTION disk_full()");
      const before = live.logs.filter((l) => l.level === 50).length;
      const full = await dir.scim("POST", "/Users", newUser("full@example.com"));
      expect(full.status).toBe(503);
      expect(full.body).toMatchObject({ schemas: [ERROR_SCHEMA], status: "503" });
      expect(full.headers.get("retry-after")).toBe("5");
      expect(full.text).not.toMatch(/space|device|53100|\.ts:/i);
      expect(live.logs.filter((l) => l.level === 50).length).toBeGreaterThan(before);
      expect(await sql(live.database.url, "SELECT count(*)::int AS n FROM events WHERE data->>'userName' = 'full@example.com'")).toBe(0);
      await locker.query("DROP TRIGGER disk_full ON scim_users");
      expect((await dir.scim("POST", "/Users", newUser("full@example.com"))).status).toBe(201);
    } finally {
      await locker.end();
      await live.close();
    }
  }, 60_000);
});
