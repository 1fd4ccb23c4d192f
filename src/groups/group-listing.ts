import type { Database } from "../db/database.js";
import { Prisma } from "../generated/prisma/client.js";
import { decodeIdCursor, decodeKeyset, encodeIdCursor, encodeKeyset } from "../pagination/keyset-position.js";
import { scimFilterToSql } from "../scim/filter/index.js";
import type { AppUser, AppUserGroup } from "../users/app-user.js";
import { listGroupMembers } from "../users/user-listing.js";
import { groupsOfUsers } from "../users/user-store.js";
import { type AppGroup, type GroupRow, toAppGroup } from "./app-group.js";

// Keyset-paginated reads of synced groups for the admin API (same ordering rules as user-listing.ts).

const { sql, empty } = Prisma;

export interface GroupPage {
  data: AppGroup[];
  nextCursor: string | null;
}

const GROUP_COLUMNS = sql`g.id, g.directory_id AS "directoryId", g.display_name AS "displayName", g.external_id AS "externalId",
  g.member_count AS "memberCount", g.resource, g.created_at AS "createdAt", g.updated_at AS "updatedAt"`;

export async function listGroups(
  db: Pick<Database, "prisma">,
  directoryId: string,
  query: { filter?: string; limit: number; cursor?: string },
): Promise<GroupPage> {
  const after = query.cursor ? decodeKeyset(query.cursor) : undefined;
  const filter = query.filter ? sql`AND (${scimFilterToSql("Group", query.filter)})` : empty;
  const position = after ? sql`AND (g.created_at, g.id) > (${after.createdAt}::timestamptz, ${after.id}::uuid)` : empty;
  const rows = await db.prisma.$queryRaw<GroupRow[]>`
    SELECT ${GROUP_COLUMNS} FROM scim_groups g
    WHERE g.directory_id = ${directoryId}::uuid ${filter} ${position}
    ORDER BY g.created_at, g.id
    LIMIT ${query.limit + 1}`;
  const page = rows.slice(0, query.limit);
  const last = page[page.length - 1];
  return { data: page.map(toAppGroup), nextCursor: rows.length > query.limit && last ? encodeKeyset(last) : null };
}

export async function findGroup(db: Pick<Database, "prisma">, directoryId: string, groupId: string): Promise<AppGroup | null> {
  const rows = await db.prisma.$queryRaw<GroupRow[]>`
    SELECT ${GROUP_COLUMNS} FROM scim_groups g WHERE g.directory_id = ${directoryId}::uuid AND g.id = ${groupId}::uuid`;
  return rows[0] ? toAppGroup(rows[0]) : null;
}

/** Members of a group of the directory; null when the group is not in the directory. */
export async function groupMembersPage(
  db: Pick<Database, "prisma">,
  directoryId: string,
  groupId: string,
  query: { limit: number; cursor?: string },
): Promise<{ data: AppUser[]; nextCursor: string | null } | null> {
  const afterUserId = query.cursor ? decodeIdCursor(query.cursor) : undefined;
  if (!(await findGroup(db, directoryId, groupId))) return null;
  const page = await listGroupMembers(db, groupId, { limit: query.limit, afterUserId });
  return { data: page.rows, nextCursor: page.more && page.lastUserId ? encodeIdCursor(page.lastUserId) : null };
}

/** The groups a user of the directory belongs to; null when the user is not in the directory. */
export async function groupsOfUser(db: Pick<Database, "prisma">, directoryId: string, userId: string): Promise<AppUserGroup[] | null> {
  const user = await db.prisma.scimUser.findFirst({ where: { id: userId, directoryId }, select: { id: true } });
  if (!user) return null;
  return (await groupsOfUsers(db.prisma, [userId])).get(userId) ?? [];
}
