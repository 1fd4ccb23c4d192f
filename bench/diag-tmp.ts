import pg from "pg";
import { createBenchDatabase } from "./lib/bench-database.js";
const db = await createBenchDatabase("explain");
const c = new pg.Client({ connectionString: db.url }); await c.connect();
const dir = "11111111-1111-4111-8111-111111111111", grp = "22222222-2222-4222-8222-222222222222";
await c.query(`INSERT INTO directories (id, name) VALUES ($1, 'x')`, [dir]);
await c.query(`INSERT INTO scim_users (id, directory_id, user_name, user_name_norm, external_id, email, resource, created_at)
  SELECT gen_random_uuid(), $1, 'u'||i, 'u'||i, 'e'||i, 'u'||i, jsonb_build_object('userName','u'||i,'displayName','User '||i), timestamp '2026-01-01' + i * interval '1 ms' FROM generate_series(1,100000) i`, [dir]);
await c.query(`INSERT INTO scim_groups (id, directory_id, display_name, display_name_norm, resource) VALUES ($1, $2, 'g', 'g', '{}')`, [grp, dir]);
await c.query(`INSERT INTO group_members (group_id, user_id, directory_id) SELECT $1, id, $2 FROM scim_users LIMIT 95000`, [grp, dir]);
await c.query("VACUUM ANALYZE");
console.log(db.url);
await c.end();
