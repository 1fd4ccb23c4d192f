import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConnectionPool } from "../../src/db/connection-pool.js";
import { createDatabase, type Database } from "../../src/db/database.js";
import { sql } from "../../src/db/sql.js";
import { createEmptyDatabase, type TestDatabase } from "../helpers/test-database.js";

// A query error the server answered leaves the connection in the pool; a dead connection leaves it.

let t: TestDatabase;
beforeAll(async () => {
  t = await createEmptyDatabase();
});
afterAll(async () => {
  await t?.drop();
});

describe("ConnectionPool.query", () => {
  let pool: ConnectionPool;
  beforeAll(async () => {
    pool = new ConnectionPool({ connectionString: t.url, max: 1 });
    await pool.query("CREATE TABLE items (id int PRIMARY KEY)");
    await pool.query("INSERT INTO items VALUES (1)");
  });
  afterAll(async () => {
    await pool?.end();
  });

  async function backend(): Promise<number> {
    return (await pool.query<{ pid: number }>("SELECT pg_backend_pid() AS pid")).rows[0]!.pid;
  }

  it("keeps the connection after a unique violation, a cast error and a statement timeout", async () => {
    const pid = await backend();
    await expect(pool.query("INSERT INTO items VALUES ($1)", [1])).rejects.toMatchObject({ code: "23505" });
    await expect(pool.query({ text: "SELECT 'x'::int" })).rejects.toMatchObject({ code: "22P02" });
    await expect(pool.query("SET LOCAL statement_timeout = 1; SELECT pg_sleep(1)")).rejects.toMatchObject({ code: "57014" });
    expect(await backend()).toBe(pid);
    expect(pool.totalCount).toBe(1);
  });

  it("discards a connection that died (FATAL) and answers the next query on a new one", async () => {
    const pid = await backend();
    await expect(pool.query("SELECT pg_terminate_backend(pg_backend_pid())")).rejects.toMatchObject({ code: "57P01" });
    const next = await backend();
    expect(next).not.toBe(pid);
  });

  it("still takes pg-pool's callback form", async () => {
    const rows = await new Promise<unknown[]>((resolve, reject) =>
      pool.query("SELECT 2 AS n", (err, res) => (err ? reject(err) : resolve(res.rows))),
    );
    expect(rows).toEqual([{ n: 2 }]);
  });
});

describe("Database on ConnectionPool", () => {
  let db: Database;
  beforeAll(async () => {
    db = createDatabase({ url: t.url, poolSize: 1, statementTimeoutMs: 0 });
    await db.execute(sql`CREATE TABLE names (name text PRIMARY KEY)`);
    await db.execute(sql`INSERT INTO names VALUES ('taken')`);
  });
  afterAll(async () => {
    await db?.close();
  });

  it("answers a burst of conflicting inserts on the connections it has (no reconnect per error)", async () => {
    const before = (await db.query<{ pid: number }>(sql`SELECT pg_backend_pid() AS pid`))[0]!.pid;
    const results = await Promise.allSettled(Array.from({ length: 50 }, () => db.execute(sql`INSERT INTO names VALUES (${"taken"})`)));
    expect(results.every((r) => r.status === "rejected" && (r.reason as { code?: string }).code === "23505")).toBe(true);
    const after = (await db.query<{ pid: number }>(sql`SELECT pg_backend_pid() AS pid`))[0]!.pid;
    expect(after).toBe(before);
  });

  it("Prisma's queries share the pool and keep its connection after an error", async () => {
    const before = (await db.query<{ pid: number }>(sql`SELECT pg_backend_pid() AS pid`))[0]!.pid;
    await expect(db.prisma.$executeRawUnsafe("INSERT INTO names VALUES ('taken')")).rejects.toThrow(/23505|unique|Unique/);
    const after = (await db.query<{ pid: number }>(sql`SELECT pg_backend_pid() AS pid`))[0]!.pid;
    expect(after).toBe(before);
  });
});
