import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createUser } from "../../../src/users/user-service.js";
import { adminAuth, buildTestApp, type TestApp } from "../../helpers/test-app.js";

const ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

function userBody(n: number, extra: Record<string, unknown> = {}) {
  return {
    schemas: ["urn:ietf:params:scim:schemas:core:2.0:User", ENTERPRISE],
    externalId: `ext-${n}`,
    userName: `user${n}@acme.example`,
    active: true,
    displayName: `User ${n}`,
    name: { givenName: `Given${n}`, familyName: `Family${n}` },
    emails: [{ primary: true, type: "work", value: `user${n}@acme.example` }],
    title: "Engineer",
    [ENTERPRISE]: { department: "R&D" },
    ...extra,
  };
}

describe("admin API: synced users and groups", () => {
  let t: TestApp;
  let dir: string;
  let other: string;
  const users: string[] = [];
  let groupId: string;

  async function get(url: string) {
    return t.app.inject({ method: "GET", url, headers: adminAuth });
  }

  /** Follows nextCursor to the end; `between` runs after each page. */
  async function all(url: string, between?: () => Promise<void>): Promise<string[]> {
    const ids: string[] = [];
    let cursor: string | null = null;
    for (let i = 0; i < 100; i++) {
      const res = await get(`${url}${url.includes("?") ? "&" : "?"}limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
      expect(res.statusCode, res.body).toBe(200);
      ids.push(...res.json().data.map((u: { id: string }) => u.id));
      cursor = res.json().nextCursor;
      if (!cursor) break;
      await between?.();
    }
    return ids;
  }

  beforeAll(async () => {
    t = await buildTestApp();
    const mk = async (name: string) =>
      (await t.app.inject({ method: "POST", url: "/api/v1/directories", headers: adminAuth, payload: { name } })).json().id as string;
    dir = await mk("Users");
    other = await mk("Other");
    for (let i = 0; i < 7; i++) {
      users.push((await createUser(t.app.db, dir, userBody(i, i === 6 ? { active: false } : {}))).id);
    }
    await createUser(t.app.db, other, userBody(100));
    groupId = randomUUID();
    await t.app.db.prisma.scimGroup.create({
      data: {
        id: groupId,
        directoryId: dir,
        displayName: "Engineering",
        displayNameNorm: "engineering",
        externalId: "g-ext",
        resource: { displayName: "Engineering" },
        memberCount: 3,
      },
    });
    await t.app.db.prisma.groupMember.createMany({ data: users.slice(0, 3).map((userId) => ({ groupId, userId, directoryId: dir })) });
  });
  afterAll(async () => t.close());

  it("lists users in the app-facing shape", async () => {
    const res = await get(`/api/v1/directories/${dir}/users?limit=1`);
    expect(res.statusCode).toBe(200);
    const [u] = res.json().data;
    expect(u).toMatchObject({
      id: users[0],
      directoryId: dir,
      externalId: "ext-0",
      userName: "user0@acme.example",
      email: "user0@acme.example",
      givenName: "Given0",
      familyName: "Family0",
      displayName: "User 0",
      active: true,
      title: "Engineer",
      department: "R&D",
      manager: null,
    });
    expect(u.groups).toBeUndefined();
    expect(u.raw.userName).toBe("user0@acme.example");
    expect(typeof u.customAttributes).toBe("object");
    expect(res.json().nextCursor).toEqual(expect.any(String));
  });

  it("pages through every user exactly once, even with inserts between pages", async () => {
    const inserted: string[] = [];
    let n = 200;
    const ids = await all(`/api/v1/directories/${dir}/users`, async () => {
      inserted.push((await createUser(t.app.db, dir, userBody(n++))).id);
    });
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.slice(0, users.length)).toEqual(users);
    // rows inserted while paging come after the ones already seen, never in the middle
    for (const id of inserted) expect(ids).toContain(id);
    const again = await all(`/api/v1/directories/${dir}/users`);
    expect(again).toEqual(ids);
  });

  it("filters with the SCIM grammar, by active and by group, and includes groups", async () => {
    const byName = await get(`/api/v1/directories/${dir}/users?filter=${encodeURIComponent('userName eq "USER3@acme.example"')}`);
    expect(byName.json().data.map((u: { id: string }) => u.id)).toEqual([users[3]]);

    const inactive = await get(`/api/v1/directories/${dir}/users?active=false`);
    expect(inactive.json().data.map((u: { id: string }) => u.id)).toEqual([users[6]]);

    const members = await get(`/api/v1/directories/${dir}/users?groupId=${groupId}&include=groups`);
    const data = members.json().data;
    expect(data.map((u: { id: string }) => u.id)).toEqual(users.slice(0, 3));
    expect(data[0].groups).toEqual([{ id: groupId, displayName: "Engineering" }]);

    const combined = await get(
      `/api/v1/directories/${dir}/users?active=true&filter=${encodeURIComponent('emails.value ew "@acme.example"')}&groupId=${groupId}`,
    );
    expect(combined.json().data).toHaveLength(3);
  });

  it("rejects an invalid filter, a bad cursor and bad query values with 400 problems", async () => {
    const badFilter = await get(`/api/v1/directories/${dir}/users?filter=${encodeURIComponent("userName eq")}`);
    expect(badFilter.statusCode).toBe(400);
    expect(badFilter.headers["content-type"]).toContain("application/problem+json");
    expect(badFilter.json()).toMatchObject({ status: 400, code: "invalid_filter" });

    const forged = Buffer.from(JSON.stringify({ createdAt: "yesterday", id: "x" })).toString("base64url");
    for (const cursor of ["%%%", forged]) {
      const res = await get(`/api/v1/directories/${dir}/users?cursor=${cursor}`);
      expect(res.statusCode).toBe(400);
      expect(res.json().code).toBe("invalid_cursor");
    }
    for (const q of ["active=maybe", "limit=0", "limit=501", "groupId=nope", "include=everything"]) {
      const res = await get(`/api/v1/directories/${dir}/users?${q}`);
      expect(res.statusCode, q).toBe(400);
      expect(res.json().code).toBe("validation_failed");
    }
  });

  it("gets one user, with groups on request, and that user's groups", async () => {
    const one = await get(`/api/v1/directories/${dir}/users/${users[1]}?include=groups`);
    expect(one.statusCode).toBe(200);
    expect(one.json()).toMatchObject({ id: users[1], groups: [{ id: groupId, displayName: "Engineering" }] });
    const plain = await get(`/api/v1/directories/${dir}/users/${users[1]}`);
    expect(plain.json().groups).toBeUndefined();

    const groups = await get(`/api/v1/directories/${dir}/users/${users[1]}/groups`);
    expect(groups.json()).toEqual({ data: [{ id: groupId, displayName: "Engineering" }] });
    const none = await get(`/api/v1/directories/${dir}/users/${users[5]}/groups`);
    expect(none.json()).toEqual({ data: [] });
  });

  it("404s a user of another directory, an unknown user and an unknown directory", async () => {
    const foreign = (await get(`/api/v1/directories/${other}/users`)).json().data[0].id;
    for (const url of [
      `/api/v1/directories/${dir}/users/${foreign}`,
      `/api/v1/directories/${dir}/users/${foreign}/groups`,
      `/api/v1/directories/${dir}/users/${randomUUID()}`,
    ]) {
      const res = await get(url);
      expect(res.statusCode, url).toBe(404);
      expect(res.json().code).toBe("user_not_found");
    }
    for (const path of ["users", "groups", "stats", `users/${users[0]}`, `groups/${groupId}`, `groups/${groupId}/members`]) {
      const res = await get(`/api/v1/directories/${randomUUID()}/${path}`);
      expect(res.statusCode, path).toBe(404);
      expect(res.json().code).toBe("directory_not_found");
    }
  });

  it("lists, filters and gets groups", async () => {
    const list = await get(`/api/v1/directories/${dir}/groups`);
    expect(list.statusCode).toBe(200);
    expect(list.json()).toMatchObject({
      data: [{ id: groupId, directoryId: dir, displayName: "Engineering", externalId: "g-ext", memberCount: 3 }],
      nextCursor: null,
    });
    const filtered = await get(`/api/v1/directories/${dir}/groups?filter=${encodeURIComponent('displayName eq "nothing"')}`);
    expect(filtered.json().data).toEqual([]);
    const badFilter = await get(`/api/v1/directories/${dir}/groups?filter=${encodeURIComponent("displayName zz 1")}`);
    expect(badFilter.statusCode).toBe(400);
    expect(badFilter.json().code).toBe("invalid_filter");

    const one = await get(`/api/v1/directories/${dir}/groups/${groupId}`);
    expect(one.json()).toMatchObject({ id: groupId, displayName: "Engineering", raw: { displayName: "Engineering" } });
    const missing = await get(`/api/v1/directories/${other}/groups/${groupId}`);
    expect(missing.statusCode).toBe(404);
    expect(missing.json().code).toBe("group_not_found");
  });

  it("pages a group's members by user id", async () => {
    const ids = await all(`/api/v1/directories/${dir}/groups/${groupId}/members`);
    expect(ids).toEqual([...users.slice(0, 3)].sort());
    const page = await get(`/api/v1/directories/${dir}/groups/${groupId}/members?limit=2`);
    expect(page.json().data).toHaveLength(2);
    expect(page.json().data[0]).toHaveProperty("userName");
    const bad = await get(`/api/v1/directories/${dir}/groups/${groupId}/members?cursor=abc`);
    expect(bad.statusCode).toBe(400);
    expect(bad.json().code).toBe("invalid_cursor");
    const missing = await get(`/api/v1/directories/${dir}/groups/${randomUUID()}/members`);
    expect(missing.json().code).toBe("group_not_found");
  });

  it("pages a large group's members completely (5,000 members, 500 a page)", { timeout: 120_000 }, async () => {
    const big = await t.app.inject({ method: "POST", url: "/api/v1/directories", headers: adminAuth, payload: { name: "Big" } });
    const bigDir = big.json().id as string;
    const bigGroup = randomUUID();
    await t.app.db.pool.query(
      `INSERT INTO scim_users (id, directory_id, user_name, user_name_norm, resource)
       SELECT gen_random_uuid(), $1, 'u' || i || '@big.example', 'u' || i || '@big.example', jsonb_build_object('userName', 'u' || i || '@big.example')
       FROM generate_series(1, 5000) i`,
      [bigDir],
    );
    await t.app.db.pool.query(
      "INSERT INTO scim_groups (id, directory_id, display_name, display_name_norm, resource, member_count) VALUES ($1, $2, 'All', 'all', '{}', 5000)",
      [bigGroup, bigDir],
    );
    await t.app.db.pool.query(
      "INSERT INTO group_members (group_id, user_id, directory_id) SELECT $1, id, $2 FROM scim_users WHERE directory_id = $2",
      [bigGroup, bigDir],
    );
    const seen = new Set<string>();
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await get(`/api/v1/directories/${bigDir}/groups/${bigGroup}/members?limit=500${cursor ? `&cursor=${cursor}` : ""}`);
      expect(res.statusCode).toBe(200);
      for (const u of res.json().data) seen.add(u.id);
      cursor = res.json().nextCursor;
      pages++;
    } while (cursor && pages < 20);
    expect(pages).toBe(10);
    expect(seen.size).toBe(5000);
  });

  it("reports stats with the last SCIM request", async () => {
    const empty = await get(`/api/v1/directories/${other}/stats`);
    expect(empty.json()).toEqual({ users: { total: 1, active: 1, inactive: 0 }, groups: 0, memberships: 0, lastScimRequest: null });

    await t.app.db.pool.query(
      "INSERT INTO scim_requests (directory_id, method, path, status, scim_type, detail, duration_ms, authenticated) VALUES ($1, 'POST', '/scim/v2/x/Users', 409, 'uniqueness', 'dup', 3, true)",
      [dir],
    );
    const res = await get(`/api/v1/directories/${dir}/stats`);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.users.inactive).toBe(1);
    expect(body.users.active).toBe(body.users.total - 1);
    expect(body).toMatchObject({ groups: 1, memberships: 3 });
    expect(body.lastScimRequest).toMatchObject({ method: "POST", status: 409, outcome: "failure", scimType: "uniqueness" });
    expect(Date.parse(body.lastScimRequest.at)).not.toBeNaN();
  });
});
