import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { syncActivity } from "../../src/directories/directory-activity.js";
import { directoryHealth } from "../../src/directories/directory-health.js";
import { issueSecretToken } from "../../src/directories/directory-tokens.js";
import { insertScimRequests } from "../../src/request-log/request-log-store.js";
import { requestLogRow } from "../helpers/request-log-rows.js";
import { buildTestApp, type TestApp } from "../helpers/test-app.js";

// The overview's hourly series (counts walked back through created/deleted events, requests by outcome,
// pruned horizons) and the list's states, over rows placed at known times.

const HOUR = 3600_000;

describe("directory sync activity and health", () => {
  let t: TestApp;
  const now = new Date();
  const hourStart = (ago: number) => new Date(Math.floor(now.getTime() / HOUR) * HOUR - ago * HOUR);
  beforeAll(async () => {
    t = await buildTestApp();
  });
  afterAll(async () => t?.close());

  async function directory(createdDaysAgo: number): Promise<string> {
    const id = randomUUID();
    await t.app.db.prisma.directory.create({
      data: { id, name: "Series", createdAt: new Date(now.getTime() - createdDaysAgo * 86400_000) },
    });
    return id;
  }

  async function event(directoryId: string, type: string, at: Date) {
    await t.app.db.pool.query("INSERT INTO events (directory_id, type, occurred_at, data) VALUES ($1, $2, $3, '{}')", [
      directoryId,
      type,
      at,
    ]);
  }

  it("walks the current counts back through created and deleted events, hour by hour", async () => {
    const id = await directory(10);
    const mid = (ago: number) => new Date(hourStart(ago).getTime() + HOUR / 2);
    await event(id, "user.created", mid(3));
    await event(id, "user.created", mid(3));
    await event(id, "user.updated", mid(2));
    await event(id, "user.deleted", mid(1));
    await event(id, "group.created", mid(50));
    await insertScimRequests(t.app.db, [
      ...[0, 1, 2].map(() => requestLogRow(id, { at: mid(2) })),
      requestLogRow(id, { at: mid(2), status: 409 }),
      requestLogRow(id, { at: mid(2), status: 503 }),
      requestLogRow(id, { at: mid(2), status: 401, authenticated: false }),
    ]);
    const activity = await syncActivity(
      t.app.db,
      t.config,
      { id, createdAt: new Date(now.getTime() - 10 * 86400_000) },
      { users: 5, groups: 2 },
      now,
    );
    expect(activity.hours).toHaveLength(168);
    expect(activity.hours[167]!.hour).toEqual(hourStart(0));
    const at = (ago: number) => activity.hours[167 - ago]!;
    expect(at(0).counts).toEqual({ users: 5, groups: 2 });
    expect(at(1).counts).toEqual({ users: 5, groups: 2 });
    expect(at(2).counts).toEqual({ users: 6, groups: 2 });
    expect(at(3).counts).toEqual({ users: 6, groups: 2 });
    expect(at(4).counts).toEqual({ users: 4, groups: 2 });
    expect(at(50).counts).toEqual({ users: 4, groups: 2 });
    expect(at(51).counts).toEqual({ users: 4, groups: 1 });
    expect(at(2).requests).toEqual({ ok: 3, clientErrors: 1, serverErrors: 1 });
    expect(at(1).requests).toEqual({ ok: 0, clientErrors: 0, serverErrors: 0 });
    expect(activity.requestsKnownSince).toBeNull();
    expect(activity.countsKnownSince).toBeNull();
  });

  it("marks hours the pruned logs no longer cover, but not for a directory younger than the horizon", async () => {
    const config = { ...t.config, requestLog: { ...t.config.requestLog, maxRowsPerDirectory: 3 }, events: { retentionDays: 2 } };
    const old = await directory(10);
    await insertScimRequests(
      t.app.db,
      [5, 4, 3].map((ago) => requestLogRow(old, { at: hourStart(ago) })),
    );
    const activity = await syncActivity(
      t.app.db,
      config,
      { id: old, createdAt: new Date(now.getTime() - 10 * 86400_000) },
      { users: 0, groups: 0 },
      now,
    );
    // the directory's log is at its row cap: what came before its oldest row is gone
    expect(activity.requestsKnownSince).toEqual(hourStart(5));
    expect(activity.hours[167 - 6]!.requests).toBeNull();
    expect(activity.hours[167 - 5]!.requests).toEqual({ ok: 1, clientErrors: 0, serverErrors: 0 });
    expect(activity.countsKnownSince).toEqual(new Date(now.getTime() - 2 * 86400_000));
    expect(activity.hours[0]!.counts).toBeNull();
    expect(activity.hours[167]!.counts).toEqual({ users: 0, groups: 0 });

    const young = await directory(1);
    const fresh = await syncActivity(
      t.app.db,
      config,
      { id: young, createdAt: new Date(now.getTime() - 86400_000) },
      { users: 0, groups: 0 },
      now,
    );
    expect(fresh.requestsKnownSince).toBeNull();
    expect(fresh.countsKnownSince).toBeNull();
    expect(fresh.hours.every((h) => h.requests && h.counts)).toBe(true);
  });

  it("tells the states apart: recent authenticated failures, and refusals after the IdP last authenticated", async () => {
    const ids = await Promise.all([1, 1, 1, 1, 1, 1, 1, 1].map(() => directory(1)));
    const [waiting, healthy, failing, recovered, oldFailure, usedBeforePruning, revoked, reauthenticated] = ids as [
      string,
      string,
      string,
      string,
      string,
      string,
      string,
      string,
    ];
    await insertScimRequests(t.app.db, [
      requestLogRow(waiting, { status: 401, authenticated: false }),
      requestLogRow(healthy),
      requestLogRow(failing),
      requestLogRow(failing, { status: 500 }),
      // a failure followed by 10 successes is out of the last 10
      requestLogRow(recovered, { status: 400 }),
      ...Array.from({ length: 10 }, () => requestLogRow(recovered)),
      requestLogRow(oldFailure, { status: 404, at: new Date(now.getTime() - 2 * HOUR) }),
      // an IdP that synced, then is refused (its token was revoked): failing until it authenticates again
      requestLogRow(revoked),
      requestLogRow(revoked, { status: 401, authenticated: false }),
      requestLogRow(reauthenticated, { status: 401, authenticated: false }),
      requestLogRow(reauthenticated),
    ]);
    const token = (await issueSecretToken(t.app.db.prisma, t.config, usedBeforePruning))!;
    await t.app.db.prisma.directoryToken.update({
      where: { id: token.id },
      data: { lastUsedAt: new Date(now.getTime() - 30 * 86400_000) },
    });
    const health = await directoryHealth(
      t.app.db,
      ids.map((id) => ({ id, disabled: false })),
    );
    expect(ids.map((id) => health.get(id)!.state)).toEqual([
      "waiting",
      "healthy",
      "failing",
      "healthy",
      "healthy",
      "healthy",
      "failing",
      "healthy",
    ]);
    expect(health.get(revoked)!.refusedRecently).toBe(1);
    expect(health.get(waiting)!.refusedRecently).toBe(0);
    expect(health.get(failing)!.lastRequest).toMatchObject({ method: "GET", path: "/Users", status: 500 });
    expect(health.get(waiting)!.lastRequest).toBeNull();
    expect(health.get(usedBeforePruning)!.newestLiveTokenAt).toEqual(token.createdAt);
    expect(health.get(healthy)!.newestLiveTokenAt).toBeNull();
    expect((await directoryHealth(t.app.db, [{ id: failing, disabled: true }])).get(failing)!.state).toBe("disabled");
  });
});
