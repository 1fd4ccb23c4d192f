import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "../src/app.js";
import { testConfig } from "./helpers/test-app.js";
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
