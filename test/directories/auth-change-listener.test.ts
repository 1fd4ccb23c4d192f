import net from "node:net";
import pg from "pg";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LISTENER_APPLICATION_NAME, startAuthChangeListener } from "../../src/directories/auth-change-listener.js";
import { SecretTokenVerifier } from "../../src/directories/directory-tokens.js";
import { startTcpProxy } from "../reliability/tcp-proxy.js";
import { waitFor } from "../helpers/event-fixtures.js";
import { createScimDirectory, type ScimDirectory } from "../helpers/scim-fixtures.js";
import { adminAuth, buildTestApp, type TestApp } from "../helpers/test-app.js";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database.js";

// Two replicas (two apps on one database, each with its own token cache and LISTEN connection): a token
// revoked, or a directory disabled or deleted, through A is refused by B within 1 s, far inside B's cache
// TTL. The 1 s is the guarantee docs/OPERATIONS.md states; in practice it takes milliseconds.

const GUARANTEE_MS = 1000;

describe("auth changes reach every replica", () => {
  let database: TestDatabase;
  let a: TestApp;
  let b: TestApp;
  let admin: pg.Client;

  beforeAll(async () => {
    database = await createTestDatabase();
    a = await buildTestApp({}, database);
    b = await buildTestApp({}, database);
    admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
    await waitFor(() => Boolean(a.app.authChanges?.listening && b.app.authChanges?.listening), 10_000, "both listeners");
  });
  afterAll(async () => {
    await admin.end();
    await a.close();
    await b.close();
    await database.drop();
  });

  async function scimStatusOn(t: TestApp, d: ScimDirectory): Promise<number> {
    const res = await t.app.inject({ method: "GET", url: `${d.base}/Users?count=1`, headers: { authorization: d.headers.authorization } });
    return res.statusCode;
  }

  /** Polls B until it answers `status`; returns how long after the change that took. */
  async function msUntil(t: TestApp, d: ScimDirectory, status: number, changedAt: number): Promise<number> {
    const deadline = changedAt + SecretTokenVerifier.CACHE_MS;
    for (;;) {
      if ((await scimStatusOn(t, d)) === status) return Date.now() - changedAt;
      if (Date.now() > deadline) throw new Error(`B did not answer ${status} within the cache TTL`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  /** Revokes d's token through A's admin API, addressed under `under` (d itself unless a test says otherwise); returns the status. */
  async function revokeThroughA(d: ScimDirectory, under: ScimDirectory = d): Promise<number> {
    const tokens = await a.app.inject({ method: "GET", url: `/api/v1/directories/${d.directoryId}/tokens`, headers: adminAuth });
    const tokenId = tokens.json().data[0].id;
    const revoke = await a.app.inject({
      method: "DELETE",
      url: `/api/v1/directories/${under.directoryId}/tokens/${tokenId}`,
      headers: adminAuth,
    });
    return revoke.statusCode;
  }

  it("a token revoked through A is refused by B within 1 s", async () => {
    const d = await createScimDirectory(a);
    expect(await scimStatusOn(b, d)).toBe(200); // B now holds the token in its cache
    expect(await revokeThroughA(d)).toBe(204);
    expect(await msUntil(b, d, 401, Date.now())).toBeLessThan(GUARANTEE_MS);
  });

  it("a directory disabled through A answers 403 on B within 1 s, and re-enabled answers 200 again", async () => {
    const d = await createScimDirectory(a);
    expect(await scimStatusOn(b, d)).toBe(200);
    const disable = await a.app.inject({
      method: "PATCH",
      url: `/api/v1/directories/${d.directoryId}`,
      headers: adminAuth,
      payload: { disabled: true },
    });
    expect(disable.statusCode).toBe(200);
    expect(await msUntil(b, d, 403, Date.now())).toBeLessThan(GUARANTEE_MS);
    const enable = await a.app.inject({
      method: "PATCH",
      url: `/api/v1/directories/${d.directoryId}`,
      headers: adminAuth,
      payload: { disabled: false },
    });
    expect(enable.statusCode).toBe(200);
    expect(await msUntil(b, d, 200, Date.now())).toBeLessThan(GUARANTEE_MS);
  });

  it("a directory deleted through A is refused by B within 1 s", async () => {
    const d = await createScimDirectory(a);
    expect(await scimStatusOn(b, d)).toBe(200);
    const del = await a.app.inject({ method: "DELETE", url: `/api/v1/directories/${d.directoryId}`, headers: adminAuth });
    expect(del.statusCode).toBe(204);
    expect(await msUntil(b, d, 401, Date.now())).toBeLessThan(GUARANTEE_MS);
  });

  it("after its LISTEN connection is killed, B reconnects and a revocation through A still reaches it within 1 s", async () => {
    const listeners = async () =>
      (
        await admin.query<{ pid: number; query: string; state: string }>(
          "SELECT pid, query, state FROM pg_stat_activity WHERE datname = current_database() AND application_name = $1",
          [LISTENER_APPLICATION_NAME],
        )
      ).rows;
    const before = (await listeners()).map((r) => r.pid);
    expect(before).toHaveLength(2);
    await admin.query("SELECT pg_terminate_backend(pid) FROM unnest($1::int[]) AS pid", [before]);
    // both replicas are back: two new sessions that have run their LISTEN
    await waitFor(
      async () => {
        const now = await listeners();
        return now.length === 2 && now.every((r) => !before.includes(r.pid) && r.query.startsWith("LISTEN") && r.state === "idle");
      },
      10_000,
      "the listeners to reconnect",
    );
    const reconnected = b.logs.some((l) => l.msg === "auth change listener reconnected; token cache cleared");
    expect(reconnected).toBe(true);

    const d = await createScimDirectory(a);
    expect(await scimStatusOn(b, d)).toBe(200);
    expect(await revokeThroughA(d)).toBe(204);
    expect(await msUntil(b, d, 401, Date.now())).toBeLessThan(GUARANTEE_MS);
  });

  it("a notification this version cannot read clears B's whole cache (a change it cannot place is never missed)", async () => {
    const d = await createScimDirectory(a);
    expect(await scimStatusOn(b, d)).toBe(200);
    // revoked behind the service's back (no NOTIFY of its own), then an unreadable notification
    await admin.query("UPDATE directory_tokens SET revoked_at = now() WHERE directory_id = $1", [d.directoryId]);
    expect(await scimStatusOn(b, d)).toBe(200); // still cached
    const changedAt = Date.now();
    await admin.query("SELECT pg_notify('scimbridge_auth', 'not json')");
    expect(await msUntil(b, d, 401, changedAt)).toBeLessThan(GUARANTEE_MS);
  });

  it("a revocation that rolls back notifies no one: the token keeps working on B", async () => {
    const d = await createScimDirectory(a);
    expect(await scimStatusOn(b, d)).toBe(200);
    const other = await createScimDirectory(a);
    // revoking a token under the wrong directory fails inside the transaction: nothing is committed or sent
    expect(await revokeThroughA(d, other)).toBe(404);
    expect(await scimStatusOn(b, d)).toBe(200);
  });
});

describe("a change made while a replica's listener is disconnected", () => {
  it("is not missed: the listener clears the whole cache when it reconnects, before the cache TTL would", async () => {
    const database = await createTestDatabase();
    // B's LISTEN connection goes through a proxy the test cuts; its pool, and all of A, reach Postgres directly
    const target = new URL(database.url);
    const proxy = await startTcpProxy(target.hostname, Number(target.port || 5432));
    const viaProxy = new URL(database.url);
    viaProxy.host = `127.0.0.1:${proxy.port}`;
    const a = await buildTestApp({}, database);
    const b = await buildTestApp({ DATABASE_DIRECT_URL: viaProxy.toString() }, database);
    try {
      await waitFor(() => Boolean(a.app.authChanges?.listening && b.app.authChanges?.listening), 10_000, "both listeners");
      const d = await createScimDirectory(a);
      const status = async () =>
        (await b.app.inject({ method: "GET", url: `${d.base}/Users?count=1`, headers: { authorization: d.headers.authorization } }))
          .statusCode;
      expect(await status()).toBe(200);
      const cachedAt = Date.now();

      await proxy.cut("refuse");
      await waitFor(() => !b.app.authChanges?.listening, 5000, "B's listener to notice");
      const tokens = await a.app.inject({ method: "GET", url: `/api/v1/directories/${d.directoryId}/tokens`, headers: adminAuth });
      const tokenId = tokens.json().data[0].id as string;
      const revoke = await a.app.inject({
        method: "DELETE",
        url: `/api/v1/directories/${d.directoryId}/tokens/${tokenId}`,
        headers: adminAuth,
      });
      expect(revoke.statusCode).toBe(204);
      // the notification went nowhere: B still serves the token from its cache (the TTL bounds this)
      expect(await status()).toBe(200);

      await proxy.restore();
      await waitFor(() => Boolean(b.app.authChanges?.listening), 5000, "B's listener to reconnect");
      expect(await status()).toBe(401);
      // refused because the reconnect cleared the cache, not because the cached entry expired
      expect(Date.now() - cachedAt).toBeLessThan(SecretTokenVerifier.CACHE_MS);
      expect(b.logs.some((l) => l.msg === "auth change listener lost its database connection; reconnecting")).toBe(true);
    } finally {
      await a.close();
      await b.close();
      await proxy.close();
      await database.drop();
    }
  });
});

/** A loopback TCP proxy that can go silent: bytes stop flowing both ways, but no connection is closed. */
async function startFreezableProxy(target: URL): Promise<{ url: string; freeze(): void; thaw(): void; close(): Promise<void> }> {
  let frozen = false;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(target.port || 5432), target.hostname);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on("close", () => sockets.delete(s));
      s.on("error", () => s.destroy());
    }
    client.on("data", (d) => frozen || upstream.write(d));
    upstream.on("data", (d) => frozen || client.write(d));
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = new URL(target);
  url.host = `127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  return {
    url: url.toString(),
    freeze: () => {
      frozen = true;
    },
    thaw: () => {
      frozen = false;
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe("a listener connection that goes silent (a network partition, no reset)", () => {
  it("is found by the heartbeat, replaced, and the cache cleared on reconnect", async () => {
    const database = await createTestDatabase();
    const proxy = await startFreezableProxy(new URL(database.url));
    const evictions: unknown[] = [];
    const lines: string[] = [];
    const logger = pino({ level: "info" }, { write: (line: string) => lines.push(line) });
    // new connections through a frozen proxy hang, so the test thaws it once the loss is seen
    const listener = startAuthChangeListener({
      url: proxy.url,
      verifier: { evict: (filter) => evictions.push(filter ?? "all") },
      logger,
      heartbeatMs: 100,
      heartbeatTimeoutMs: 300,
    });
    try {
      await waitFor(() => listener.listening, 10_000, "the listener");
      const before = evictions.length;
      proxy.freeze();
      await waitFor(() => !listener.listening, 5000, "the heartbeat to notice the silence");
      expect(lines.join("")).toContain("no answer to a heartbeat within 300 ms");
      proxy.thaw();
      await waitFor(() => listener.listening, 10_000, "the listener to reconnect");
      expect(evictions.slice(before)).toContain("all");
      expect(lines.join("")).toContain("auth change listener reconnected; token cache cleared");
    } finally {
      await listener.stop();
      await proxy.close();
      await database.drop();
    }
  });
});
