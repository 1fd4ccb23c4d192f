import { Webhook } from "standardwebhooks";
import { beforeAll, describe, expect, it } from "vitest";
import {
  createDirectory,
  newWebhookSecret,
  setEndpoint,
  startTestWorker,
  useAppWithReceiver,
  waitFor,
  writeEvents,
} from "../../helpers/event-fixtures.js";
import { adminAuth } from "../../helpers/test-app.js";

describe("webhook delivery log, retry and replay", () => {
  const ctx = useAppWithReceiver();
  let dir: string;
  const secret = newWebhookSecret();
  beforeAll(async () => {
    dir = await createDirectory(ctx.t.app.db);
    await setEndpoint(ctx.t.app.db, ctx.t.config, dir, ctx.receiver.url, secret);
    ctx.receiver.respond = (r) => (r.json.data.seq === 1 ? 400 : 200);
    await writeEvents(ctx.t.app.db, dir, 4);
    const worker = startTestWorker(ctx.t.app.db, ctx.t.config, { retrySchedule: [] });
    try {
      await waitFor(
        async () => {
          const { rows } = await ctx.t.app.db.pool.query(
            "SELECT count(*)::int AS n FROM webhook_deliveries WHERE status IN ('succeeded', 'dead')",
          );
          return rows[0].n === 4;
        },
        10000,
        "4 finished deliveries",
      );
    } finally {
      await worker.stop();
    }
  });

  const call = (method: "GET" | "POST", url: string) => ctx.t.app.inject({ method, url, headers: adminAuth });

  it("lists deliveries newest first with event, endpoint, attempts, status code and error", async () => {
    const res = await call("GET", `/api/v1/directories/${dir}/webhook-deliveries`);
    expect(res.statusCode).toBe(200);
    const { data, nextCursor } = res.json();
    expect(nextCursor).toBeNull();
    expect(data).toHaveLength(4);
    expect(data.map((d: { status: string }) => d.status)).toEqual(["succeeded", "succeeded", "dead", "succeeded"]);
    expect(data[2]).toMatchObject({
      eventType: "user.created",
      endpoint: { global: false, url: ctx.receiver.url },
      status: "dead",
      attempts: 1,
      lastStatusCode: 400,
      nextAttemptAt: null,
      deliveredAt: null,
    });
    expect(data[2].lastError).toBe("receiver answered HTTP 400: receiver is down");
    expect(data[0].deliveredAt).toMatch(/Z$/);
    // no secret anywhere in the log
    expect(res.body).not.toContain(secret.slice(6, 20));
  });

  it("filters by status and pages with a cursor", async () => {
    const dead = (await call("GET", `/api/v1/directories/${dir}/webhook-deliveries?status=dead`)).json();
    expect(dead.data).toHaveLength(1);
    const first = (await call("GET", `/api/v1/directories/${dir}/webhook-deliveries?limit=3`)).json();
    expect(first.data).toHaveLength(3);
    const second = (await call("GET", `/api/v1/directories/${dir}/webhook-deliveries?limit=3&cursor=${first.nextCursor}`)).json();
    expect(second.data).toHaveLength(1);
    expect(second.nextCursor).toBeNull();
    expect(Number(second.data[0].id)).toBeLessThan(Number(first.data[2].id));
  });

  it("rejects bad list queries with problem+json", async () => {
    const badStatus = await call("GET", `/api/v1/directories/${dir}/webhook-deliveries?status=lost`);
    expect(badStatus.statusCode).toBe(400);
    expect(badStatus.headers["content-type"]).toContain("application/problem+json");
    const badCursor = await call("GET", `/api/v1/directories/${dir}/webhook-deliveries?cursor=zzz`);
    expect(badCursor.statusCode).toBe(400);
    expect(badCursor.json()).toMatchObject({ code: "invalid_cursor" });
    const unknown = await call("GET", "/api/v1/directories/00000000-0000-4000-8000-000000000000/webhook-deliveries");
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toMatchObject({ code: "directory_not_found" });
  });

  it("retry: 404 for an unknown delivery, 409 for a succeeded one, 400 for a malformed id", async () => {
    const missing = await call("POST", "/api/v1/webhook-deliveries/987654321/retry");
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ code: "delivery_not_found" });
    const ok = (await call("GET", `/api/v1/directories/${dir}/webhook-deliveries?status=succeeded`)).json().data[0];
    const conflict = await call("POST", `/api/v1/webhook-deliveries/${ok.id}/retry`);
    expect(conflict.statusCode).toBe(409);
    expect(conflict.json()).toMatchObject({
      code: "delivery_not_retryable",
      detail: "delivery is succeeded; only failed or dead deliveries can be retried",
    });
    const malformed = await call("POST", "/api/v1/webhook-deliveries/abc/retry");
    expect(malformed.statusCode).toBe(400);
  });

  it("replay re-sends history from an event, in order, under new webhook-ids", async () => {
    const events = (await call("GET", `/api/v1/directories/${dir}/events`)).json().data;
    ctx.receiver.requests.length = 0;
    ctx.receiver.accepted.length = 0;
    ctx.receiver.respond = 200;
    const replay = await call("POST", `/api/v1/directories/${dir}/webhooks/replay?fromEventId=${events[1].id}`);
    expect(replay.statusCode).toBe(202);
    expect(replay.json()).toEqual({ queued: 3 });
    const worker = startTestWorker(ctx.t.app.db, ctx.t.config);
    try {
      await waitFor(() => ctx.receiver.accepted.length === 3, 10000, "3 replayed deliveries");
    } finally {
      await worker.stop();
    }
    expect(ctx.receiver.accepted.map((r) => r.json.data.seq)).toEqual([1, 2, 3]);
    expect(ctx.receiver.accepted.map((r) => r.headers["webhook-id"])).toEqual(events.slice(1).map((e: { id: string }) => `evt_${e.id}_r1`));
    for (const r of ctx.receiver.accepted) expect(new Webhook(secret).verify(r.body, r.headers)).toEqual(r.json);
  });

  it("replay errors: unknown event 404, no endpoint 409, missing fromEventId 400", async () => {
    const unknownEvent = await call("POST", `/api/v1/directories/${dir}/webhooks/replay?fromEventId=999999999`);
    expect(unknownEvent.statusCode).toBe(404);
    expect(unknownEvent.json()).toMatchObject({ code: "event_not_found" });
    const bare = await createDirectory(ctx.t.app.db);
    await writeEvents(ctx.t.app.db, bare, 1);
    const noEndpoint = await call("POST", `/api/v1/directories/${bare}/webhooks/replay?fromEventId=1`);
    expect(noEndpoint.statusCode).toBe(409);
    expect(noEndpoint.json()).toMatchObject({ code: "no_webhook_endpoint" });
    const missing = await call("POST", `/api/v1/directories/${dir}/webhooks/replay`);
    expect(missing.statusCode).toBe(400);
    expect(missing.json()).toMatchObject({ status: 400 });
    const unknownDir = await call("POST", "/api/v1/directories/00000000-0000-4000-8000-000000000000/webhooks/replay?fromEventId=1");
    expect(unknownDir.statusCode).toBe(404);
  });

  it("shows one delivery and its attempt history, newest first, for a receiver that fails twice then accepts", async () => {
    const flaky = await createDirectory(ctx.t.app.db);
    await setEndpoint(ctx.t.app.db, ctx.t.config, flaky, ctx.receiver.url, secret);
    let refusals = 0;
    ctx.receiver.respond = (r) => (r.json.directoryId !== flaky ? 204 : ++refusals === 1 ? 503 : refusals === 2 ? 500 : 204);
    await writeEvents(ctx.t.app.db, flaky, 1);
    const worker = startTestWorker(ctx.t.app.db, ctx.t.config, { retrySchedule: [0.05, 0.05] });
    let id = "";
    try {
      await waitFor(
        async () => {
          const [d] = (await call("GET", `/api/v1/directories/${flaky}/webhook-deliveries`)).json().data;
          id = d?.id ?? "";
          return d?.status === "succeeded";
        },
        10000,
        "delivery succeeded on the third attempt",
      );
    } finally {
      await worker.stop();
    }

    const one = await call("GET", `/api/v1/directories/${flaky}/webhook-deliveries/${id}`);
    expect(one.statusCode).toBe(200);
    expect(one.json()).toMatchObject({ id, status: "succeeded", attempts: 3, lastStatusCode: 204, lastError: null, nextAttemptAt: null });

    const res = await call("GET", `/api/v1/directories/${flaky}/webhook-deliveries/${id}/attempts`);
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toContain("application/json");
    const { data, nextCursor } = res.json();
    expect(nextCursor).toBeNull();
    expect(
      data.map((a: { outcome: string; statusCode: number | null; error: string | null }) => [a.outcome, a.statusCode, a.error]),
    ).toEqual([
      ["succeeded", 204, null],
      ["failed", 500, "receiver answered HTTP 500: receiver is down"],
      ["failed", 503, "receiver answered HTTP 503: receiver is down"],
    ]);
    const times = data.map((a: { attemptedAt: string }) => Date.parse(a.attemptedAt));
    expect(data[0].attemptedAt).toMatch(/^\d{4}-\d\d-\d\dT.*Z$/);
    expect(times[0]).toBeGreaterThanOrEqual(times[1]);
    expect(times[1]).toBeGreaterThanOrEqual(times[2]);
    expect(Object.keys(data[0]).sort()).toEqual(["attemptedAt", "error", "outcome", "statusCode"]);
    // the delivery's lastAttemptAt is when its newest attempt started
    expect(one.json().lastAttemptAt).toBe(data[0].attemptedAt);

    const first = (await call("GET", `/api/v1/directories/${flaky}/webhook-deliveries/${id}/attempts?limit=2`)).json();
    expect(first.data).toEqual(data.slice(0, 2));
    const second = (
      await call("GET", `/api/v1/directories/${flaky}/webhook-deliveries/${id}/attempts?limit=2&cursor=${first.nextCursor}`)
    ).json();
    expect(second).toEqual({ data: data.slice(2), nextCursor: null });

    // the first directory's delivery that was refused (dead), then replayed: a replay restarts the count, not the history
    const replayed = (await call("GET", `/api/v1/directories/${dir}/webhook-deliveries`)).json().data[2];
    expect(replayed).toMatchObject({ status: "succeeded", attempts: 1, lastStatusCode: 200 });
    const history = (await call("GET", `/api/v1/directories/${dir}/webhook-deliveries/${replayed.id}/attempts`)).json();
    expect(history.data).toMatchObject([
      { outcome: "succeeded", statusCode: 200, error: null },
      { outcome: "dead", statusCode: 400, error: "receiver answered HTTP 400: receiver is down" },
    ]);
  });

  it("one delivery and its attempts: 404 for an unknown or another directory's delivery and an unknown directory, 400 for malformed ids", async () => {
    const [ours] = (await call("GET", `/api/v1/directories/${dir}/webhook-deliveries`)).json().data;
    const other = await createDirectory(ctx.t.app.db);
    for (const suffix of ["", "/attempts"]) {
      const unknown = await call("GET", `/api/v1/directories/${dir}/webhook-deliveries/987654321${suffix}`);
      expect(unknown.statusCode).toBe(404);
      expect(unknown.headers["content-type"]).toContain("application/problem+json");
      expect(unknown.json()).toMatchObject({ code: "delivery_not_found", detail: "webhook delivery not found" });
      const othersDelivery = await call("GET", `/api/v1/directories/${other}/webhook-deliveries/${ours.id}${suffix}`);
      expect(othersDelivery.statusCode).toBe(404);
      expect(othersDelivery.json()).toMatchObject({ code: "delivery_not_found" });
      const unknownDir = await call(
        "GET",
        `/api/v1/directories/00000000-0000-4000-8000-000000000000/webhook-deliveries/${ours.id}${suffix}`,
      );
      expect(unknownDir.statusCode).toBe(404);
      expect(unknownDir.json()).toMatchObject({ code: "directory_not_found" });
      for (const url of [
        `/api/v1/directories/${dir}/webhook-deliveries/abc${suffix}`,
        `/api/v1/directories/not-a-uuid/webhook-deliveries/${ours.id}${suffix}`,
      ]) {
        const malformed = await call("GET", url);
        expect(malformed.statusCode).toBe(400);
        expect(malformed.headers["content-type"]).toContain("application/problem+json");
      }
    }
    const badCursor = await call("GET", `/api/v1/directories/${dir}/webhook-deliveries/${ours.id}/attempts?cursor=zzz`);
    expect(badCursor.statusCode).toBe(400);
    expect(badCursor.json()).toMatchObject({ code: "invalid_cursor" });
    expect((await call("GET", `/api/v1/directories/${dir}/webhook-deliveries/${ours.id}/attempts?limit=0`)).statusCode).toBe(400);
  });
});
