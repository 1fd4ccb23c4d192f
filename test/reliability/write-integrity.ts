import type pg from "pg";
import { expect } from "vitest";
import type { Replay } from "./entra-replay.js";

// Database-level checks that a crash left no acknowledged write lost and no write half-done.

/** user row ⇔ its user.created event; membership row ⇔ its group.user_added event; counts agree. */
export async function expectNoPartialWrites(sql: pg.Pool, directoryId: string): Promise<void> {
  const orphanUsers = await sql.query(
    `SELECT u.id FROM scim_users u WHERE u.directory_id = $1
       AND (SELECT count(*) FROM events e WHERE e.directory_id = $1 AND e.type = 'user.created' AND e.data->>'id' = u.id::text) <> 1`,
    [directoryId],
  );
  expect(orphanUsers.rows).toEqual([]);
  const orphanEvents = await sql.query(
    `SELECT e.id FROM events e WHERE e.directory_id = $1 AND e.type = 'user.created'
       AND NOT EXISTS (SELECT 1 FROM scim_users u WHERE u.id::text = e.data->>'id')`,
    [directoryId],
  );
  expect(orphanEvents.rows).toEqual([]);
  const members = await sql.query(
    `SELECT m.user_id FROM group_members m WHERE m.directory_id = $1
       AND (SELECT count(*) FROM events e WHERE e.directory_id = $1 AND e.type = 'group.user_added'
              AND e.data->'user'->>'id' = m.user_id::text AND e.data->'group'->>'id' = m.group_id::text) <> 1`,
    [directoryId],
  );
  expect(members.rows).toEqual([]);
  const addedWithoutRow = await sql.query(
    `SELECT e.id FROM events e WHERE e.directory_id = $1 AND e.type = 'group.user_added'
       AND NOT EXISTS (SELECT 1 FROM group_members m WHERE m.user_id::text = e.data->'user'->>'id' AND m.group_id::text = e.data->'group'->>'id')`,
    [directoryId],
  );
  expect(addedWithoutRow.rows).toEqual([]);
  const counts = await sql.query(
    `SELECT g.id FROM scim_groups g WHERE g.directory_id = $1 AND g.member_count <> (SELECT count(*) FROM group_members m WHERE m.group_id = g.id)`,
    [directoryId],
  );
  expect(counts.rows).toEqual([]);
}

/** Every request that got a 2xx is in the database, with its event. */
export async function expectAcknowledgedWritesKept(sql: pg.Pool, directoryId: string, replay: Replay): Promise<number> {
  let acknowledged = 0;
  for (const r of replay.records) {
    if (r.status === undefined || r.status >= 300 || r.method === "GET") continue;
    acknowledged++;
    if (r.method === "POST" && r.path === "/Users") {
      const id = r.body?.id as string;
      expect(
        (await sql.query("SELECT 1 FROM scim_users WHERE id = $1 AND directory_id = $2", [id, directoryId])).rowCount,
        `user ${id}`,
      ).toBe(1);
      expect((await sql.query("SELECT 1 FROM events WHERE type = 'user.created' AND data->>'id' = $1", [id])).rowCount).toBe(1);
    } else if (r.method === "PATCH" && r.path.startsWith("/Users/")) {
      const id = r.path.slice("/Users/".length);
      const row = await sql.query("SELECT resource->>'title' AS title FROM scim_users WHERE id = $1", [id]);
      expect(row.rows[0]?.title, `title of ${id}`).toMatch(/^Engineer \d+$/);
      expect(
        (await sql.query("SELECT 1 FROM events WHERE type = 'user.updated' AND data->>'id' = $1", [id])).rowCount,
      ).toBeGreaterThanOrEqual(1);
    } else if (r.method === "PATCH" && r.memberIds) {
      const groupId = r.path.slice("/Groups/".length);
      const rows = await sql.query("SELECT count(*)::int AS n FROM group_members WHERE group_id = $1 AND user_id = ANY($2::uuid[])", [
        groupId,
        r.memberIds,
      ]);
      expect(rows.rows[0].n).toBe(r.memberIds.length);
    } else if (r.method === "POST" && r.path === "/Groups") {
      expect((await sql.query("SELECT 1 FROM events WHERE type = 'group.created' AND data->>'id' = $1", [r.body?.id])).rowCount).toBe(1);
    }
  }
  return acknowledged;
}
