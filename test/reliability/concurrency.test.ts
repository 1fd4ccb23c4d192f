import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createLiveDirectory,
  ERROR_SCHEMA,
  type LiveService,
  newGroup,
  newUser,
  patchBody,
  type ScimResponse,
  startLiveService,
  statusCounts,
} from "./live-service.js";
import { hammerTwoTenants } from "./tenant-hammer.js";

// Parallel SCIM clients over real HTTP against real Postgres: uniqueness, lost updates, membership
// races and tenant isolation hold under concurrency (Entra sends requests in parallel and retries).

let live: LiveService;
let sql: pg.Pool;

beforeAll(async () => {
  live = await startLiveService({ DB_POOL_SIZE: "20", WEBHOOK_WORKER: "true", WEBHOOK_POLL_MS: "20" });
  sql = new pg.Pool({ connectionString: live.database.url, max: 2 });
});
afterAll(async () => {
  await sql?.end();
  await live?.close();
}, 120_000);

async function count(query: string, params: unknown[]): Promise<number> {
  const r = await sql.query(`SELECT count(*)::int AS n FROM ${query}`, params);
  return r.rows[0].n as number;
}

function created(res: ScimResponse): string {
  expect(res.status, res.text).toBe(201);
  return res.body.id as string;
}

describe("parallel creates", () => {
  it("200 parallel POSTs of one userName in case variants: one 201, the rest 409 uniqueness; one row, one user.created", async () => {
    const dir = await createLiveDirectory(live, "Uniq");
    const variants = ["race@example.com", "RACE@example.com", "Race@Example.Com", "race@EXAMPLE.COM"];
    const responses = await Promise.all(
      Array.from({ length: 200 }, (_, i) => dir.scim("POST", "/Users", newUser(variants[i % variants.length]!))),
    );
    expect(statusCounts(responses)).toEqual({ 201: 1, 409: 199 });
    for (const r of responses.filter((r) => r.status === 409)) {
      expect(r.body).toMatchObject({ schemas: [ERROR_SCHEMA], status: "409", scimType: "uniqueness" });
    }
    expect(await count("scim_users WHERE directory_id = $1", [dir.id])).toBe(1);
    expect(await count("events WHERE directory_id = $1 AND type = 'user.created'", [dir.id])).toBe(1);
  });
});

describe("parallel membership changes", () => {
  it("50 parallel PATCHes adding different members to one group: all 50 are members, 50 group.user_added events", async () => {
    const dir = await createLiveDirectory(live, "Members");
    const users = await Promise.all(
      Array.from({ length: 50 }, (_, i) => dir.scim("POST", "/Users", newUser(`m${i}@example.com`)).then(created)),
    );
    const group = created(await dir.scim("POST", "/Groups", newGroup("Everyone")));
    const responses = await Promise.all(
      users.map((id) => dir.scim("PATCH", `/Groups/${group}`, patchBody({ op: "add", path: "members", value: [{ value: id }] }))),
    );
    expect(
      responses.every((r) => r.status === 200 || r.status === 204),
      JSON.stringify(statusCounts(responses)),
    ).toBe(true);
    const members = await sql.query("SELECT user_id FROM group_members WHERE group_id = $1", [group]);
    expect(members.rows.map((r) => r.user_id).sort()).toEqual([...users].sort());
    expect(await count("events WHERE directory_id = $1 AND type = 'group.user_added'", [dir.id])).toBe(50);
    const counted = await sql.query("SELECT member_count FROM scim_groups WHERE id = $1", [group]);
    expect(counted.rows[0].member_count).toBe(50);
    const get = await dir.scim("GET", `/Groups/${group}`);
    expect((get.body.members as unknown[]).length).toBe(50);
  });
});

describe("parallel PATCH and PUT on one user", () => {
  it("without If-Match the final state equals one of the two serial orders, in each of 8 rounds", async () => {
    const dir = await createLiveDirectory(live, "LostUpdate");
    for (let round = 0; round < 8; round++) {
      const userName = `lu${round}@example.com`;
      const id = created(await dir.scim("POST", "/Users", newUser(userName, { title: "original", displayName: "Original" })));
      const putBody = newUser(userName, { displayName: "Put" });
      const [patch, put] = await Promise.all([
        dir.scim("PATCH", `/Users/${id}`, patchBody({ op: "replace", path: "title", value: "patched" })),
        dir.scim("PUT", `/Users/${id}`, putBody),
      ]);
      expect([patch.status, put.status]).toEqual([200, 200]);
      const final = (await dir.scim("GET", `/Users/${id}`)).body;
      // PATCH then PUT: the PUT body exactly (no title); PUT then PATCH: the PUT body plus the patched title.
      const serialOrders = [
        { displayName: "Put", title: undefined },
        { displayName: "Put", title: "patched" },
      ];
      expect(serialOrders).toContainEqual({ displayName: final.displayName, title: final.title });
      expect(await count("events WHERE directory_id = $1 AND type = 'user.updated' AND data->>'id' = $2", [dir.id, id])).toBe(2);
    }
  });

  it("with If-Match of the same version, exactly one writer wins and the other gets 412 (no silent overwrite)", async () => {
    const dir = await createLiveDirectory(live, "IfMatch");
    for (let round = 0; round < 8; round++) {
      const userName = `im${round}@example.com`;
      const res = await dir.scim("POST", "/Users", newUser(userName, { title: "original" }));
      const id = created(res);
      const etag = res.headers.get("etag") ?? ((res.body.meta as Record<string, string>).version as string);
      expect(etag).toMatch(/^W\/".+"$/);
      const [patch, put] = await Promise.all([
        dir.scim("PATCH", `/Users/${id}`, patchBody({ op: "replace", path: "title", value: "patched" }), { "if-match": etag }),
        dir.scim("PUT", `/Users/${id}`, newUser(userName, { displayName: "Put" }), { "if-match": etag }),
      ]);
      expect([patch.status, put.status].sort()).toEqual([200, 412]);
      const loser = patch.status === 412 ? patch : put;
      expect(loser.body).toMatchObject({ schemas: [ERROR_SCHEMA], status: "412" });
      const final = (await dir.scim("GET", `/Users/${id}`)).body;
      if (patch.status === 200)
        expect({ title: final.title, displayName: final.displayName }).toEqual({ title: "patched", displayName: undefined });
      else expect({ title: final.title, displayName: final.displayName }).toEqual({ title: undefined, displayName: "Put" });
    }
  });
});

describe("DELETE of a user while it is being added to groups", () => {
  it("no 500, no dangling membership, member_count and events agree with the rows", async () => {
    const dir = await createLiveDirectory(live, "DeleteRace");
    const groups = await Promise.all(Array.from({ length: 10 }, (_, i) => dir.scim("POST", "/Groups", newGroup(`g${i}`)).then(created)));
    for (let round = 0; round < 5; round++) {
      const user = created(await dir.scim("POST", "/Users", newUser(`victim${round}@example.com`)));
      const adds = groups.map((g) =>
        dir.scim("PATCH", `/Groups/${g}`, patchBody({ op: "add", path: "members", value: [{ value: user }] })),
      );
      const del = dir.scim("DELETE", `/Users/${user}`);
      const responses = await Promise.all([...adds, del]);
      for (const r of responses) expect(r.status, r.text).toBeLessThan(500);
      expect((await del).status).toBe(204);
      // A PATCH that lost the race refers to a user that no longer exists: a precise 400, not a 5xx.
      for (const r of await Promise.all(adds)) {
        if (r.status >= 400) expect(r.body).toMatchObject({ status: "400", scimType: "invalidValue" });
      }
      expect(await count("group_members WHERE user_id = $1", [user])).toBe(0);
    }
    const consistency = await sql.query(
      `SELECT g.id, g.member_count,
              (SELECT count(*)::int FROM group_members m WHERE m.group_id = g.id) AS rows,
              (SELECT count(*)::int FROM events e WHERE e.directory_id = g.directory_id AND e.type = 'group.user_added' AND e.data->'group'->>'id' = g.id::text) AS added,
              (SELECT count(*)::int FROM events e WHERE e.directory_id = g.directory_id AND e.type = 'group.user_removed' AND e.data->'group'->>'id' = g.id::text) AS removed
       FROM scim_groups g WHERE g.directory_id = $1`,
      [dir.id],
    );
    for (const g of consistency.rows) {
      expect({ id: g.id, count: g.member_count, rows: g.rows, net: g.added - g.removed }).toEqual({ id: g.id, count: 0, rows: 0, net: 0 });
    }
  });
});

describe("two directories hammered concurrently", () => {
  it("2 × 120 mixed operations: every row, member, event and response stays in its own directory (2 × 1,000 in the soak suite)", async () => {
    await hammerTwoTenants(live, sql, 120);
  });
});
