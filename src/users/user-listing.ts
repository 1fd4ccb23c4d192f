import type { Database } from "../db/database.js";
import { Prisma } from "../generated/prisma/client.js";
import { decodeKeyset, encodeKeyset } from "../pagination/keyset-position.js";
import { scimFilterToSql } from "../scim/filter/index.js";
import { type AppUser, toAppUser, type UserRow } from "./app-user.js";
import { groupsOfUsers, USER_COLUMNS } from "./user-store.js";

// Keyset-paginated reads of synced users for the admin API. Pages are ordered by (created_at, id):
// a row inserted while a client pages through lands after the rows already returned, so nothing is
// skipped or repeated. Filtering uses the SCIM filter engine, so `?filter=` means what it means on /scim.

const { sql, empty } = Prisma;

export interface UserListQuery {
  filter?: string;
  active?: boolean;
  groupId?: string;
  limit: number;
  cursor?: string;
  includeGroups?: boolean;
}

export interface UserPage {
  data: AppUser[];
  nextCursor: string | null;
}

async function withGroups(db: Pick<Database, "prisma">, rows: UserRow[], include: boolean | undefined): Promise<AppUser[]> {
  if (!include) return rows.map((r) => toAppUser(r));
  const groups = await groupsOfUsers(db.prisma, rows.map((r) => r.id));
  return rows.map((r) => toAppUser(r, { groups: groups.get(r.id) ?? [] }));
}

export async function listUsers(db: Pick<Database, "prisma">, directoryId: string, query: UserListQuery): Promise<UserPage> {
  const after = query.cursor ? decodeKeyset(query.cursor) : undefined;
  const filter = query.filter ? sql`AND (${scimFilterToSql("User", query.filter)})` : empty;
  const active = query.active === undefined ? empty : sql`AND u.active = ${query.active}`;
  const inGroup = query.groupId
    ? sql`AND EXISTS (SELECT 1 FROM group_members gm WHERE gm.group_id = ${query.groupId}::uuid AND gm.user_id = u.id)`
    : empty;
  const position = after ? sql`AND (u.created_at, u.id) > (${after.createdAt}::timestamptz, ${after.id}::uuid)` : empty;
  const rows = await db.prisma.$queryRaw<UserRow[]>`
    SELECT ${USER_COLUMNS} FROM scim_users u
    WHERE u.directory_id = ${directoryId}::uuid ${filter} ${active} ${inGroup} ${position}
    ORDER BY u.created_at, u.id
    LIMIT ${query.limit + 1}`;
  const page = rows.slice(0, query.limit);
  const last = page[page.length - 1];
  return {
    data: await withGroups(db, page, query.includeGroups),
    nextCursor: rows.length > query.limit && last ? encodeKeyset(last) : null,
  };
}

export async function findUser(
  db: Pick<Database, "prisma">,
  directoryId: string,
  userId: string,
  opts: { includeGroups?: boolean } = {},
): Promise<AppUser | null> {
  const rows = await db.prisma.$queryRaw<UserRow[]>`
    SELECT ${USER_COLUMNS} FROM scim_users u WHERE u.directory_id = ${directoryId}::uuid AND u.id = ${userId}::uuid`;
  if (rows.length === 0) return null;
  return (await withGroups(db, rows, opts.includeGroups))[0]!;
}

/** A group's members ordered by user id (the group_members primary key), so 100k-member groups page cheaply. */
export async function listGroupMembers(
  db: Pick<Database, "prisma">,
  groupId: string,
  query: { limit: number; afterUserId?: string },
): Promise<{ rows: AppUser[]; lastUserId: string | null; more: boolean }> {
  // u.id > too: Postgres does not carry the range across the join, and its merge join would otherwise
  // read scim_users from the first id up to the cursor (O(position); bench/README.md)
  const position = query.afterUserId ? sql`AND gm.user_id > ${query.afterUserId}::uuid AND u.id > ${query.afterUserId}::uuid` : empty;
  const rows = await db.prisma.$queryRaw<UserRow[]>`
    SELECT ${USER_COLUMNS} FROM group_members gm JOIN scim_users u ON u.id = gm.user_id
    WHERE gm.group_id = ${groupId}::uuid ${position}
    ORDER BY gm.user_id
    LIMIT ${query.limit + 1}`;
  const page = rows.slice(0, query.limit);
  return { rows: page.map((r) => toAppUser(r)), lastUserId: page[page.length - 1]?.id ?? null, more: rows.length > query.limit };
}
