import { Prisma } from "../generated/prisma/client.js";
import type { PageQuery } from "../scim/resource/list-query.js";
import type { ScimJson } from "../scim/resource/user-attributes.js";
import type { Tx } from "../users/scim-transaction.js";

// SQL for scim_groups. Rows come back in the Prisma model's camelCase shape.

export interface PromotedGroupColumns {
  displayName: string;
  externalId: string | null;
}

/** A scim_groups row: the promoted columns and the resource. */
export interface GroupRecord extends PromotedGroupColumns {
  id: string;
  directoryId: string;
  resource: ScimJson;
  memberCount: number;
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

type Reader = Pick<Tx, "$queryRaw">;

export const GROUP_COLUMNS = Prisma.sql`g.id, g.directory_id AS "directoryId", g.display_name AS "displayName",
  g.external_id AS "externalId", g.resource, g.member_count AS "memberCount", g.version,
  g.created_at AS "createdAt", g.updated_at AS "updatedAt"`;

export async function insertGroup(tx: Reader, directoryId: string, id: string, cols: PromotedGroupColumns, resource: ScimJson, memberCount: number): Promise<GroupRecord> {
  const rows = await tx.$queryRaw<GroupRecord[]>`
    INSERT INTO scim_groups AS g (id, directory_id, display_name, display_name_norm, external_id, resource, member_count)
    VALUES (${id}::uuid, ${directoryId}::uuid, ${cols.displayName}, ${cols.displayName.toLowerCase()}, ${cols.externalId},
            ${JSON.stringify(resource)}::jsonb, ${memberCount})
    RETURNING ${GROUP_COLUMNS}`;
  return rows[0]!;
}

export async function findGroup(tx: Reader, directoryId: string, id: string, lock = false): Promise<GroupRecord | undefined> {
  const rows = await tx.$queryRaw<GroupRecord[]>`
    SELECT ${GROUP_COLUMNS} FROM scim_groups g WHERE g.directory_id = ${directoryId}::uuid AND g.id = ${id}::uuid
    ${lock ? Prisma.sql`FOR UPDATE` : Prisma.empty}`;
  return rows[0];
}

/** Writes the new resource and the membership delta; version moves on every change. */
export async function updateGroup(tx: Reader, id: string, cols: PromotedGroupColumns, resource: ScimJson, memberDelta: number): Promise<GroupRecord> {
  const rows = await tx.$queryRaw<GroupRecord[]>`
    UPDATE scim_groups g SET display_name = ${cols.displayName}, display_name_norm = ${cols.displayName.toLowerCase()},
      external_id = ${cols.externalId}, resource = ${JSON.stringify(resource)}::jsonb,
      member_count = g.member_count + ${memberDelta}, version = g.version + 1, updated_at = now()
    WHERE g.id = ${id}::uuid
    RETURNING ${GROUP_COLUMNS}`;
  return rows[0]!;
}

export async function deleteGroupRow(tx: Reader, id: string): Promise<void> {
  await tx.$queryRaw`DELETE FROM scim_groups WHERE id = ${id}::uuid`;
}

export async function listGroups(tx: Reader, directoryId: string, q: PageQuery): Promise<GroupRecord[]> {
  return tx.$queryRaw<GroupRecord[]>`
    SELECT ${GROUP_COLUMNS} FROM scim_groups g WHERE g.directory_id = ${directoryId}::uuid AND (${q.where})
    ORDER BY ${q.orderBy} LIMIT ${q.limit} OFFSET ${q.offset}`;
}

export async function countGroups(tx: Reader, directoryId: string, where: Prisma.Sql): Promise<number> {
  const rows = await tx.$queryRaw<{ n: number }[]>`
    SELECT count(*)::int AS n FROM scim_groups g WHERE g.directory_id = ${directoryId}::uuid AND (${where})`;
  return rows[0]?.n ?? 0;
}
