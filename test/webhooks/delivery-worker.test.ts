import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { dispatchEvents } from "../../src/webhooks/delivery-dispatcher.js";
import { adminAuth, buildTestApp, type TestApp } from "../helpers/test-app.js";
import {
  createDirectory,
  deliveryRows,
  newWebhookSecret,
  type Receiver,
  setEndpoint,
  startReceiver,
  startTestWorker,
  waitFor,
  writeEvents,
} from "../helpers/event-fixtures.js";

describe("webhook delivery worker", () => {
  let t: TestApp;
  let receiver: Receiver;
  beforeAll(async () => {
    t = await buildTestApp();
  });
  afterAll(async () => t.close());
  beforeEach(async () => {
    await receiver?.close();
    receiver = await startReceiver();
    // each test starts with an empty queue; directories cascade to their events and deliveries
    await t.app.db.pool.query("DELETE FROM directories");
  });

  it("delivers every event once, in order, signed per Standard Webhooks (verified with standardwebhooks)", async () => {
    const secret = newWebhookSecret();
    const dir = await createDirectory(t.app.db, { tenant: "acme", product: "crm" });
    await setEndpoint(t.app.db, t.config, dir, receiver.url, secret);
    await writeEvents(t.app.db, dir, 5, "user.created", 0);
    await writeEvents(t.app.db, dir, 5, "user.updated", 5);
    const worker = startTestWorker(t.app.db, t.config);
    try {
      await waitFor(() => receiver.accepted.length === 10, 10000, "10 deliveries");
    } finally {
      await worker.stop();
    }
    expect(receiver.requests).toHaveLength(10);
    expect(receiver.accepted.map((r) => r.json.data.seq)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const verifier = new Webhook(secret);
    for (const r of receiver.accepted) {
      expect(r.headers["webhook-id"]).toBe(`evt_${r.json.id}`);
      expect(r.headers["webhook-signature"]).toMatch(/^v1,[A-Za-z0-9+/=]+$/);
      expect(r.headers["content-type"]).toBe("application/json");
      expect(verifier.verify(r.body, r.headers)).toEqual(r.json);
    }
    expect(() => new Webhook(newWebhookSecret()).verify(receiver.accepted[0]!.body, receiver.accepted[0]!.headers)).toThrow();
    expect(receiver.accepted[0]!.json).toMatchObject({ type: "user.created", directoryId: dir, tenant: "acme", product: "crm" });
    expect(receiver.accepted[0]!.json.occurredAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    const rows = await deliveryRows(t.app.db.pool);
    expect(rows.every((r) => r.status === "succeeded" && r.attempts === 1)).toBe(true);
  });

  it("fans out a transaction larger than one dispatch batch completely and in order", async () => {
    const dir = await createDirectory(t.app.db);
    await setEndpoint(t.app.db, t.config, dir, receiver.url, newWebhookSecret());
    await writeEvents(t.app.db, dir, 1100, "group.user_added");
    const worker = startTestWorker(t.app.db, t.config);
    try {
      await waitFor(() => receiver.accepted.length === 1100, 30000, "1100 deliveries");
    } finally {
      await worker.stop();
    }
    expect(receiver.accepted.map((r) => r.json.data.seq)).toEqual(Array.from({ length: 1100 }, (_, i) => i));
  });

  it("a receiver failing then recovering receives everything, in order, with no later event first", async () => {
    const dir = await createDirectory(t.app.db);
    await setEndpoint(t.app.db, t.config, dir, receiver.url, newWebhookSecret());
    let failures = 0;
    receiver.respond = () => (failures++ < 2 ? 503 : 200);
    await writeEvents(t.app.db, dir, 20);
    const worker = startTestWorker(t.app.db, t.config, { retrySchedule: [0.05, 0.05, 0.05] });
    try {
      await waitFor(() => receiver.accepted.length === 20, 10000, "20 deliveries");
    } finally {
      await worker.stop();
    }
    // the first event was tried three times before anything else was sent
    expect(receiver.requests.slice(0, 3).map((r) => r.json.data.seq)).toEqual([0, 0, 0]);
    expect(receiver.accepted.map((r) => r.json.data.seq)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    // retries of one delivery keep their webhook-id
    expect(new Set(receiver.requests.slice(0, 3).map((r) => r.headers["webhook-id"])).size).toBe(1);
    const rows = await deliveryRows(t.app.db.pool);
    expect(rows[0]).toMatchObject({ status: "succeeded", attempts: 3 });
  });

  it("dead-letters after the last attempt, keeps delivering later events, and a manual retry succeeds", async () => {
    const dir = await createDirectory(t.app.db);
    await setEndpoint(t.app.db, t.config, dir, receiver.url, newWebhookSecret());
    receiver.respond = (r) => (r.json.data.seq === 0 ? 500 : 200);
    await writeEvents(t.app.db, dir, 3);
    const worker = startTestWorker(t.app.db, t.config, { retrySchedule: [0.05, 0.05] });
    try {
      await waitFor(
        async () => (await deliveryRows(t.app.db.pool)).filter((r) => r.status !== "pending").length === 3,
        10000,
        "dead-letter recorded",
      );
      expect(receiver.accepted.map((r) => r.json.data.seq)).toEqual([1, 2]);
      expect(receiver.requests.filter((r) => r.json.data.seq === 0)).toHaveLength(3);
      const list = await t.app.inject({
        method: "GET",
        url: `/api/v1/directories/${dir}/webhook-deliveries?status=dead`,
        headers: adminAuth,
      });
      expect(list.statusCode).toBe(200);
      const [dead] = list.json().data;
      expect(dead).toMatchObject({ status: "dead", attempts: 3, lastStatusCode: 500, nextAttemptAt: null, eventType: "user.created" });
      expect(dead.lastError).toContain("HTTP 500");

      receiver.respond = 200;
      const retry = await t.app.inject({ method: "POST", url: `/api/v1/webhook-deliveries/${dead.id}/retry`, headers: adminAuth });
      expect(retry.statusCode).toBe(200);
      expect(retry.json()).toMatchObject({ id: dead.id, status: "pending", attempts: 0 });
      worker.wake();
      await waitFor(() => receiver.accepted.length === 3, 10000, "manual retry delivered");
    } finally {
      await worker.stop();
    }
    expect(receiver.accepted.at(-1)!.json.data.seq).toBe(0);
    const rows = await deliveryRows(t.app.db.pool);
    expect(rows.map((r) => r.status)).toEqual(["succeeded", "succeeded", "succeeded"]);
  });

  it("two worker instances on one database deliver each event exactly once, each stream in order", async () => {
    const dirs = [await createDirectory(t.app.db), await createDirectory(t.app.db), await createDirectory(t.app.db)];
    for (const dir of dirs) await setEndpoint(t.app.db, t.config, dir, receiver.url, newWebhookSecret());
    const a = startTestWorker(t.app.db, t.config, { concurrency: 2 });
    const b = startTestWorker(t.app.db, t.config, { concurrency: 2 });
    try {
      for (let batch = 0; batch < 10; batch++) {
        await Promise.all(dirs.map((dir) => writeEvents(t.app.db, dir, 10, "user.updated", batch * 10)));
      }
      await waitFor(() => receiver.requests.length >= 300, 20000, "300 deliveries");
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
    // both stopped (in-flight sends finished and recorded) and no delivery left open: nothing more can be sent
    const open = (await deliveryRows(t.app.db.pool)).filter((r) => r.status !== "succeeded" && r.status !== "dead");
    expect(open).toEqual([]);
    expect(receiver.requests).toHaveLength(300);
    expect(new Set(receiver.requests.map((r) => r.headers["webhook-id"])).size).toBe(300);
    for (const dir of dirs) {
      const seqs = receiver.requests.filter((r) => r.json.directoryId === dir).map((r) => r.json.data.seq);
      expect(seqs).toEqual(Array.from({ length: 100 }, (_, i) => i));
    }
  });

  it("a worker that dies mid-delivery loses nothing: another takes the stream over when the lease expires", async () => {
    const dir = await createDirectory(t.app.db);
    await setEndpoint(t.app.db, t.config, dir, receiver.url, newWebhookSecret());
    receiver.respond = (r) => (r.json.data.seq === 2 && receiver.requests.filter((x) => x.json.data.seq === 2).length === 1 ? "hang" : 200);
    await writeEvents(t.app.db, dir, 5);
    const doomed = startTestWorker(t.app.db, t.config, { leaseMs: 300, timeoutMs: 1500 });
    await waitFor(() => receiver.requests.length === 3, 10000, "third delivery in flight");
    await doomed.abandon(); // as if the process was killed: nothing recorded, the lease stays
    const beforeTakeover = receiver.accepted.length;
    const started = Date.now();
    const survivor = startTestWorker(t.app.db, t.config, { leaseMs: 300, timeoutMs: 1000 });
    try {
      await waitFor(() => new Set(receiver.accepted.map((r) => r.json.data.seq)).size === 5, 15000, "all events after takeover");
    } finally {
      await survivor.stop();
    }
    // the lease (at least timeout 1.5 s + 1 s) had to expire before the survivor could take the stream
    expect(Date.now() - started).toBeGreaterThan(1000);
    // at-least-once: what was sent but not recorded is sent again (same webhook-id, so receivers dedupe),
    // and the stream resumes in order
    const firstArrivals = new Map<string, number>();
    for (const r of receiver.accepted)
      if (!firstArrivals.has(r.headers["webhook-id"]!)) firstArrivals.set(r.headers["webhook-id"]!, r.json.data.seq);
    expect([...firstArrivals.values()]).toEqual([0, 1, 2, 3, 4]);
    const resumed = receiver.accepted.slice(beforeTakeover).map((r) => r.json.data.seq);
    expect(resumed).toEqual([...resumed].sort((x, y) => x - y));
    expect(resumed.at(-1)).toBe(4);
    expect((await deliveryRows(t.app.db.pool)).every((r) => r.status === "succeeded")).toBe(true);
  });

  it("a stream whose endpoint was disabled after fan-out is deferred: nothing is sent, its deliveries stay pending", async () => {
    const dir = await createDirectory(t.app.db);
    const endpointId = await setEndpoint(t.app.db, t.config, dir, receiver.url, newWebhookSecret());
    await writeEvents(t.app.db, dir, 3);
    expect(await dispatchEvents(t.app.db, { globalEndpoint: false, batchSize: 1000 })).toBe(3);
    await t.app.db.prisma.webhookEndpoint.update({ where: { id: endpointId }, data: { disabledAt: new Date() } });
    const worker = startTestWorker(t.app.db, t.config);
    try {
      // the worker claims the stream, sees the endpoint disabled, and releases it due a minute later
      await waitFor(
        async () =>
          (await t.app.db.prisma.webhookStream.findFirst({
            where: { directoryId: dir, endpointId, leaseToken: null, readyAt: { gt: new Date(Date.now() + 30_000) } },
          })) !== null,
        10000,
        "stream deferred",
      );
    } finally {
      await worker.stop();
    }
    expect(receiver.requests).toHaveLength(0);
    const list = await t.app.inject({ method: "GET", url: `/api/v1/directories/${dir}/webhook-deliveries`, headers: adminAuth });
    expect(list.statusCode).toBe(200);
    expect(list.json().data.map((d: { status: string; attempts: number }) => [d.status, d.attempts])).toEqual([
      ["pending", 0],
      ["pending", 0],
      ["pending", 0],
    ]);
  });

  it("delivers every directory's events to the global endpoint too, tracked as its own deliveries", async () => {
    const global = await startReceiver();
    const globalSecret = newWebhookSecret();
    try {
      const d1 = await createDirectory(t.app.db);
      const d2 = await createDirectory(t.app.db);
      await setEndpoint(t.app.db, t.config, d1, receiver.url, newWebhookSecret());
      await writeEvents(t.app.db, d1, 2);
      await writeEvents(t.app.db, d2, 2);
      const worker = startTestWorker(t.app.db, t.config, { globalUrl: global.url, globalSecret });
      try {
        await waitFor(() => global.accepted.length === 4 && receiver.accepted.length === 2, 10000, "global deliveries");
      } finally {
        await worker.stop();
      }
      for (const r of global.accepted) expect(new Webhook(globalSecret).verify(r.body, r.headers)).toEqual(r.json);
      expect(global.accepted.map((r) => r.json.directoryId).sort()).toEqual([d1, d1, d2, d2].sort());
      const list = await t.app.inject({ method: "GET", url: `/api/v1/directories/${d2}/webhook-deliveries`, headers: adminAuth });
      expect(list.json().data.map((d: { endpoint: unknown; status: string }) => [d.endpoint, d.status])).toEqual([
        [{ id: null, global: true, url: null }, "succeeded"],
        [{ id: null, global: true, url: null }, "succeeded"],
      ]);
    } finally {
      await global.close();
    }
  });
});
