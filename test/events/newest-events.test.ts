import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "../../src/db/sql.js";
import { newestEvents } from "../../src/events/event-service.js";
import { newestEventsSql, readNewestEvents } from "../../src/events/event-store.js";
import { appendEvents } from "../../src/events/event-writer.js";
import { DirectoryNotFound } from "../../src/directories/directory-service.js";
import { createDirectory } from "../helpers/event-fixtures.js";
import { buildTestApp, type TestApp } from "../helpers/test-app.js";

// A directory's events newest first (the console's event list and live tail), and one user's history:
// user.* events whose data is the user, membership events whose data.user is, found through events_user_id_idx.

describe("newest events", () => {
  let t: TestApp;
  let directoryId: string;
  const ada = randomUUID();
  const bob = randomUUID();
  const group = randomUUID();

  beforeAll(async () => {
    t = await buildTestApp();
    directoryId = await createDirectory(t.app.db);
    const other = await createDirectory(t.app.db);
    await appendEvents(t.app.db, [
      { type: "user.created", directoryId, data: { id: ada, userName: "ada" } },
      { type: "user.created", directoryId, data: { id: bob, userName: "bob" } },
      { type: "group.created", directoryId, data: { id: group, displayName: "Eng" } },
      { type: "group.user_added", directoryId, data: { group: { id: group }, user: { id: ada } } },
      { type: "group.user_added", directoryId, data: { group: { id: group }, user: { id: bob } } },
      { type: "user.updated", directoryId, data: { id: ada, userName: "ada" } },
      { type: "user.updated", directoryId: other, data: { id: ada, userName: "ada elsewhere" } },
    ]);
  });
  afterAll(async () => t?.close());

  it("reads a directory's events newest first, by type, paged by id", async () => {
    const all = await readNewestEvents(t.app.db, { directoryId, limit: 10 });
    expect(all.events.map((e) => e.type)).toEqual([
      "user.updated",
      "group.user_added",
      "group.user_added",
      "group.created",
      "user.created",
      "user.created",
    ]);
    expect(all.more).toBe(false);
    const first = await readNewestEvents(t.app.db, { directoryId, limit: 4 });
    expect(first.more).toBe(true);
    const rest = await readNewestEvents(t.app.db, { directoryId, limit: 4, beforeId: first.events.at(-1)!.id });
    expect(rest.events.map((e) => e.id)).toEqual(all.events.slice(4).map((e) => e.id));
    expect(rest.more).toBe(false);
    const created = await readNewestEvents(t.app.db, { directoryId, limit: 10, types: ["user.created"] });
    expect(created.events.map((e) => (e.data as { userName: string }).userName)).toEqual(["bob", "ada"]);
  });

  it("finds one user's events in its directory: user.* by data.id, memberships by data.user.id", async () => {
    const history = await readNewestEvents(t.app.db, { directoryId, userId: ada, limit: 10 });
    expect(history.events.map((e) => e.type)).toEqual(["user.updated", "group.user_added", "user.created"]);
    expect(history.events.every((e) => e.directoryId === directoryId)).toBe(true);
    const paged = await readNewestEvents(t.app.db, { directoryId, userId: ada, limit: 1, beforeId: history.events[0]!.id });
    expect(paged.events.map((e) => e.type)).toEqual(["group.user_added"]);
    expect(paged.more).toBe(true);
    expect((await readNewestEvents(t.app.db, { directoryId, userId: group, limit: 10 })).events).toEqual([]);
  });

  it("uses the per-user index for a user's history", async () => {
    const statement = newestEventsSql({ directoryId, userId: ada, limit: 20 });
    const plan = await t.app.db.transaction(async (tx) => {
      await tx.execute(sql`SET LOCAL enable_seqscan = off`);
      return tx.query<{ "QUERY PLAN": string }>(sql`EXPLAIN ${statement}`);
    });
    expect(plan.map((r) => r["QUERY PLAN"]).join("\n")).toContain("events_user_id_idx");
  });

  it("refuses an unknown directory through the service", async () => {
    await expect(newestEvents(t.app.db, { directoryId: randomUUID(), limit: 5 })).rejects.toBeInstanceOf(DirectoryNotFound);
  });
});
