import { randomUUID } from "node:crypto";
import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import { useAppWithReceiver } from "../../helpers/event-fixtures.js";
import { adminAuth } from "../../helpers/test-app.js";

// POST /api/v1/directories/{id}/webhooks/test: one signed webhook.test message to the directory's endpoint,
// sent now, not logged; the answer says whether the receiver took it.

describe("admin API: send a webhook test event", () => {
  const ctx = useAppWithReceiver();
  const call = (url: string, payload?: unknown) =>
    ctx.t.app.inject({ method: payload ? "PATCH" : "POST", url, headers: adminAuth, ...(payload ? { payload } : {}) });

  it("sends a signed webhook.test and reports the receiver's answer", async () => {
    const created = await ctx.t.app.inject({
      method: "POST",
      url: "/api/v1/directories",
      headers: adminAuth,
      payload: { name: "Test hook", tenant: "th", webhook: { url: ctx.receiver.url } },
    });
    const directory = created.json();
    const res = await call(`/api/v1/directories/${directory.id}/webhooks/test`);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toEqual({
      webhookId: expect.stringMatching(/^msg_test_/),
      url: ctx.receiver.url,
      delivered: true,
      statusCode: 204,
      error: null,
    });
    const [got] = ctx.receiver.requests;
    expect(got!.headers["webhook-id"]).toBe(body.webhookId);
    expect(new Webhook(directory.webhook.secret).verify(got!.body, got!.headers)).toMatchObject({
      id: body.webhookId,
      type: "webhook.test",
      directoryId: directory.id,
      tenant: "th",
    });
    expect(await ctx.t.app.db.prisma.webhookDelivery.count()).toBe(0);

    ctx.receiver.respond = 503;
    const failed = (await call(`/api/v1/directories/${directory.id}/webhooks/test`)).json();
    expect(failed).toMatchObject({ delivered: false, statusCode: 503, error: "receiver answered HTTP 503: receiver is down" });
    ctx.receiver.respond = 204;
  });

  it("answers 409 without an endpoint and 404 for an unknown directory", async () => {
    const created = (
      await ctx.t.app.inject({ method: "POST", url: "/api/v1/directories", headers: adminAuth, payload: { name: "No hook" } })
    ).json();
    const none = await call(`/api/v1/directories/${created.id}/webhooks/test`);
    expect(none.statusCode).toBe(409);
    expect(none.json().code).toBe("no_webhook_endpoint");
    const unknown = await call(`/api/v1/directories/${randomUUID()}/webhooks/test`);
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().code).toBe("directory_not_found");
  });
});
