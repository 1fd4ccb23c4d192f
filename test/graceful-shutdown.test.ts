import type { AddressInfo } from "node:net";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "../src/app.js";
import { waitFor } from "./helpers/event-fixtures.js";
import { startServerProcess, waitForOk } from "./helpers/server-process.js";
import { TEST_SECRETS_KEY, testConfig } from "./helpers/test-app.js";
import { createTestDatabase, type TestDatabase } from "./helpers/test-database.js";

// What server.ts does on SIGTERM/SIGINT is app.close(): in-flight requests finish, new ones are refused,
// then the database pool closes.
describe("graceful shutdown", () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => db.drop());

  it("finishes an in-flight request, then closes the pool", async () => {
    const app = await buildApp(testConfig(db.url, { LOG_LEVEL: "silent" }));
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let entered!: () => void;
    const inHandler = new Promise<void>((r) => (entered = r));
    app.get("/test/slow", async () => {
      entered();
      await gate;
      const { rows } = await app.db.pool.query("SELECT 42 AS answer");
      return rows[0];
    });
    await app.listen({ port: 0, host: "127.0.0.1" });
    const { port } = app.server.address() as AddressInfo;

    const slow = fetch(`http://127.0.0.1:${port}/test/slow`);
    await inHandler;
    const closing = app.close();
    let closed = false;
    void closing.then(() => (closed = true));
    // closing has begun (new connections are refused), and still waits for the request in flight
    const deadline = Date.now() + 10_000;
    while (
      await fetch(`http://127.0.0.1:${port}/healthz`).then(
        () => true,
        () => false,
      )
    ) {
      if (Date.now() > deadline) throw new Error("the server still accepts connections 10 s after close()");
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(closed).toBe(false);

    release();
    const res = await slow;
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ answer: 42 });
    await closing;
    expect(app.db.pool.ending).toBe(true);
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
  });
});

// A rolling restart as a load balancer sees it: SIGTERM, /readyz 503 "draining" while requests are still
// served for SHUTDOWN_DRAIN_MS, then the listener closes, and a request in flight all along still completes.
describe("SIGTERM drains the real server process", () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => db.drop());

  it("answers /readyz 503 during the drain, serves with connection: close, and completes a slow in-flight request with 201", async () => {
    const adminKey = "drain-test-admin-key-0123456789";
    const proc = await startServerProcess({
      DATABASE_URL: db.url,
      DATABASE_DIRECT_URL: undefined,
      ADMIN_API_KEY: adminKey,
      SECRETS_KEY: TEST_SECRETS_KEY,
      WEBHOOK_WORKER: "false",
      SHUTDOWN_DRAIN_MS: "1500",
    });
    const locker = new pg.Client({ connectionString: db.url });
    await locker.connect();
    try {
      await waitForOk(`${proc.baseUrl}/readyz`, 60_000, proc);
      const created = await fetch(`${proc.baseUrl}/api/v1/directories`, {
        method: "POST",
        headers: { authorization: `Bearer ${adminKey}`, "content-type": "application/json" },
        body: JSON.stringify({ name: "Drain" }),
      });
      expect(created.status).toBe(201);
      const directory = (await created.json()) as { id: string; scim: { secretToken: string } };

      // a slow request: the user insert waits on a table lock the test holds
      await locker.query("BEGIN");
      await locker.query("LOCK TABLE scim_users IN ACCESS EXCLUSIVE MODE");
      const slow = fetch(`${proc.baseUrl}/scim/v2/${directory.id}/Users`, {
        method: "POST",
        headers: { authorization: `Bearer ${directory.scim.secretToken}`, "content-type": "application/scim+json" },
        body: JSON.stringify({ schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"], userName: "slow@example.com" }),
      });
      slow.catch(() => {}); // awaited below; kept from being unhandled if the test fails first
      // the locker is inside its transaction, where pg_stat_activity is a snapshot taken at first read: clear it each time
      await waitFor(
        async () => {
          await locker.query("SELECT pg_stat_clear_snapshot()");
          const waiting = await locker.query(
            "SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
          );
          return waiting.rowCount === 1;
        },
        10_000,
        "the request to wait on the lock",
      );

      proc.child.kill("SIGTERM");
      // draining: not ready, but still serving, and telling keep-alive clients to go elsewhere
      await waitFor(async () => (await fetch(`${proc.baseUrl}/readyz`)).status === 503, 5_000, "readyz 503");
      const ready = await fetch(`${proc.baseUrl}/readyz`);
      expect(ready.status).toBe(503);
      expect(await ready.json()).toEqual({ status: "draining" });
      expect(ready.headers.get("connection")).toBe("close");
      const list = await fetch(`${proc.baseUrl}/api/v1/directories`, { headers: { authorization: `Bearer ${adminKey}` } });
      expect(list.status).toBe(200);
      expect(list.headers.get("connection")).toBe("close");

      // the drain ends and the listener closes, with the slow request still in flight
      await waitFor(
        () =>
          fetch(`${proc.baseUrl}/healthz`).then(
            () => false,
            () => true,
          ),
        10_000,
        "the listener to close",
      );
      expect(proc.child.exitCode).toBeNull();
      await locker.query("COMMIT");
      const res = await slow;
      expect(res.status).toBe(201);
      expect(((await res.json()) as { userName: string }).userName).toBe("slow@example.com");
      expect(await proc.exited).toBe(0);
      expect(proc.output()).toContain("draining: /readyz answers 503 while requests are still served");
    } finally {
      await locker.end().catch(() => {});
      await proc.stop("SIGKILL");
    }
  });
});
