import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createScimDirectory, ERROR_SCHEMA, GROUP_SCHEMA, type ScimDirectory, scimClient, userBody } from "../../helpers/scim-fixtures.js";
import { adminAuth, buildTestApp, type TestApp } from "../../helpers/test-app.js";

// Groups responses carry at most SCIM_LIST_MAX_MEMBERS member values: a list page is cut to the leading
// groups whose members fit (totalResults unchanged, paging on with startIndex reaches every group, each
// group's members complete); a group over the budget on its own is served whole, alone on its page, so paging
// always moves on.

describe("member budget of Groups responses", () => {
  let t: TestApp;
  let d: ScimDirectory;
  let scim: ReturnType<typeof scimClient>;
  const groupMembers = new Map<string, string[]>();

  beforeAll(async () => {
    t = await buildTestApp({ SCIM_LIST_MAX_MEMBERS: "50" });
    d = await createScimDirectory(t);
    scim = scimClient(t, d);
    const users: string[] = [];
    for (let i = 0; i < 60; i++) {
      const r = await scim("POST", "/Users", userBody(`m${i}@example.com`));
      expect(r.status).toBe(201);
      users.push(r.body.id as string);
    }
    // five groups of 30 members (only one fits a page of 50), then one of 60 (over the budget on its own)
    for (let g = 0; g < 5; g++) {
      const members = users.slice(g * 5, g * 5 + 30);
      const r = await scim("POST", "/Groups", {
        schemas: [GROUP_SCHEMA],
        displayName: `g${g}`,
        members: members.map((value) => ({ value })),
      });
      expect(r.status).toBe(201);
      groupMembers.set(r.body.id as string, members);
    }
  });
  afterAll(async () => t.close());

  it("cuts a list page to the budget, keeps totalResults, and paging on reaches every group with all its members", async () => {
    const first = await scim("GET", "/Groups?count=100");
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ totalResults: 5, startIndex: 1, itemsPerPage: 1 });

    const seen = new Map<string, string[]>();
    let startIndex = 1;
    for (let pages = 0; pages < 10 && startIndex <= 5; pages++) {
      const page = await scim("GET", `/Groups?count=100&startIndex=${startIndex}`);
      expect(page.status).toBe(200);
      expect(page.body.totalResults).toBe(5);
      const resources = page.body.Resources as { id: string; members: { value: string }[] }[];
      expect(resources.length).toBeGreaterThan(0);
      expect(resources.reduce((n, g) => n + g.members.length, 0)).toBeLessThanOrEqual(50);
      for (const g of resources) seen.set(g.id, g.members.map((m) => m.value).sort());
      startIndex += page.body.itemsPerPage as number;
    }
    expect(seen.size).toBe(5);
    for (const [id, members] of groupMembers) expect(seen.get(id)).toEqual([...members].sort());

    // without members nothing is cut
    const slim = await scim("GET", "/Groups?count=100&excludedAttributes=members");
    expect(slim.body).toMatchObject({ totalResults: 5, itemsPerPage: 5 });
    // POST /.search is bounded the same way
    const search = await scim("POST", "/Groups/.search", { schemas: ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"], count: 100 });
    expect(search.body).toMatchObject({ totalResults: 5, itemsPerPage: 1 });
  });

  it("serves a group over the budget on its own whole, alone on its list page, and by id", async () => {
    const users = ((await scim("GET", "/Users?count=60&attributes=id")).body.Resources as { id: string }[]).map((u) => u.id);
    const big = await scim("POST", "/Groups", { schemas: [GROUP_SCHEMA], displayName: "big", members: users.map((value) => ({ value })) });
    expect(big.status).toBe(201);
    const id = big.body.id as string;

    const get = await scim("GET", `/Groups/${id}`);
    expect(get.status).toBe(200);
    expect(get.body.members).toHaveLength(60);

    const filtered = await scim("GET", `/Groups?filter=${encodeURIComponent('displayName eq "big"')}`);
    expect(filtered.status).toBe(200);
    expect(filtered.body).toMatchObject({ totalResults: 1, itemsPerPage: 1 });
    expect(filtered.body.Resources[0].members).toHaveLength(60);

    // in a list, the big group (created last) comes alone on its page and the page after it moves on
    const all = await scim("GET", "/Groups?count=100&startIndex=6");
    expect(all.body).toMatchObject({ totalResults: 6, startIndex: 6, itemsPerPage: 1 });
    expect(all.body.Resources[0]).toMatchObject({ id, displayName: "big" });
    expect(all.body.Resources[0].members).toHaveLength(60);
    const before = await scim("GET", "/Groups?count=100&startIndex=5");
    expect(before.body).toMatchObject({ itemsPerPage: 1 });
    expect(before.body.Resources[0].members).toHaveLength(30);
  });
});

// One stored resource is at most SCIM_MAX_RESOURCE_BYTES (what responses, events and admin pages repeat):
// POST, PUT and PATCH that would store more answer 413 naming the limit and the size, and store nothing.
describe("stored size limit of a resource", () => {
  let t: TestApp;
  let scim: ReturnType<typeof scimClient>;
  beforeAll(async () => {
    t = await buildTestApp({ SCIM_MAX_RESOURCE_BYTES: "2048" });
    scim = scimClient(t, await createScimDirectory(t));
  });
  afterAll(async () => t.close());

  const expectTooLarge = (r: { status: number; body: Record<string, unknown> }) => {
    expect(r.status).toBe(413);
    expect(r.body).toMatchObject({ schemas: [ERROR_SCHEMA], status: "413" });
    expect(r.body.detail).toMatch(/stored as \d+ bytes, over SCIM_MAX_RESOURCE_BYTES \(2048\)/);
  };

  it("refuses users and groups over the limit on POST, PUT and PATCH, keeping what was stored", async () => {
    expectTooLarge(await scim("POST", "/Users", userBody("big@example.com", { title: "x".repeat(3000) })));
    expect((await scim("GET", `/Users?filter=${encodeURIComponent('userName eq "big@example.com"')}`)).body.totalResults).toBe(0);

    const created = await scim("POST", "/Users", userBody("small@example.com", { title: "t" }));
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    expectTooLarge(await scim("PUT", `/Users/${id}`, userBody("small@example.com", { title: "x".repeat(3000) })));
    const patch = {
      schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
      Operations: [{ op: "replace", path: "title", value: "y".repeat(3000) }],
    };
    expectTooLarge(await scim("PATCH", `/Users/${id}`, patch));
    expect((await scim("GET", `/Users/${id}`)).body).toMatchObject({ title: "t" });

    expectTooLarge(await scim("POST", "/Groups", { schemas: [GROUP_SCHEMA], displayName: "g".repeat(3000) }));
    const group = await scim("POST", "/Groups", { schemas: [GROUP_SCHEMA], displayName: "ok" });
    expect(group.status).toBe(201);
    const groupPatch = {
      schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
      Operations: [{ op: "replace", path: "displayName", value: "h".repeat(3000) }],
    };
    expectTooLarge(await scim("PATCH", `/Groups/${group.body.id}`, groupPatch));
  });
});

// The admin API repeats each stored user twice (raw and customAttributes): a users page ends once the
// stored users on it reach ADMIN_PAGE_MAX_BYTES, with a cursor to the rest (nothing skipped or repeated).
describe("byte bound of admin API user pages", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp({ ADMIN_PAGE_MAX_BYTES: "2048" });
  });
  afterAll(async () => t.close());

  it("cuts a page by the stored bytes of its users and pages on to every user once", async () => {
    const d = await createScimDirectory(t);
    const scim = scimClient(t, d);
    const ids: string[] = [];
    for (let i = 0; i < 10; i++) {
      const r = await scim("POST", "/Users", userBody(`heavy${i}@example.com`, { title: "x".repeat(500) }));
      expect(r.status).toBe(201);
      ids.push(r.body.id as string);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await t.app.inject({
        method: "GET",
        url: `/api/v1/directories/${d.directoryId}/users?limit=50${cursor ? `&cursor=${cursor}` : ""}`,
        headers: adminAuth,
      });
      expect(res.statusCode).toBe(200);
      const body = res.json() as { data: { id: string; raw: unknown }[]; nextCursor: string | null };
      expect(body.data.length).toBeGreaterThan(0);
      // each user stores ~600 bytes: at most 4 start within 2,048 bytes
      expect(body.data.length).toBeLessThanOrEqual(4);
      seen.push(...body.data.map((u) => u.id));
      cursor = body.nextCursor;
      pages++;
    } while (cursor && pages < 20);
    expect(pages).toBeGreaterThan(2);
    expect(seen).toEqual(ids);
  });
});
