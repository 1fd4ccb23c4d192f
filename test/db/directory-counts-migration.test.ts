import { cp, mkdtemp, readdir } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { MIGRATIONS_DIR, migrate } from "../../src/db/migrate.js";
import { createEmptyDatabase, type TestDatabase } from "../helpers/test-database.js";

// The directory_counts migration backfills the counts of directories that already hold users and groups.

const COUNTS_MIGRATION = "20261201160000_directory_counts";

describe("directory_counts migration", () => {
  let db: TestDatabase | undefined;
  afterAll(async () => db?.drop());

  it("backfills each existing directory's user and group counts", async () => {
    db = await createEmptyDatabase();
    const earlier = await mkdtemp(path.join(os.tmpdir(), "sb-mig-counts-"));
    for (const name of (await readdir(MIGRATIONS_DIR)).filter((n) => n < COUNTS_MIGRATION)) {
      await cp(path.join(MIGRATIONS_DIR, name), path.join(earlier, name), { recursive: true });
    }
    await migrate(db.url, earlier);
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    try {
      await c.query(
        `INSERT INTO directories (id, name) VALUES ('00000000-0000-4000-8000-000000000001', 'a'), ('00000000-0000-4000-8000-000000000002', 'b')`,
      );
      await c.query(`INSERT INTO scim_users (id, directory_id, user_name, user_name_norm, resource)
        SELECT gen_random_uuid(), '00000000-0000-4000-8000-000000000001', 'u' || n, 'u' || n, '{}' FROM generate_series(1, 7) AS n`);
      await c.query(`INSERT INTO scim_groups (id, directory_id, display_name, display_name_norm, resource)
        SELECT gen_random_uuid(), '00000000-0000-4000-8000-000000000001', 'g' || n, 'g' || n, '{}' FROM generate_series(1, 3) AS n`);
      expect(await migrate(db.url)).toContain(COUNTS_MIGRATION);
      const rows = await c.query(
        `SELECT directory_id, sum(users)::int AS users, sum(groups)::int AS groups FROM directory_counts GROUP BY directory_id ORDER BY directory_id`,
      );
      expect(rows.rows).toEqual([
        { directory_id: "00000000-0000-4000-8000-000000000001", users: 7, groups: 3 },
        { directory_id: "00000000-0000-4000-8000-000000000002", users: 0, groups: 0 },
      ]);
    } finally {
      await c.end();
    }
  });
});
