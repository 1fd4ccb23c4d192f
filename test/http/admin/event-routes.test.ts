import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDirectory, writeEvents } from "../../helpers/event-fixtures.js";
import { adminAuth, buildTestApp, type TestApp } from "../../helpers/test-app.js";

describe("events API", () => {
  let t: TestApp;
  let acme: string;
  let globex: string;
  beforeAll(async () => {
    t = await buildTestApp();
    acme = await createDirectory(t.app.db, { tenant: "acme", product: "crm" });
    globex = await createDirectory(t.app.db, { tenant: "globex", product: "hr" });
    await writeEvents(t.app.db, acme, 3, "user.created", 0);
    await writeEvents(t.app.db, globex, 2, "group.created", 0);
    await writeEvents(t.app.db, acme, 2, "user.deactivated", 3);
  });
  afterAll(async () => t.close());

  const get = (url: string, headers: Record<string, string> = adminAuth) => t.app.inject({ method: "GET", url, headers });

  it("GET /api/v1/events returns every directory's events oldest first with the documented shape", async () => {
    const res = await get("/api/v1/events");
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.data.map((e: { type: string }) => e.type)).toEqual([
      "user.created",
      "user.created",
      "user.created",
      "group.created",
      "group.created",
      "user.deactivated",
      "user.deactivated",
    ]);
    expect(body.data[0]).toEqual({
      id: expect.stringMatching(/^\d+$/),
      type: "user.created",
      directoryId: acme,
      tenant: "acme",
      product: "crm",
      occurredAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      data: { seq: 0, userName: "user0@acme.example" },
    });
    expect(body.data[3]).toMatchObject({ directoryId: globex, tenant: "globex", product: "hr" });
    expect(typeof body.nextCursor).toBe("string");
  });

  it("pages with the cursor; an empty page keeps the cursor so a poller can continue", async () => {
    const first = (await get("/api/v1/events?limit=4")).json();
    expect(first.data).toHaveLength(4);
    const second = (await get(`/api/v1/events?limit=4&after=${first.nextCursor}`)).json();
    expect(second.data).toHaveLength(3);
    const all = (await get("/api/v1/events")).json();
    expect([...first.data, ...second.data].map((e: { id: string }) => e.id)).toEqual(all.data.map((e: { id: string }) => e.id));
    const empty = (await get(`/api/v1/events?after=${second.nextCursor}`)).json();
    expect(empty).toEqual({ data: [], nextCursor: second.nextCursor });
    await writeEvents(t.app.db, globex, 1, "group.deleted", 9);
    const more = (await get(`/api/v1/events?after=${second.nextCursor}`)).json();
    expect(more.data.map((e: { type: string }) => e.type)).toEqual(["group.deleted"]);
  });

  it("filters by types", async () => {
    const res = await get("/api/v1/events?types=user.deactivated,group.deleted");
    expect(res.statusCode).toBe(200);
    expect(res.json().data.map((e: { type: string }) => e.type)).toEqual(["user.deactivated", "user.deactivated", "group.deleted"]);
  });

  it("GET /api/v1/directories/{id}/events returns only that directory's events", async () => {
    const res = await get(`/api/v1/directories/${globex}/events?types=group.created`);
    expect(res.statusCode).toBe(200);
    const data = res.json().data;
    expect(data).toHaveLength(2);
    expect(data.every((e: { directoryId: string }) => e.directoryId === globex)).toBe(true);
  });

  it("answers problem+json for a bad cursor, an unknown type, a bad limit, an unknown directory, and no key", async () => {
    const badCursor = await get("/api/v1/events?after=not-a-cursor");
    expect(badCursor.statusCode).toBe(400);
    expect(badCursor.headers["content-type"]).toContain("application/problem+json");
    expect(badCursor.json()).toMatchObject({ status: 400, code: "invalid_cursor" });
    const forged = await get(`/api/v1/events?after=${Buffer.from(JSON.stringify({ t: "x", i: 1 })).toString("base64url")}`);
    expect(forged.json()).toMatchObject({ status: 400, code: "invalid_cursor" });

    const badType = await get("/api/v1/events?types=user.created,user.exploded");
    expect(badType.statusCode).toBe(400);
    expect(badType.json()).toMatchObject({ code: "invalid_event_type" });
    expect(badType.json().detail).toContain('"user.exploded"');

    const badLimit = await get("/api/v1/events?limit=0");
    expect(badLimit.statusCode).toBe(400);
    expect(badLimit.json()).toMatchObject({ status: 400, code: "validation_failed" });

    const unknownDir = await get("/api/v1/directories/00000000-0000-4000-8000-000000000000/events");
    expect(unknownDir.statusCode).toBe(404);
    expect(unknownDir.json()).toMatchObject({ code: "directory_not_found" });
    const notUuid = await get("/api/v1/directories/nope/events");
    expect(notUuid.statusCode).toBe(400);

    const noKey = await get("/api/v1/events", {});
    expect(noKey.statusCode).toBe(401);
  });

  it("is in the OpenAPI document under the events tag", async () => {
    const doc = (await t.app.inject({ method: "GET", url: "/openapi.json" })).json();
    expect(doc.paths["/api/v1/events"].get.tags).toEqual(["events"]);
    expect(doc.components.schemas.Event.properties.type.enum).toContain("group.user_added");
  });
});
