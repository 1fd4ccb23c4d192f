import type pg from "pg";

// Users seeded with SQL (INSERT … SELECT generate_series): the columns and Entra-shaped JSON the service
// writes, userName user<i>@growth.example, externalId ext-<i>, created_at increasing with i, and an id
// that SQL can compute from (directory, i), so pgbench scripts can address seeded users by number.
// Used by growth.ts (directories of 10k–1M users), pgbench.ts and the list scenario of scim-ops.ts.

/** Users in a seeded bench directory: the list scenario's directory and pgbench's (same size, same cost). */
export const SEEDED_DIRECTORY_USERS = 10_000;

/** The id of seeded user `i` of `directory` as an SQL expression over two SQL expressions. */
export const seededUserId = (directory: string, i: string) => `md5(${directory} || '/' || ${i})::uuid`;

const SEED_USERS = `
  INSERT INTO scim_users (id, directory_id, user_name, user_name_norm, external_id, active, display_name, given_name,
                          family_name, email, resource, created_at, updated_at)
  SELECT ${seededUserId("$1::text", "i")}, $1::uuid, n.u, n.u, n.ext, true, 'Growth User ' || i, 'Growth', 'User ' || i, n.u,
    jsonb_build_object(
      'schemas', jsonb_build_array('urn:ietf:params:scim:schemas:core:2.0:User', 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'),
      'externalId', n.ext, 'userName', n.u, 'active', true, 'displayName', 'Growth User ' || i,
      'emails', jsonb_build_array(jsonb_build_object('primary', true, 'type', 'work', 'value', n.u)),
      'name', jsonb_build_object('formatted', 'Growth User ' || i, 'familyName', 'User ' || i, 'givenName', 'Growth'),
      'roles', jsonb_build_array(),
      'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User', jsonb_build_object('department', 'Dept ' || (i % 50))),
    t.at, t.at
  FROM generate_series($2::int, $3::int) AS i,
    LATERAL (SELECT 'user' || i || '@growth.example' AS u, 'ext-' || i AS ext) AS n,
    LATERAL (SELECT timestamp '2026-01-01' + i * interval '1 millisecond' AS at) AS t`;

/** Seeds users from..to (inclusive) of a directory, 100k per statement. */
export async function seedUsers(sql: pg.Client | pg.Pool, directoryId: string, from: number, to: number): Promise<void> {
  for (let a = from; a <= to; a += 100_000) await sql.query(SEED_USERS, [directoryId, a, Math.min(to, a + 99_999)]);
}
