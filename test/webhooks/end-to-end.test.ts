import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import { startTestWorker, useAppWithReceiver, waitFor } from "../helpers/event-fixtures.js";
import { adminAuth } from "../helpers/test-app.js";

// The whole path: a directory with a webhook made through the admin API, an IdP creating a user over
// SCIM, and the app's receiver getting a signed user.created, while the SCIM request never waits on it.

describe("SCIM change to signed webhook", () => {
  const ctx = useAppWithReceiver();

  it("SCIM POST /Users -> the receiver gets a signed user.created with the app-facing user", async () => {
    const created = await ctx.t.app.inject({
      method: "POST",
      url: "/api/v1/directories",
      headers: adminAuth,
      payload: { name: "Acme", tenant: "acme", product: "crm", webhook: { url: ctx.receiver.url } },
    });
    expect(created.statusCode).toBe(201);
    const directory = created.json();
    const secret: string = directory.webhook.secret;
    expect(secret).toMatch(/^whsec_/);

    // the receiver is slow; SCIM must not wait for it
    ctx.receiver.respond = "hang";
    const worker = startTestWorker(ctx.t.app.db, ctx.t.config, { timeoutMs: 1000 });
    try {
      const scim = await ctx.t.app.inject({
        method: "POST",
        url: `/scim/v2/${directory.id}/Users`,
        headers: { authorization: `Bearer ${directory.scim.secretToken}`, "content-type": "application/scim+json" },
        payload: {
          schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
          userName: "ada@acme.example",
          externalId: "ada-1",
          active: true,
          name: { givenName: "Ada", familyName: "Lovelace" },
          emails: [{ value: "ada@acme.example", type: "work", primary: true }],
        },
      });
      expect(scim.statusCode).toBe(201);
      await waitFor(() => ctx.receiver.requests.length === 1, 10000, "first attempt");
      ctx.receiver.respond = 200;
      await waitFor(() => ctx.receiver.accepted.length === 1, 10000, "retried delivery accepted");
    } finally {
      await worker.stop();
    }
    const [hook] = ctx.receiver.accepted;
    const verified = new Webhook(secret).verify(hook!.body, hook!.headers) as Record<string, unknown>;
    expect(verified).toMatchObject({
      type: "user.created",
      directoryId: directory.id,
      tenant: "acme",
      product: "crm",
      data: { userName: "ada@acme.example", externalId: "ada-1", givenName: "Ada", familyName: "Lovelace", active: true },
    });
    expect(hook!.headers["webhook-id"]).toBe(ctx.receiver.requests[0]!.headers["webhook-id"]);
  });

  it("a user PATCH -> the signed user.updated carries previousAttributes beside data", async () => {
    const created = await ctx.t.app.inject({
      method: "POST",
      url: "/api/v1/directories",
      headers: adminAuth,
      payload: { name: "Globex", webhook: { url: ctx.receiver.url } },
    });
    const directory = created.json();
    const scim = (method: "POST" | "PATCH", path: string, payload: unknown) =>
      ctx.t.app.inject({
        method,
        url: `/scim/v2/${directory.id}${path}`,
        headers: { authorization: `Bearer ${directory.scim.secretToken}`, "content-type": "application/scim+json" },
        payload: payload as object,
      });
    const user = await scim("POST", "/Users", {
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
      userName: "hedy@globex.example",
      title: "Actress",
    });
    expect(user.statusCode).toBe(201);
    const patch = await scim("PATCH", `/Users/${user.json().id}`, {
      schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
      Operations: [{ op: "replace", path: "title", value: "Inventor" }],
    });
    expect(patch.statusCode).toBe(200);
    ctx.receiver.respond = 200;
    const before = ctx.receiver.accepted.length;
    const worker = startTestWorker(ctx.t.app.db, ctx.t.config);
    try {
      await waitFor(() => ctx.receiver.accepted.length === before + 2, 10000, "two deliveries");
    } finally {
      await worker.stop();
    }
    const hooks = ctx.receiver.accepted
      .slice(before)
      .map((h) => new Webhook(directory.webhook.secret).verify(h.body, h.headers) as Record<string, unknown>);
    const updated = hooks.find((h) => h.type === "user.updated")!;
    expect(updated).toMatchObject({ data: { title: "Inventor" }, previousAttributes: { title: "Actress" } });
    expect(Object.keys(updated).sort()).toEqual([
      "data",
      "directoryId",
      "id",
      "occurredAt",
      "previousAttributes",
      "product",
      "tenant",
      "type",
    ]);
    expect(hooks.find((h) => h.type === "user.created")).not.toHaveProperty("previousAttributes");
  });
});
