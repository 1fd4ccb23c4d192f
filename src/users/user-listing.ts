import type { SqlRunner } from "../db/database.js";
import { empty, sql } from "../db/sql.js";
import { groupsOfUsers } from "../groups/membership-store.js";
import { decodeKeyset, encodeKeyset } from "../pagination/keyset-position.js";
import { scimFilterToSql } from "../scim/filter/index.js";
import { type AppUser, toAppUser } from "./app-user.js";
import {
  findUser as findUserRow,
  listGroupMembers as listGroupMemberRows,
  listUsersAfter,
  listUsersAfterWithin,
  type UserRecord,
} from "./user-store.js";

// Synced users as the admin API reads them: keyset pages of AppUsers over the user store (the one read
// model). Pages are ordered by (created_at, id): a row inserted while a client pages through lands after
// the rows already returned, so nothing is skipped or repeated. `?filter=` is the SCIM filter engine.

export interface UserListQuery {
  filter?: string;
  active?: boolean;
  groupId?: string;
  limit: number;
  cursor?: string;
  includeGroups?: boolean;
  /** Stored bytes of the users on one page (ADMIN_PAGE_MAX_BYTES): fewer rows, and a cursor, when it is reached. */
  maxBytes?: number;
}

export interface UserPage {
  data: AppUser[];
  nextCursor: string | null;
}

async function withGroups(db: SqlRunner, rows: UserRecord[], include: boolean | undefined): Promise<AppUser[]> {
  if (!include) return rows.map((r) => toAppUser(r));
  const groups = await groupsOfUsers(
    db,
    rows.map((r) => r.id),
  );
  return rows.map((r) => toAppUser(r, { groups: groups.get(r.id) ?? [] }));
}

export async function listUsers(db: SqlRunner, directoryId: string, query: UserListQuery): Promise<UserPage> {
  const after = query.cursor ? decodeKeyset(query.cursor) : undefined;
  const filter = query.filter ? sql`AND (${scimFilterToSql("User", query.filter)})` : empty;
  const active = query.active === undefined ? empty : sql`AND u.active = ${query.active}`;
  const inGroup = query.groupId
    ? sql`AND EXISTS (SELECT 1 FROM group_members gm WHERE gm.group_id = ${query.groupId}::uuid AND gm.user_id = u.id)`
    : empty;
  const where = sql`TRUE ${filter} ${active} ${inGroup}`;
  const { maxBytes } = query;
  const rows: (UserRecord & { bytesBefore?: number })[] =
    maxBytes === undefined
      ? await listUsersAfter(db, directoryId, { where, after, limit: query.limit + 1 })
      : await listUsersAfterWithin(db, directoryId, { where, after, limit: query.limit + 1, maxBytes });
  // a row starting past the byte budget only says that the page was cut
  const within = maxBytes === undefined ? rows : rows.filter((r) => (r.bytesBefore ?? 0) < maxBytes);
  const page = within.slice(0, query.limit);
  const last = page[page.length - 1];
  return {
    data: await withGroups(
      db,
      page.map(({ bytesBefore: _, ...r }) => r),
      query.includeGroups,
    ),
    nextCursor: rows.length > page.length && last ? encodeKeyset(last) : null,
  };
}

export async function findUser(
  db: SqlRunner,
  directoryId: string,
  userId: string,
  opts: { includeGroups?: boolean } = {},
): Promise<AppUser | null> {
  const row = await findUserRow(db, directoryId, userId, { groups: opts.includeGroups });
  if (!row) return null;
  return toAppUser(row, opts.includeGroups ? { groups: row.groups ?? [] } : {});
}

/** A group's members ordered by user id, so 100k-member groups page cheaply. */
export async function listGroupMembers(
  db: SqlRunner,
  groupId: string,
  query: { limit: number; afterUserId?: string },
): Promise<{ rows: AppUser[]; lastUserId: string | null; more: boolean }> {
  const rows = await listGroupMemberRows(db, groupId, { limit: query.limit + 1, afterUserId: query.afterUserId });
  const page = rows.slice(0, query.limit);
  return { rows: page.map((r) => toAppUser(r)), lastUserId: page[page.length - 1]?.id ?? null, more: rows.length > query.limit };
}
