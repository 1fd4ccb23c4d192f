import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createScimDirectory, GROUP_SCHEMA, scimClient, userBody } from "../../helpers/scim-fixtures.js";
import { buildTestApp, type TestApp } from "../../helpers/test-app.js";

// An unfiltered list's totalResults comes from the per-directory counts kept by each create and delete
// (directory_counts), not from counting the directory: it must stay exact through creates, failed
// creates, deletes, parallel writers, and per directory.

describe("unfiltered totalResults", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp();
  });
  afterAll(async () => t.close());

  it("follows creates and deletes of users and groups, per directory, including parallel creates", async () => {
    const a = await createScimDirectory(t);
    const b = await createScimDirectory(t);
    const scimA = scimClient(t, a);
    const scimB = scimClient(t, b);
    const empty = await scimA("GET", "/Users?count=0");
    expect(empty.body).toMatchObject({ totalResults: 0, itemsPerPage: 0, Resources: [] });

    const created = await Promise.all(Array.from({ length: 20 }, (_, i) => scimA("POST", "/Users", userBody(`p${i}@example.com`))));
    expect(created.map((r) => r.status)).toEqual(Array(20).fill(201));
    // a rejected create (duplicate userName) counts nothing
    expect((await scimA("POST", "/Users", userBody("P0@example.com"))).status).toBe(409);
    await scimB("POST", "/Users", userBody("only@example.com"));

    expect((await scimA("GET", "/Users?count=5")).body).toMatchObject({ totalResults: 20, itemsPerPage: 5 });
    expect((await scimA("GET", "/Users?count=0")).body).toMatchObject({ totalResults: 20, itemsPerPage: 0 });
    expect((await scimA("GET", "/Users?startIndex=100&count=5")).body).toMatchObject({ totalResults: 20, itemsPerPage: 0, Resources: [] });
    expect((await scimB("GET", "/Users")).body).toMatchObject({ totalResults: 1, itemsPerPage: 1 });

    expect((await scimA("DELETE", `/Users/${created[0]!.body.id}`)).status).toBe(204);
    // deleting what is already gone is a 404 and counts nothing
    expect((await scimA("DELETE", `/Users/${created[0]!.body.id}`)).status).toBe(404);
    expect((await scimA("GET", "/Users?count=1")).body).toMatchObject({ totalResults: 19, itemsPerPage: 1 });
    // a filtered list still counts what matches
    expect((await scimA("GET", `/Users?filter=${encodeURIComponent('userName sw "p1"')}&count=1`)).body).toMatchObject({
      totalResults: 11,
    });

    const groups = await Promise.all(
      ["g1", "g2", "g3"].map((name) =>
        scimA("POST", "/Groups", { schemas: [GROUP_SCHEMA], displayName: name, members: [{ value: created[1]!.body.id }] }),
      ),
    );
    expect((await scimA("GET", "/Groups?count=1&excludedAttributes=members")).body).toMatchObject({ totalResults: 3, itemsPerPage: 1 });
    expect((await scimA("DELETE", `/Groups/${groups[0]!.body.id}`)).status).toBe(204);
    expect((await scimA("GET", "/Groups")).body).toMatchObject({ totalResults: 2 });
    expect((await scimB("GET", "/Groups")).body).toMatchObject({ totalResults: 0, Resources: [] });

    // the counters agree with the rows
    const rows = await t.app.db.pool.query(
      `SELECT (SELECT sum(users)::int FROM directory_counts WHERE directory_id = $1) AS users,
              (SELECT count(*)::int FROM scim_users WHERE directory_id = $1) AS user_rows,
              (SELECT sum(groups)::int FROM directory_counts WHERE directory_id = $1) AS groups,
              (SELECT count(*)::int FROM scim_groups WHERE directory_id = $1) AS group_rows`,
      [a.directoryId],
    );
    expect(rows.rows[0]).toEqual({ users: 19, user_rows: 19, groups: 2, group_rows: 2 });
  });
});
