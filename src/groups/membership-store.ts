import type { SqlRunner } from "../db/database.js";
import { type Sql, sql } from "../db/sql.js";
import { type GroupRecord, GROUP_COLUMNS } from "./group-store.js";

// SQL for group_members. Membership changes that belong to a group write (PATCH/PUT/POST of a group) are
// pieces of the group store's one statement (`memberChangesSql`); the reads here feed the SCIM resources
// (members of groups, groups of users) and the user-delete path.

export interface MemberRow {
  groupId: string;
  userId: string;
  display: string | null;
}

/** A scalar subquery: the groups of user `userId` (an SQL expression) as JSON [{id, displayName}], by name. */
export function userGroupsJson(userId: Sql): Sql {
  return sql`(SELECT coalesce(json_agg(json_build_object('id', g.id, 'displayName', g.display_name) ORDER BY g.display_name_norm), '[]'::json)
    FROM group_members m JOIN scim_groups g ON g.id = m.group_id WHERE m.user_id = ${userId})`;
}

/**
 * A CTE piece inserting memberships of the group(s) in `group` (a relation with an `id` column, such as
 * the CTE that wrote the group: no row there, nothing inserted) for users already checked to be in the directory.
 */
export function insertMembers(directoryId: string, group: Sql, userIds: string[]): Sql {
  return sql`INSERT INTO group_members (group_id, user_id, directory_id)
    SELECT s.id, x, ${directoryId}::uuid FROM ${group} s, unnest(${userIds}::uuid[]) AS x ON CONFLICT DO NOTHING`;
}

/** A CTE piece deleting memberships of the group(s) in `group` (as for insertMembers) for the given users. */
export function deleteMembers(group: Sql, userIds: string[]): Sql {
  return sql`DELETE FROM group_members WHERE group_id IN (SELECT id FROM ${group}) AND user_id = ANY(${userIds}::uuid[])`;
}

/** Ids of the group's members among `ids`, or all of them when `ids` is undefined. */
export async function memberIdsOf(db: SqlRunner, groupId: string, ids?: string[]): Promise<string[]> {
  const rows = ids
    ? await db.query<{ userId: string }>(
        sql`SELECT user_id AS "userId" FROM group_members WHERE group_id = ${groupId}::uuid AND user_id = ANY(${ids}::uuid[])`,
      )
    : await db.query<{ userId: string }>(sql`SELECT user_id AS "userId" FROM group_members WHERE group_id = ${groupId}::uuid`);
  return rows.map((r) => r.userId);
}

/** Drops all memberships of a user being deleted; returns the groups it left, counts and versions already moved. */
export async function removeUserFromAllGroups(db: SqlRunner, userId: string, at: Date): Promise<GroupRecord[]> {
  return db.query<GroupRecord>(sql`
    WITH d AS (DELETE FROM group_members WHERE user_id = ${userId}::uuid RETURNING group_id),
         c AS (SELECT group_id, count(*)::int AS n FROM d GROUP BY group_id)
    UPDATE scim_groups g SET member_count = g.member_count - c.n, version = g.version + 1, updated_at = ${at}
    FROM c WHERE g.id = c.group_id
    RETURNING ${GROUP_COLUMNS}`);
}

/** The groups of each user, for the User resource's read-only `groups` attribute. */
export async function groupsOfUsers(db: SqlRunner, userIds: string[]): Promise<Map<string, { id: string; displayName: string }[]>> {
  const out = new Map<string, { id: string; displayName: string }[]>();
  if (userIds.length === 0) return out;
  const rows = await db.query<{ userId: string; id: string; displayName: string }>(sql`
    SELECT m.user_id AS "userId", g.id, g.display_name AS "displayName"
    FROM group_members m JOIN scim_groups g ON g.id = m.group_id
    WHERE m.user_id = ANY(${userIds}::uuid[]) ORDER BY g.display_name_norm`);
  for (const r of rows) {
    const list = out.get(r.userId) ?? [];
    list.push({ id: r.id, displayName: r.displayName });
    out.set(r.userId, list);
  }
  return out;
}

/**
 * Members of the given groups with their display names, for the Group resource's `members`, in the groups'
 * order. `limit` bounds the rows read (the query, not a filter after loading); `truncated` says it was hit,
 * and then the members of `lastGroupId` (and of any group after it) are incomplete.
 */
export async function membersOfGroups(
  db: SqlRunner,
  groupIds: string[],
  limit?: number,
): Promise<{ byGroup: Map<string, MemberRow[]>; truncated: boolean; lastGroupId?: string }> {
  const byGroup = new Map<string, MemberRow[]>();
  if (groupIds.length === 0) return { byGroup, truncated: false };
  // limit NULL = ALL, so the statement text stays one prepared statement
  const rows = await db.query<MemberRow>(sql`
    SELECT m.group_id AS "groupId", m.user_id AS "userId", coalesce(u.display_name, u.user_name) AS display
    FROM group_members m JOIN scim_users u ON u.id = m.user_id
    WHERE m.group_id = ANY(${groupIds}::uuid[])
    ORDER BY array_position(${groupIds}::uuid[], m.group_id), m.created_at, m.user_id
    LIMIT ${limit === undefined ? null : limit + 1}::int`);
  const truncated = limit !== undefined && rows.length > limit;
  const kept = truncated ? rows.slice(0, limit) : rows;
  for (const r of kept) {
    const list = byGroup.get(r.groupId) ?? [];
    list.push(r);
    byGroup.set(r.groupId, list);
  }
  return { byGroup, truncated, lastGroupId: rows[rows.length - 1]?.groupId };
}

/** How many memberships a directory holds (for its stats). */
export async function countMemberships(db: SqlRunner, directoryId: string): Promise<number> {
  const rows = await db.query<{ n: number }>(sql`SELECT count(*)::int AS n FROM group_members WHERE directory_id = ${directoryId}::uuid`);
  return rows[0]?.n ?? 0;
}
