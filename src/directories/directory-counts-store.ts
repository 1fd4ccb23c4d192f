import type { SqlRunner } from "../db/database.js";
import { type Sql, sql } from "../db/sql.js";

// SQL for directory_counts: users and groups per directory, changed by the same statement as each SCIM
// create and delete, so an unfiltered list's totalResults is a sum of at most 16 rows instead of a count
// of the directory. Each backend writes its own shard row (pg_backend_pid() % 16): concurrent creates in
// one directory do not queue on one row lock until commit.

const SHARDS = 16;

/** A CTE piece adding `users`/`groups` (negative to subtract) when `when` holds (e.g. the row change happened). */
export function adjustCounts(directoryId: string, change: { users?: number; groups?: number }, when?: Sql): Sql {
  return sql`INSERT INTO directory_counts AS c (directory_id, shard, users, groups)
    SELECT ${directoryId}::uuid, pg_backend_pid() % ${SHARDS}, ${change.users ?? 0}::int, ${change.groups ?? 0}::int${when ? sql` WHERE ${when}` : sql``}
    ON CONFLICT (directory_id, shard) DO UPDATE SET users = c.users + EXCLUDED.users, groups = c.groups + EXCLUDED.groups`;
}

/** A scalar subquery: the directory's number of users or groups. */
export function countOf(directoryId: string, kind: "users" | "groups"): Sql {
  return kind === "users"
    ? sql`(SELECT coalesce(sum(users), 0)::int FROM directory_counts WHERE directory_id = ${directoryId}::uuid)`
    : sql`(SELECT coalesce(sum(groups), 0)::int FROM directory_counts WHERE directory_id = ${directoryId}::uuid)`;
}

/** Users and groups of many directories in one query (directories without rows count 0). */
export async function countsOfDirectories(
  db: SqlRunner,
  directoryIds: readonly string[],
): Promise<Map<string, { users: number; groups: number }>> {
  const rows = await db.query<{ directoryId: string; users: number; groups: number }>(sql`
    SELECT directory_id::text AS "directoryId", coalesce(sum(users), 0)::int AS users, coalesce(sum(groups), 0)::int AS groups
      FROM directory_counts WHERE directory_id = ANY(${[...directoryIds]}::uuid[]) GROUP BY directory_id`);
  const counts = new Map(directoryIds.map((id) => [id, { users: 0, groups: 0 }]));
  for (const r of rows) counts.set(r.directoryId, { users: r.users, groups: r.groups });
  return counts;
}
