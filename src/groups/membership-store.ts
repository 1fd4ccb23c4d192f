import { USER_COLUMNS, type UserRecord } from "../users/user-store.js";
import type { Tx } from "../users/scim-transaction.js";
import { GROUP_COLUMNS, type GroupRecord } from "./group-store.js";

// SQL for group_members. Each write returns the affected users so their events can be written
// in the same transaction. member_count is adjusted by the caller's group UPDATE.

type Reader = Pick<Tx, "$queryRaw">;

/** Adds users (already validated as users of the directory); returns only those not yet members. */
export async function addMembers(tx: Reader, directoryId: string, groupId: string, userIds: string[]): Promise<string[]> {
  if (userIds.length === 0) return [];
  const rows = await tx.$queryRaw<{ userId: string }[]>`
    INSERT INTO group_members (group_id, user_id, directory_id)
    SELECT ${groupId}::uuid, x, ${directoryId}::uuid FROM unnest(${userIds}::uuid[]) AS x
    ON CONFLICT DO NOTHING RETURNING user_id AS "userId"`;
  return rows.map((r) => r.userId);
}

export async function removeMembers(tx: Reader, groupId: string, userIds: string[]): Promise<UserRecord[]> {
  if (userIds.length === 0) return [];
  return tx.$queryRaw<UserRecord[]>`
    WITH d AS (DELETE FROM group_members WHERE group_id = ${groupId}::uuid AND user_id = ANY(${userIds}::uuid[]) RETURNING user_id)
    SELECT ${USER_COLUMNS} FROM scim_users u JOIN d ON d.user_id = u.id`;
}

/** Removes every member not in `keep` (all of them when keep is empty). */
export async function removeMembersExcept(tx: Reader, groupId: string, keep: string[]): Promise<UserRecord[]> {
  return tx.$queryRaw<UserRecord[]>`
    WITH d AS (DELETE FROM group_members WHERE group_id = ${groupId}::uuid AND NOT (user_id = ANY(${keep}::uuid[])) RETURNING user_id)
    SELECT ${USER_COLUMNS} FROM scim_users u JOIN d ON d.user_id = u.id`;
}

/** Drops all memberships of a user being deleted; returns the groups it left, counts already adjusted. */
export async function removeUserFromAllGroups(tx: Reader, userId: string): Promise<GroupRecord[]> {
  return tx.$queryRaw<GroupRecord[]>`
    WITH d AS (DELETE FROM group_members WHERE user_id = ${userId}::uuid RETURNING group_id),
         c AS (SELECT group_id, count(*)::int AS n FROM d GROUP BY group_id)
    UPDATE scim_groups g SET member_count = g.member_count - c.n, version = g.version + 1, updated_at = now()
    FROM c WHERE g.id = c.group_id
    RETURNING ${GROUP_COLUMNS}`;
}

export interface MemberRow {
  groupId: string;
  userId: string;
  display: string | null;
}

/** Members of the given groups with their display names, for the Group resource's `members`. */
export async function membersOfGroups(tx: Reader, groupIds: string[]): Promise<Map<string, MemberRow[]>> {
  const out = new Map<string, MemberRow[]>();
  if (groupIds.length === 0) return out;
  const rows = await tx.$queryRaw<MemberRow[]>`
    SELECT m.group_id AS "groupId", m.user_id AS "userId", coalesce(u.display_name, u.user_name) AS display
    FROM group_members m JOIN scim_users u ON u.id = m.user_id
    WHERE m.group_id = ANY(${groupIds}::uuid[]) ORDER BY m.group_id, m.created_at, m.user_id`;
  for (const r of rows) {
    const list = out.get(r.groupId) ?? [];
    list.push(r);
    out.set(r.groupId, list);
  }
  return out;
}
