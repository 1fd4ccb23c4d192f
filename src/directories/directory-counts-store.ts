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
