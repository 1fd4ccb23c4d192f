import { randomUUID } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { raw, sql, toQuery } from "../../../src/db/sql.js";
import { scimFilterToSql } from "../../../src/scim/filter/index.js";
import { createTestDatabase, type TestDatabase } from "../../helpers/test-database.js";

// Entra's and Okta's matching filters must run on indexes, not scan a directory's users.

const dir = randomUUID();
let db: TestDatabase;
let client: pg.Client;

async function plan(resourceType: "User" | "Group", filter: string): Promise<string> {
  const table = resourceType === "User" ? "scim_users u" : "scim_groups g";
  const alias = resourceType === "User" ? "u" : "g";
  const q = toQuery(
    sql`EXPLAIN SELECT ${raw(alias)}.id FROM ${raw(table)} WHERE ${raw(alias)}.directory_id = ${dir}::uuid AND (${scimFilterToSql(resourceType, filter)})`,
  );
  const r = await client.query(q.text, q.values);
  return r.rows.map((row) => row["QUERY PLAN"]).join("\n");
}

beforeAll(async () => {
  db = await createTestDatabase();
  client = new pg.Client({ connectionString: db.url });
  await client.connect();
  const other = randomUUID();
  await client.query(`INSERT INTO directories (id, name) VALUES ($1, 'big'), ($2, 'small')`, [dir, other]);
  // 2000 users in each of two directories, so the directory alone is not selective enough.
  await client.query(
    `INSERT INTO scim_users (id, directory_id, user_name, user_name_norm, external_id, email, resource)
     SELECT gen_random_uuid(), d.id, 'User' || i || '@example.com', 'user' || i || '@example.com', 'ext-' || i, 'user' || i || '@example.com',
            jsonb_build_object('userName', 'User' || i || '@example.com', 'emails', jsonb_build_array(jsonb_build_object('value', 'user' || i || '@example.com', 'type', 'work')))
     FROM generate_series(1, 2000) AS i CROSS JOIN (VALUES ($1::uuid), ($2::uuid)) AS d(id)`,
    [dir, other],
  );
  await client.query(
    `INSERT INTO scim_groups (id, directory_id, display_name, display_name_norm, resource)
     SELECT gen_random_uuid(), $1, 'Group ' || i, 'group ' || i, '{}'::jsonb FROM generate_series(1, 2000) AS i`,
    [dir],
  );
  await client.query("ANALYZE scim_users");
  await client.query("ANALYZE scim_groups");
});

afterAll(async () => {
  await client?.end();
  await db?.drop();
});

describe("index use of the matching filters", () => {
  it("userName eq uses the (directory_id, user_name_norm) index", async () => {
    const p = await plan("User", 'userName eq "USER42@example.com"');
    expect(p).toContain("scim_users_directory_id_user_name_norm_key");
    expect(p).not.toMatch(/Seq Scan on scim_users/);
  });

  it("externalId eq uses the (directory_id, external_id) index", async () => {
    const p = await plan("User", 'externalId eq "ext-42"');
    expect(p).toContain("scim_users_directory_id_external_id_idx");
    expect(p).not.toMatch(/Seq Scan on scim_users/);
  });

  it('emails[type eq "work"].value eq uses the (directory_id, email) index', async () => {
    const p = await plan("User", 'emails[type eq "work"].value eq "user42@example.com"');
    expect(p).toContain("scim_users_directory_id_email_idx");
    expect(p).not.toMatch(/Seq Scan on scim_users/);
  });

  it("group displayName eq uses the (directory_id, display_name_norm) index", async () => {
    const p = await plan("Group", 'displayName eq "GROUP 42"');
    expect(p).toContain("scim_groups_directory_id_display_name_norm_key");
    expect(p).not.toMatch(/Seq Scan on scim_groups/);
  });
});
