import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDatabase, type Database } from "../../src/db/database.js";
import { empty, join, raw, sql, toQuery } from "../../src/db/sql.js";
import { createEmptyDatabase, type TestDatabase } from "../helpers/test-database.js";

describe("sql fragments", () => {
  it("number parameters across nested fragments and keep values apart from text", () => {
    const where = sql`u.user_name = ${"a'; DROP TABLE x; --"} AND u.active = ${true}`;
    const q = toQuery(sql`SELECT * FROM scim_users u WHERE u.directory_id = ${"d"} AND (${where}) LIMIT ${10}`);
    expect(q.text).toBe("SELECT * FROM scim_users u WHERE u.directory_id = $1 AND (u.user_name = $2 AND u.active = $3) LIMIT $4");
    expect(q.values).toEqual(["d", "a'; DROP TABLE x; --", true, 10]);
  });

  it("join, raw and empty splice text only", () => {
    const q = toQuery(sql`SELECT ${join([sql`${1}`, raw("2"), sql`${3}`])} ${empty}ORDER BY ${raw("id DESC")}`);
    expect(q.text).toBe("SELECT $1, 2, $2 ORDER BY id DESC");
    expect(q.values).toEqual([1, 3]);
    expect(toQuery(join([])).text).toBe("");
  });
});

describe.each([true, false])("Database.query with preparedStatements=%s", (preparedStatements) => {
  let t: TestDatabase;
  let db: Database;
  beforeAll(async () => {
    t = await createEmptyDatabase();
    db = createDatabase({ url: t.url, poolSize: 2, statementTimeoutMs: 0, preparedStatements });
    await db.execute(sql`CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL)`);
  });
  afterAll(async () => {
    await db.close();
    await t.drop();
  });

  it("runs the same statement repeatedly with different values", async () => {
    for (let i = 1; i <= 5; i++) expect(await db.execute(sql`INSERT INTO items (id, name) VALUES (${i}, ${`n${i}`})`)).toBe(1);
    const rows = await db.query<{ id: number; name: string }>(sql`SELECT id, name FROM items WHERE id >= ${4} ORDER BY id`);
    expect(rows).toEqual([
      { id: 4, name: "n4" },
      { id: 5, name: "n5" },
    ]);
  });

  it("transaction commits together or rolls back together", async () => {
    await db.transaction(async (tx) => {
      await tx.execute(sql`INSERT INTO items (id, name) VALUES (${10}, ${"a"})`);
      await tx.execute(sql`INSERT INTO items (id, name) VALUES (${11}, ${"b"})`);
    });
    await expect(
      db.transaction(async (tx) => {
        await tx.execute(sql`INSERT INTO items (id, name) VALUES (${12}, ${"c"})`);
        await tx.execute(sql`INSERT INTO items (id, name) VALUES (${10}, ${"duplicate"})`);
      }),
    ).rejects.toMatchObject({ code: "23505" });
    const rows = await db.query<{ id: number }>(sql`SELECT id FROM items WHERE id >= ${10} ORDER BY id`);
    expect(rows.map((r) => r.id)).toEqual([10, 11]);
  });
});
