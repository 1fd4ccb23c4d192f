import { execFile } from "node:child_process";
import { mkdtemp, mkdir, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterEach, describe, expect, it } from "vitest";
import { MIGRATIONS_DIR, migrate, readMigrations } from "../../src/db/migrate.js";
import { freePort } from "../helpers/server-process.js";
import { createEmptyDatabase, type TestDatabase } from "../helpers/test-database.js";

describe("migration runner", () => {
  let db: TestDatabase | undefined;
  afterEach(async () => {
    await db?.drop();
    db = undefined;
  });

  async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      return (await c.query<T>(sql)).rows;
    } finally {
      await c.end();
    }
  }

  it("applies every migration once, even when two instances start at the same moment", async () => {
    db = await createEmptyDatabase();
    const [a, b] = await Promise.all([migrate(db.url), migrate(db.url)]);
    const all = (await readMigrations()).map((m) => m.name);
    // exactly one of the two did the work, the other found nothing pending
    expect([a, b].sort((x, y) => x.length - y.length)).toEqual([[], all]);
    const rows = await query<{ migration_name: string; finished_at: Date | null }>(
      db.url,
      `SELECT migration_name, finished_at FROM "_prisma_migrations" ORDER BY migration_name`,
    );
    expect(rows.map((r) => r.migration_name)).toEqual(all);
    expect(rows.every((r) => r.finished_at instanceof Date)).toBe(true);
    const tables = await query<{ table_name: string }>(
      db.url,
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1",
    );
    expect(tables.map((t) => t.table_name)).toEqual(
      expect.arrayContaining(["directories", "scim_users", "scim_groups", "group_members", "events", "webhook_deliveries"]),
    );
    expect(await migrate(db.url)).toEqual([]);
  });

  it("records Prisma's checksum format (sha-256 hex of migration.sql)", async () => {
    db = await createEmptyDatabase();
    await migrate(db.url);
    const [first] = await readMigrations();
    const rows = await query<{ checksum: string }>(
      db.url,
      `SELECT checksum FROM "_prisma_migrations" WHERE migration_name = '${first.name}'`,
    );
    expect(rows[0].checksum).toMatch(/^[0-9a-f]{64}$/);
    expect(rows[0].checksum).toBe(first.checksum);
  });

  it("refuses to start when an applied migration was edited afterwards", async () => {
    db = await createEmptyDatabase();
    const dir = await mkdtemp(path.join(os.tmpdir(), "sb-mig-"));
    await mkdir(path.join(dir, "001_a"));
    await writeFile(path.join(dir, "001_a", "migration.sql"), "CREATE TABLE a (id int);");
    expect(await migrate(db.url, dir)).toEqual(["001_a"]);
    await writeFile(path.join(dir, "001_a", "migration.sql"), "CREATE TABLE a (id bigint);");
    await expect(migrate(db.url, dir)).rejects.toThrow(/001_a was changed/);
  });

  it("rolls back a failing migration completely and reports which one failed", async () => {
    db = await createEmptyDatabase();
    const dir = await mkdtemp(path.join(os.tmpdir(), "sb-mig-"));
    await mkdir(path.join(dir, "001_bad"));
    await writeFile(path.join(dir, "001_bad", "migration.sql"), "CREATE TABLE b (id int); SELECT no_such_function();");
    await expect(migrate(db.url, dir)).rejects.toThrow(/001_bad failed/);
    const tables = await query(db.url, "SELECT 1 FROM information_schema.tables WHERE table_name = 'b'");
    expect(tables).toHaveLength(0);
  });

  it("npm run db:migrate applies migrations over DATABASE_DIRECT_URL, never through DATABASE_URL (a pooler)", async () => {
    db = await createEmptyDatabase();
    // DATABASE_URL points where nothing listens: migrating must not use it
    const pooled = `postgresql://postgres@127.0.0.1:${await freePort()}/${db.name}`;
    const { code, stdout, stderr } = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
      execFile(
        process.execPath,
        ["--import", "tsx", "src/db/migrate-cli.ts"],
        { env: { ...process.env, DATABASE_URL: pooled, DATABASE_DIRECT_URL: db!.url }, timeout: 60_000 },
        (err, out, errOut) => resolve({ code: err ? Number(err.code ?? 1) : 0, stdout: out, stderr: errOut }),
      ),
    );
    expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
    const names = (await readMigrations()).map((m) => m.name);
    expect(stdout.trim()).toBe(`applied: ${names.join(", ")}`);
  });

  it("ships its migrations inside the repository", () => {
    expect(MIGRATIONS_DIR.endsWith(path.join("prisma", "migrations"))).toBe(true);
  });
});
