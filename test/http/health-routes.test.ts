import { cp, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MIGRATIONS_DIR, migrate, readMigrations } from "../../src/db/migrate.js";
import { buildTestApp, type TestApp } from "../helpers/test-app.js";
import { createEmptyDatabase, type TestDatabase } from "../helpers/test-database.js";

describe("health", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp();
  });
  afterAll(async () => t.close());

  it("GET /healthz answers 200 while the process is up", async () => {
    const res = await t.app.inject({ method: "GET", url: "/healthz" });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: "ok" });
  });

  it("GET /readyz answers 200 when the database is reachable", async () => {
    const res = await t.app.inject({ method: "GET", url: "/readyz" });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: "ready" });
  });

  it("GET /readyz answers 503 draining as soon as shutdown begins, while other requests are still served with connection: close", async () => {
    const drainT = await buildTestApp();
    try {
      expect((await drainT.app.inject({ method: "GET", url: "/readyz" })).statusCode).toBe(200);
      drainT.app.drain.begin();
      const ready = await drainT.app.inject({ method: "GET", url: "/readyz" });
      expect(ready.statusCode).toBe(503);
      expect(ready.json()).toEqual({ status: "draining" });
      expect(ready.headers.connection).toBe("close");
      const health = await drainT.app.inject({ method: "GET", url: "/healthz" });
      expect(health.statusCode).toBe(200);
      expect(health.headers.connection).toBe("close");
    } finally {
      await drainT.close();
    }
  });

  it("echoes a safe client-request-id as x-request-id and replaces an unsafe one", async () => {
    const ok = await t.app.inject({ method: "GET", url: "/healthz", headers: { "client-request-id": "abc-123" } });
    expect(ok.headers["x-request-id"]).toBe("abc-123");
    const bad = await t.app.inject({ method: "GET", url: "/healthz", headers: { "client-request-id": "a b\tc<script>" } });
    expect(bad.headers["x-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("unknown routes answer problem+json 404", async () => {
    const res = await t.app.inject({ method: "GET", url: "/nope" });
    expect(res.statusCode).toBe(404);
    expect(res.headers["content-type"]).toContain("application/problem+json");
    expect(res.json()).toMatchObject({ status: 404, code: "not_found" });
  });
});

describe("malformed URLs", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp();
  });
  afterAll(async () => t.close());

  it("answer a SCIM error body under /scim and problem+json elsewhere", async () => {
    const scim = await t.app.inject({ method: "GET", url: "/scim/v2/%E0%A4%A/Users" });
    expect(scim.statusCode).toBe(400);
    expect(scim.headers["content-type"]).toContain("application/scim+json");
    expect(scim.json()).toMatchObject({ schemas: ["urn:ietf:params:scim:api:messages:2.0:Error"], status: "400" });
    const admin = await t.app.inject({ method: "GET", url: "/setup/%E0%A4%A" });
    expect(admin.statusCode).toBe(400);
    expect(admin.headers["content-type"]).toContain("application/problem+json");
    expect(admin.json()).toMatchObject({ status: 400, code: "bad_request" });
  });
});

describe("readiness and migrations", () => {
  let db: TestDatabase;
  let t: TestApp;
  let partial: string;
  let last: string;
  beforeAll(async () => {
    // a database migrated by an older build: every migration but the newest
    const names = (await readMigrations()).map((m) => m.name);
    last = names[names.length - 1]!;
    partial = await mkdtemp(path.join(os.tmpdir(), "scimbridge-migrations-"));
    for (const name of names.slice(0, -1)) await cp(path.join(MIGRATIONS_DIR, name), path.join(partial, name), { recursive: true });
    db = await createEmptyDatabase();
    await migrate(db.url, partial);
    t = await buildTestApp({}, db);
  });
  afterAll(async () => {
    await t.close();
    await db.drop();
    await rm(partial, { recursive: true, force: true });
  });

  it("GET /readyz answers 503 naming the migration this build ships that the database lacks, then 200 once it is applied", async () => {
    const pending = await t.app.inject({ method: "GET", url: "/readyz" });
    expect(pending.statusCode).toBe(503);
    expect(pending.json()).toEqual({ status: "migrations pending", detail: `not applied: ${last}` });
    expect(t.logs.some((l) => l.msg === "readiness check failed: migrations pending")).toBe(true);
    expect(await migrate(db.url)).toEqual([last]);
    const ready = await t.app.inject({ method: "GET", url: "/readyz" });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({ status: "ready" });
  });
});

describe("readiness on an empty database", () => {
  let db: TestDatabase;
  let t: TestApp;
  beforeAll(async () => {
    db = await createEmptyDatabase();
    t = await buildTestApp({}, db);
  });
  afterAll(async () => {
    await t.close();
    await db.drop();
  });

  it("GET /readyz answers 503 migrations pending when no migration was ever applied", async () => {
    const res = await t.app.inject({ method: "GET", url: "/readyz" });
    expect(res.statusCode).toBe(503);
    expect(res.json().status).toBe("migrations pending");
    expect(res.json().detail).toContain((await readMigrations())[0]!.name);
  });
});
