import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { WebhookWorker } from "../../../src/webhooks/delivery-worker.js";
import { HOSTILE_NAMES, type SyncedDirectory, syncedDirectory, unescaped } from "../../helpers/console-directory.js";
import { type ConsoleClient, signInToConsole } from "../../helpers/console-session.js";
import { startTestWorker, useAppWithReceiver, waitFor } from "../../helpers/event-fixtures.js";
import { adminAuth } from "../../helpers/test-app.js";

// The console's webhook deliveries: a failed delivery (the receiver answered 500) retried from its page to the
// same loopback receiver, now answering 2xx; the status filter; replay from an event id; error pages.
// The endpoint is set through the admin API; the webhook worker runs for real.

const deliveryIds = (body: string) => [...body.matchAll(/href="\/console\/directories\/[^/]+\/deliveries\/(\d+)"/g)].map((m) => m[1]!);
/** The list row's status, attempts and "Last attempt" cell (the <time> datetime, or "–") of one delivery. */
function listedRow(body: string, id: string) {
  const row = new RegExp(
    `>Delivery ${id}</a>.*?<span class="badge [a-z]+">([a-z ()]+)</span></td><td class="num">(\\d+)</td><td>(?:<time datetime="([^"]+)">|(–))`,
    "s",
  ).exec(body);
  return row && { status: row[1], attempts: Number(row[2]), lastAttempt: row[3] ?? row[4] };
}
/** The times of a delivery page's attempt history, newest first. */
const historyTimes = (body: string) => [...body.matchAll(/<tr><td><time datetime="([^"]+)">/g)].map((m) => m[1]!);

describe("console webhook deliveries pages", () => {
  const ctx = useAppWithReceiver();
  let c: ConsoleClient;
  let d: SyncedDirectory;
  let base: string;
  let worker: WebhookWorker;

  beforeAll(async () => {
    c = await signInToConsole(ctx.t.app);
    d = await syncedDirectory(ctx.t, "Acme");
    base = `/console/directories/${d.directoryId}/deliveries`;
    const set = await ctx.t.app.inject({
      method: "PATCH",
      url: `/api/v1/directories/${d.directoryId}`,
      headers: adminAuth,
      payload: { webhook: { url: ctx.receiver.url } },
    });
    expect(set.statusCode).toBe(200);
    ctx.receiver.respond = 500;
    // one failed attempt, then the next is an hour away: the delivery stays "failed" until retried
    worker = startTestWorker(ctx.t.app.db, ctx.t.config, { retrySchedule: [3600] });
    await d.createUser(HOSTILE_NAMES[0], { displayName: HOSTILE_NAMES[1] });
    await waitFor(() => ctx.receiver.requests.length === 1, 10000, "first attempt");
  });
  afterAll(async () => worker?.stop());

  async function waitForStatus(id: string, label: string) {
    await waitFor(async () => (await c.get(`${base}/${id}`)).body.includes(label), 10000, `delivery ${id} ${label}`);
  }

  it("lists deliveries with event type, status, attempts, times and the last response", async () => {
    const list = await c.get(base);
    expect(list.statusCode).toBe(200);
    expect(list.body).toContain(`<a href="${base}" aria-current="page">Deliveries</a>`);
    const [id] = deliveryIds(list.body);
    await waitForStatus(id!, "failed (retrying)");
    const res = await c.get(base);
    expect(res.body).toContain(`<a href="${base}/${id}">Delivery ${id}</a>`);
    expect(res.body).toContain("<code>user.created</code>");
    expect(res.body).toContain('<span class="badge bad">failed (retrying)</span>');
    expect(res.body).toMatch(/<td class="num">1<\/td>/);
    expect(res.body).toContain("HTTP 500");
    expect(unescaped(res.body)).toBe(false);
    // "Last attempt" is when the attempt started, as the delivery's history shows it
    const history = historyTimes((await c.get(`${base}/${id}`)).body);
    expect(history).toHaveLength(1);
    expect(listedRow(res.body, id!)).toEqual({ status: "failed (retrying)", attempts: 1, lastAttempt: history[0] });
  });

  it("filters by status, and answers an unknown status with a 400 page", async () => {
    const failed = await c.get(`${base}?status=failed`);
    expect(deliveryIds(failed.body)).toHaveLength(1);
    expect(failed.body).toContain('<option value="failed" selected>');
    const delivered = await c.get(`${base}?status=succeeded`);
    expect(deliveryIds(delivered.body)).toHaveLength(0);
    expect(delivered.body).toContain("No webhook deliveries with this status.");
    const bad = await c.get(`${base}?status=${encodeURIComponent("<i>x</i>")}`);
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain("Status must be one of pending, failed, succeeded, dead.");
    expect((await c.get(`${base}?cursor=bad`)).statusCode).toBe(400);
  });

  it("retries a failed delivery from its page to the receiver, which now answers 2xx", async () => {
    const [id] = deliveryIds((await c.get(`${base}?status=failed`)).body);
    const page = await c.get(`${base}/${id}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(`<h1>Delivery ${id}</h1>`);
    expect(page.body).toContain(`<dt>Endpoint</dt><dd class="mono">${ctx.receiver.url}</dd>`);
    expect(page.body).toContain("<dt>Attempts</dt><dd>1 since queued or last retried</dd>");
    expect(page.body).toMatch(
      /<tr><td><time [^>]+>[^<]+<\/time><\/td><td><span class="badge bad">failed \(retrying\)<\/span><\/td><td>HTTP 500: /,
    );
    expect(page.body).toContain('<button type="submit" class="primary">Retry now</button>');
    expect(page.body).toContain(`action="${base}/${id}/retry"`);

    ctx.receiver.respond = 204;
    // with no worker running, the retried delivery waits: a fresh count, but its last attempt is still the failed one
    await worker.stop();
    const failedAt = historyTimes(page.body)[0];
    const retried = await c.post(`${base}/${id}/retry`);
    expect(retried.statusCode).toBe(303);
    expect(retried.headers.location).toBe(`${base}/${id}?retried=1`);
    const after = await c.get(String(retried.headers.location));
    expect(after.body).toContain("Queued for another attempt now");
    expect(listedRow((await c.get(base)).body, id!)).toEqual({ status: "pending", attempts: 0, lastAttempt: failedAt });
    worker = startTestWorker(ctx.t.app.db, ctx.t.config, { retrySchedule: [3600] });
    await waitFor(() => ctx.receiver.accepted.length === 1, 10000, "retried delivery accepted");
    await waitForStatus(id!, '<span class="badge ok">delivered</span>');
    const done = await c.get(`${base}/${id}`);
    // a retry starts a fresh schedule: one attempt since, answered 204; the history has both, newest first
    expect(done.body).toContain("<dt>Attempts</dt><dd>1 since queued or last retried</dd>");
    expect(done.body).toContain("<dt>Last response</dt><dd>HTTP 204</dd>");
    const history = [...done.body.matchAll(/<td><span class="badge [a-z]+">([a-z ()]+)<\/span><\/td><td>(HTTP \d+)/g)].map(
      (m) => `${m[1]} ${m[2]}`,
    );
    expect(history).toEqual(["delivered HTTP 204", "failed (retrying) HTTP 500"]);
    const [deliveredAt] = historyTimes(done.body);
    expect(deliveredAt! > failedAt!).toBe(true);
    expect(listedRow((await c.get(base)).body, id!)).toEqual({ status: "delivered", attempts: 1, lastAttempt: deliveredAt });
    expect(done.body).toContain("Only failed or dead deliveries can be retried.");
    expect(done.body).not.toContain("Retry now");
    // the same delivery (webhook-id) the receiver refused before
    expect(ctx.receiver.accepted[0]!.headers["webhook-id"]).toBe(ctx.receiver.requests[0]!.headers["webhook-id"]);

    const again = await c.post(`${base}/${id}/retry`);
    expect(again.statusCode).toBe(409);
    expect(again.body).toContain("only failed or dead deliveries can be retried");
  });

  it("replays events from an event id, then shows how many were queued", async () => {
    await d.createGroup("Engineers");
    await waitFor(() => ctx.receiver.accepted.length === 2, 10000, "group.created delivered");
    const events = await c.get(`/console/directories/${d.directoryId}/events?type=user.created`);
    const firstEventId = /<td class="mono">(\d+)<\/td><td><code>user\.created<\/code>/.exec(events.body)![1]!;
    const deliveries = await c.get(base);
    expect(deliveries.body).toContain('<label for="fromEventId">From event id</label>');
    expect(deliveries.body).toContain(`action="${base}/replay"`);

    const res = await c.post(`${base}/replay`, { fromEventId: firstEventId });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe(`${base}?replayed=2`);
    const page = await c.get(String(res.headers.location));
    expect(page.body).toContain("Queued 2 deliveries for replay.");
    await waitFor(() => ctx.receiver.accepted.length === 4, 10000, "replayed deliveries accepted");
    expect(ctx.receiver.accepted.slice(2).map((r) => r.json.type)).toEqual(["user.created", "group.created"]);
    expect(ctx.receiver.accepted[2]!.headers["webhook-id"]).toMatch(/_r1$/);
  });

  it("answers a bad or unknown replay start with error pages", async () => {
    const bad = await c.post(`${base}/replay`, { fromEventId: "abc" });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain("From event id must be an event id");
    const unknown = await c.post(`${base}/replay`, { fromEventId: "999999999" });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.body).toContain("event 999999999 not found in this directory");
    const noEndpoint = await syncedDirectory(ctx.t, "No webhook");
    const refused = await c.post(`/console/directories/${noEndpoint.directoryId}/deliveries/replay`, { fromEventId: "1" });
    expect(refused.statusCode).toBe(409);
    expect(refused.body).toContain("the directory has no webhook endpoint");
  });

  it("answers an unknown delivery, another directory's delivery and a malformed id with 404 pages", async () => {
    const [id] = deliveryIds((await c.get(base)).body);
    expect((await c.get(`${base}/999999999`)).statusCode).toBe(404);
    expect((await c.get(`${base}/abc`)).statusCode).toBe(404);
    const other = await syncedDirectory(ctx.t, "Other");
    const res = await c.get(`/console/directories/${other.directoryId}/deliveries/${id}`);
    expect(res.statusCode).toBe(404);
    expect(res.body).toContain("webhook delivery not found");
    expect((await c.post(`/console/directories/${other.directoryId}/deliveries/${id}/retry`)).statusCode).toBe(404);
    expect((await c.get(`/console/directories/${randomUUID()}/deliveries`)).statusCode).toBe(404);
  });

  it("refuses a retry without the session's CSRF token", async () => {
    const [id] = deliveryIds((await c.get(base)).body);
    const res = await c.post(`${base}/${id}/retry`, { _csrf: "x".repeat(43) });
    expect(res.statusCode).toBe(403);
  });
});
