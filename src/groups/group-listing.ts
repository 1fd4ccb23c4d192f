import type { SqlRunner } from "../db/database.js";
import { sql } from "../db/sql.js";
import { decodeIdCursor, decodeKeyset, encodeIdCursor, encodeKeyset } from "../pagination/keyset-position.js";
import { scimFilterToSql } from "../scim/filter/index.js";
import type { AppUser, AppUserGroup } from "../users/app-user.js";
import { listGroupMembers } from "../users/user-listing.js";
import { findUser } from "../users/user-store.js";
import { type AppGroup, toAppGroup } from "./app-group.js";
import { findGroup as findGroupRow, listGroupsAfter } from "./group-store.js";

// Synced groups as the admin API reads them, over the group store (same ordering rules as user-listing.ts).

export interface GroupPage {
  data: AppGroup[];
  nextCursor: string | null;
}

export async function listGroups(
  db: SqlRunner,
  directoryId: string,
  query: { filter?: string; limit: number; cursor?: string },
): Promise<GroupPage> {
  const after = query.cursor ? decodeKeyset(query.cursor) : undefined;
  const filter = query.filter ? sql`(${scimFilterToSql("Group", query.filter)})` : sql`TRUE`;
  const rows = await listGroupsAfter(db, directoryId, { where: filter, after, limit: query.limit + 1 });
  const page = rows.slice(0, query.limit);
  const last = page[page.length - 1];
  return { data: page.map(toAppGroup), nextCursor: rows.length > query.limit && last ? encodeKeyset(last) : null };
}

export async function findGroup(db: SqlRunner, directoryId: string, groupId: string): Promise<AppGroup | null> {
  const row = await findGroupRow(db, directoryId, groupId);
  return row ? toAppGroup(row) : null;
}

/** Members of a group of the directory; null when the group is not in the directory. */
export async function groupMembersPage(
  db: SqlRunner,
  directoryId: string,
  groupId: string,
  query: { limit: number; cursor?: string },
): Promise<{ data: AppUser[]; nextCursor: string | null } | null> {
  const afterUserId = query.cursor ? decodeIdCursor(query.cursor) : undefined;
  if (!(await findGroupRow(db, directoryId, groupId))) return null;
  const page = await listGroupMembers(db, groupId, { limit: query.limit, afterUserId });
  return { data: page.rows, nextCursor: page.more && page.lastUserId ? encodeIdCursor(page.lastUserId) : null };
}

/** The groups a user of the directory belongs to; null when the user is not in the directory. */
export async function groupsOfUser(db: SqlRunner, directoryId: string, userId: string): Promise<AppUserGroup[] | null> {
  const user = await findUser(db, directoryId, userId, { groups: true });
  return user ? (user.groups ?? []) : null;
}
