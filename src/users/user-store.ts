import { Prisma } from "../generated/prisma/client.js";
import type { PageQuery } from "../scim/resource/list-query.js";
import type { PromotedUserColumns, ScimJson } from "../scim/resource/user-attributes.js";
import type { Tx } from "./scim-transaction.js";

// SQL for scim_users. Rows come back in the Prisma model's camelCase shape so every reader
// (SCIM mapping, toAppUser) takes one type.

/** A scim_users row: the promoted columns (userNameNorm is only indexed, never read back) and the resource. */
export interface UserRecord extends Omit<PromotedUserColumns, "userNameNorm"> {
  id: string;
  directoryId: string;
  resource: ScimJson;
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

type Reader = Pick<Tx, "$queryRaw">;

export const USER_COLUMNS = Prisma.sql`u.id, u.directory_id AS "directoryId", u.user_name AS "userName",
  u.external_id AS "externalId", u.active, u.display_name AS "displayName", u.given_name AS "givenName",
  u.family_name AS "familyName", u.email, u.resource, u.version, u.created_at AS "createdAt", u.updated_at AS "updatedAt"`;

export async function insertUser(tx: Reader, directoryId: string, id: string, cols: PromotedUserColumns, resource: ScimJson): Promise<UserRecord> {
  const rows = await tx.$queryRaw<UserRecord[]>`
    INSERT INTO scim_users AS u (id, directory_id, user_name, user_name_norm, external_id, active, display_name, given_name, family_name, email, resource)
    VALUES (${id}::uuid, ${directoryId}::uuid, ${cols.userName}, ${cols.userNameNorm}, ${cols.externalId}, ${cols.active},
            ${cols.displayName}, ${cols.givenName}, ${cols.familyName}, ${cols.email}, ${JSON.stringify(resource)}::jsonb)
    RETURNING ${USER_COLUMNS}`;
  return rows[0]!;
}

export async function findUser(tx: Reader, directoryId: string, id: string, lock = false): Promise<UserRecord | undefined> {
  const rows = await tx.$queryRaw<UserRecord[]>`
    SELECT ${USER_COLUMNS} FROM scim_users u WHERE u.directory_id = ${directoryId}::uuid AND u.id = ${id}::uuid
    ${lock ? Prisma.sql`FOR UPDATE` : Prisma.empty}`;
  return rows[0];
}

export async function updateUser(tx: Reader, id: string, cols: PromotedUserColumns, resource: ScimJson): Promise<UserRecord> {
  const rows = await tx.$queryRaw<UserRecord[]>`
    UPDATE scim_users u SET user_name = ${cols.userName}, user_name_norm = ${cols.userNameNorm}, external_id = ${cols.externalId},
      active = ${cols.active}, display_name = ${cols.displayName}, given_name = ${cols.givenName}, family_name = ${cols.familyName},
      email = ${cols.email}, resource = ${JSON.stringify(resource)}::jsonb, version = u.version + 1, updated_at = now()
    WHERE u.id = ${id}::uuid
    RETURNING ${USER_COLUMNS}`;
  return rows[0]!;
}

export async function deleteUserRow(tx: Reader, id: string): Promise<void> {
  await tx.$queryRaw`DELETE FROM scim_users WHERE id = ${id}::uuid`;
}

/** Users of the directory among `ids` (ids must already be UUID-shaped). */
export async function findUsersByIds(tx: Reader, directoryId: string, ids: string[]): Promise<UserRecord[]> {
  if (ids.length === 0) return [];
  return tx.$queryRaw<UserRecord[]>`
    SELECT ${USER_COLUMNS} FROM scim_users u WHERE u.directory_id = ${directoryId}::uuid AND u.id = ANY(${ids}::uuid[])`;
}

export async function listUsers(tx: Reader, directoryId: string, q: PageQuery): Promise<UserRecord[]> {
  return tx.$queryRaw<UserRecord[]>`
    SELECT ${USER_COLUMNS} FROM scim_users u WHERE u.directory_id = ${directoryId}::uuid AND (${q.where})
    ORDER BY ${q.orderBy} LIMIT ${q.limit} OFFSET ${q.offset}`;
}

export async function countUsers(tx: Reader, directoryId: string, where: Prisma.Sql): Promise<number> {
  const rows = await tx.$queryRaw<{ n: number }[]>`
    SELECT count(*)::int AS n FROM scim_users u WHERE u.directory_id = ${directoryId}::uuid AND (${where})`;
  return rows[0]?.n ?? 0;
}

/** The groups of each user, for the User resource's read-only `groups` attribute. */
export async function groupsOfUsers(tx: Reader, userIds: string[]): Promise<Map<string, { id: string; displayName: string }[]>> {
  const out = new Map<string, { id: string; displayName: string }[]>();
  if (userIds.length === 0) return out;
  const rows = await tx.$queryRaw<{ userId: string; id: string; displayName: string }[]>`
    SELECT m.user_id AS "userId", g.id, g.display_name AS "displayName"
    FROM group_members m JOIN scim_groups g ON g.id = m.group_id
    WHERE m.user_id = ANY(${userIds}::uuid[]) ORDER BY g.display_name_norm`;
  for (const r of rows) {
    const list = out.get(r.userId) ?? [];
    list.push({ id: r.id, displayName: r.displayName });
    out.set(r.userId, list);
  }
  return out;
}
