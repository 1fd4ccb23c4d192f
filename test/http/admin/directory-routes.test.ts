import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminAuth, buildTestApp, type TestApp } from "../../helpers/test-app.js";

describe("admin API: directories", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp();
  });
  afterAll(async () => t.close());

  async function create(body: Record<string, unknown>) {
    return t.app.inject({ method: "POST", url: "/api/v1/directories", headers: adminAuth, payload: body });
  }

  it("POST creates a directory with defaults, a Tenant URL and a secret token shown once", async () => {
    const res = await create({ name: "Acme" });
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body).toMatchObject({ name: "Acme", tenant: null, product: null, provider: "entra", disabled: false, webhook: null });
    expect(body.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(body.scim.tenantUrl).toBe(`http://scimbridge.test/scim/v2/${body.id}`);
    expect(body.scim.secretToken).toMatch(/^scim_[A-Za-z0-9_-]{43}$/);
    expect(Date.parse(body.createdAt)).not.toBeNaN();

    const got = await t.app.inject({ method: "GET", url: `/api/v1/directories/${body.id}`, headers: adminAuth });
    expect(got.statusCode).toBe(200);
    expect(got.json()).toMatchObject({ id: body.id, name: "Acme", scim: { tenantUrl: body.scim.tenantUrl } });
    expect(got.json().scim.secretToken).toBeUndefined();
    expect(got.body).not.toContain(body.scim.secretToken);
    expect(t.logText()).not.toContain(body.scim.secretToken);
  });

  it("POST with a webhook generates a Standard Webhooks secret shown only in the create response", async () => {
    const res = await create({
      name: "Hooks",
      tenant: "t1",
      product: "crm",
      provider: "okta",
      webhook: { url: "https://app.example.com/hook" },
    });
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body).toMatchObject({ tenant: "t1", product: "crm", provider: "okta", webhook: { url: "https://app.example.com/hook" } });
    expect(body.webhook.secret).toMatch(/^whsec_[A-Za-z0-9+/]+={0,2}$/);
    expect(Buffer.from(body.webhook.secret.slice(6), "base64").length).toBe(32);

    const got = await t.app.inject({ method: "GET", url: `/api/v1/directories/${body.id}`, headers: adminAuth });
    expect(got.json().webhook).toEqual({ url: "https://app.example.com/hook" });
    const list = await t.app.inject({ method: "GET", url: "/api/v1/directories?tenant=t1", headers: adminAuth });
    expect(list.body).not.toContain(body.webhook.secret);
    expect(t.logText()).not.toContain(body.webhook.secret);
    expect(t.logText()).not.toContain(body.scim.secretToken);

    // stored encrypted, not in clear
    const rows = await t.app.db.prisma.webhookEndpoint.findMany({ where: { directoryId: body.id } });
    expect(rows).toHaveLength(1);
    expect(rows[0]!.secretEncrypted).not.toContain(body.webhook.secret.slice(6));
  });

  it("POST keeps a given webhook secret and echoes it once", async () => {
    const secret = `whsec_${Buffer.alloc(24, 1).toString("base64")}`;
    const res = await create({ name: "Given", webhook: { url: "https://app.example.com/h2", secret } });
    expect(res.statusCode).toBe(201);
    expect(res.json().webhook).toEqual({ url: "https://app.example.com/h2", secret });
  });

  it.each([
    [{}, "validation_failed"],
    [{ name: "" }, "validation_failed"],
    [{ name: "x", provider: "azure" }, "validation_failed"],
    [{ name: "x", extra: 1 }, "validation_failed"],
    [{ name: "x", webhook: { url: "ftp://example.com/x" } }, "invalid_webhook"],
    [{ name: "x", webhook: { url: "not a url" } }, "invalid_webhook"],
    [{ name: "x", webhook: { url: "https://e.com", secret: "short" } }, "invalid_webhook"],
    [{ name: "x", webhook: { url: "https://e.com", secret: `whsec_${Buffer.alloc(16).toString("base64")}` } }, "invalid_webhook"],
  ])("POST %j → 400 %s", async (body, code) => {
    const res = await create(body);
    expect(res.statusCode).toBe(400);
    expect(res.headers["content-type"]).toContain("application/problem+json");
    expect(res.json()).toMatchObject({ status: 400, code });
  });

  it("POST with malformed JSON → 400 invalid_json", async () => {
    const res = await t.app.inject({
      method: "POST",
      url: "/api/v1/directories",
      headers: { ...adminAuth, "content-type": "application/json" },
      payload: "{nope",
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe("invalid_json");
  });

  it("GET list filters by tenant and product and pages with a keyset cursor", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await create({ name: `Paged ${i}`, tenant: "paged", product: i % 2 ? "a" : "b" })).json().id);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const url: string = `/api/v1/directories?tenant=paged&limit=2${cursor ? `&cursor=${cursor}` : ""}`;
      const res = await t.app.inject({ method: "GET", url, headers: adminAuth });
      expect(res.statusCode).toBe(200);
      const body = res.json();
      expect(body.data.length).toBeLessThanOrEqual(2);
      seen.push(...body.data.map((d: { id: string }) => d.id));
      cursor = body.nextCursor;
      pages++;
    } while (cursor && pages < 10);
    expect(seen).toEqual(ids);
    const byProduct = await t.app.inject({ method: "GET", url: "/api/v1/directories?tenant=paged&product=a", headers: adminAuth });
    expect(byProduct.json().data.map((d: { id: string }) => d.id)).toEqual([ids[1], ids[3]]);
    expect(byProduct.json().nextCursor).toBeNull();
  });

  it("GET list searches a part of the name or tenant with q, any case, wildcards taken literally", async () => {
    const a = (await create({ name: "Quokka Labs", tenant: "q-1" })).json().id;
    const b = (await create({ name: "Other", tenant: "QUOKKA_eu" })).json().id;
    const search = async (q: string) =>
      (await t.app.inject({ method: "GET", url: `/api/v1/directories?q=${encodeURIComponent(q)}`, headers: adminAuth }))
        .json()
        .data.map((d: { id: string }) => d.id);
    expect(await search("quokka")).toEqual([a, b]);
    expect(await search("kka_")).toEqual([b]);
    expect(await search("%")).toEqual([]);
  });

  it("GET list rejects a bad cursor and an out-of-range limit", async () => {
    const bad = await t.app.inject({ method: "GET", url: "/api/v1/directories?cursor=garbage", headers: adminAuth });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().code).toBe("invalid_cursor");
    const big = await t.app.inject({ method: "GET", url: "/api/v1/directories?limit=501", headers: adminAuth });
    expect(big.statusCode).toBe(400);
    expect(big.json().code).toBe("validation_failed");
  });

  it("GET/PATCH/DELETE an unknown directory → 404, a malformed id → 400", async () => {
    const unknown = "00000000-0000-4000-8000-000000000000";
    for (const method of ["GET", "PATCH", "DELETE"] as const) {
      const res = await t.app.inject({
        method,
        url: `/api/v1/directories/${unknown}`,
        ...(method === "PATCH" ? { headers: adminAuth, payload: { name: "x" } } : { headers: adminAuth }),
      });
      expect(res.statusCode).toBe(404);
      expect(res.json()).toMatchObject({ status: 404, code: "directory_not_found" });
    }
    const bad = await t.app.inject({ method: "GET", url: "/api/v1/directories/not-a-uuid", headers: adminAuth });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().code).toBe("validation_failed");
  });

  it("PATCH renames, disables, sets and removes the webhook", async () => {
    const id = (await create({ name: "Before" })).json().id;
    const renamed = await t.app.inject({
      method: "PATCH",
      url: `/api/v1/directories/${id}`,
      headers: adminAuth,
      payload: { name: "After", disabled: true },
    });
    expect(renamed.statusCode).toBe(200);
    expect(renamed.json()).toMatchObject({ id, name: "After", disabled: true, webhook: null });

    const hooked = await t.app.inject({
      method: "PATCH",
      url: `/api/v1/directories/${id}`,
      headers: adminAuth,
      payload: { webhook: { url: "https://a.example.com/h" } },
    });
    expect(hooked.statusCode).toBe(200);
    const secret = hooked.json().webhook.secret;
    expect(secret).toMatch(/^whsec_/);

    const moved = await t.app.inject({
      method: "PATCH",
      url: `/api/v1/directories/${id}`,
      headers: adminAuth,
      payload: { webhook: { url: "https://b.example.com/h" } },
    });
    expect(moved.json().webhook).toEqual({ url: "https://b.example.com/h" });
    expect(await t.app.db.prisma.webhookEndpoint.count({ where: { directoryId: id } })).toBe(1);

    const removed = await t.app.inject({
      method: "PATCH",
      url: `/api/v1/directories/${id}`,
      headers: adminAuth,
      payload: { webhook: null, disabled: false },
    });
    expect(removed.json()).toMatchObject({ webhook: null, disabled: false, name: "After" });
    expect(await t.app.db.prisma.webhookEndpoint.count({ where: { directoryId: id } })).toBe(0);
    expect(t.logText()).not.toContain(secret);
  });

  it("PATCH with a bad body → 400", async () => {
    const id = (await create({ name: "P" })).json().id;
    for (const payload of [{ name: "" }, { disabled: "yes" }, { webhook: { url: "gopher://x" } }, { unknown: true }]) {
      const res = await t.app.inject({ method: "PATCH", url: `/api/v1/directories/${id}`, headers: adminAuth, payload });
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
      expect(res.json().status).toBe(400);
    }
  });

  it("DELETE removes the directory with its users, groups, memberships, tokens, events and webhook", async () => {
    const created = await create({ name: "Doomed", webhook: { url: "https://a.example.com/h" } });
    const id = created.json().id;
    const { prisma } = t.app.db;
    const userId = "11111111-1111-4111-8111-111111111111";
    const groupId = "22222222-2222-4222-8222-222222222222";
    await prisma.scimUser.create({ data: { id: userId, directoryId: id, userName: "a@x.com", userNameNorm: "a@x.com", resource: {} } });
    await prisma.scimGroup.create({ data: { id: groupId, directoryId: id, displayName: "G", displayNameNorm: "g", resource: {} } });
    await prisma.groupMember.create({ data: { groupId, userId, directoryId: id } });
    await t.app.db.pool.query("INSERT INTO events (directory_id, type, data) VALUES ($1, 'user.created', '{}')", [id]);

    const res = await t.app.inject({ method: "DELETE", url: `/api/v1/directories/${id}`, headers: adminAuth });
    expect(res.statusCode).toBe(204);
    expect(res.body).toBe("");
    const counts = await t.app.db.pool.query(
      `SELECT (SELECT count(*) FROM scim_users WHERE directory_id = $1)::int AS users,
              (SELECT count(*) FROM scim_groups WHERE directory_id = $1)::int AS groups,
              (SELECT count(*) FROM group_members WHERE directory_id = $1)::int AS members,
              (SELECT count(*) FROM directory_tokens WHERE directory_id = $1)::int AS tokens,
              (SELECT count(*) FROM events WHERE directory_id = $1)::int AS events,
              (SELECT count(*) FROM webhook_endpoints WHERE directory_id = $1)::int AS webhooks`,
      [id],
    );
    expect(counts.rows[0]).toEqual({ users: 0, groups: 0, members: 0, tokens: 0, events: 0, webhooks: 0 });
    const again = await t.app.inject({ method: "GET", url: `/api/v1/directories/${id}`, headers: adminAuth });
    expect(again.statusCode).toBe(404);
  });
});
