import type { SqlRunner } from "../db/database.js";
import { empty, type Sql, sql } from "../db/sql.js";
import { adjustCounts, countOf } from "../directories/directory-counts-store.js";
import { isoTimestampSql } from "../events/event-json.js";
import { type GroupEvent, insertEvents, insertGroupEvents, type NewEvent } from "../events/event-writer.js";
import type { PageQuery } from "../scim/resource/list-query.js";
import { hasRoleMappingSql } from "../roles/computed-roles.js";
import type { ScimJson } from "../scim/resource/user-attributes.js";
import { usersFromJson, usersJson, type UserRecord } from "../users/user-store.js";
import { deleteMembers, insertMembers } from "./membership-store.js";

// SQL for scim_groups, and the one read model of a group row. Each SCIM write is one statement: the
// group row, its membership rows, its events and the directory count together.

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

export const GROUP_COLUMNS = sql`g.id, g.directory_id AS "directoryId", g.display_name AS "displayName",
  g.external_id AS "externalId", g.resource, g.member_count AS "memberCount", g.version,
  g.created_at AS "createdAt", g.updated_at AS "updatedAt"`;

/** toAppGroup (app-group.ts) of a row of relation `g` that RETURNING GROUP_COLUMNS wrote, built in SQL for its events. */
const APP_GROUP_JSON = sql`jsonb_build_object('id', g.id, 'directoryId', g."directoryId", 'externalId', g."externalId",
  'displayName', g."displayName", 'memberCount', g."memberCount", 'raw', g.resource,
  'createdAt', ${isoTimestampSql(sql`g."createdAt"`)}, 'updatedAt', ${isoTimestampSql(sql`g."updatedAt"`)})`;

export interface NewGroupRow extends PromotedGroupColumns {
  id: string;
  directoryId: string;
  resource: ScimJson;
  at: Date;
}

/**
 * INSERT with its members (users already checked), its events and the directory count: one statement. The
 * events' group JSON is built from the row inserted (insertGroupEvents).
 */
export async function insertGroup(db: SqlRunner, row: NewGroupRow, memberIds: string[], events: GroupEvent[]): Promise<GroupRecord> {
  const rows = await db.query<GroupRecord>(sql`
    WITH g AS (
      INSERT INTO scim_groups AS g (id, directory_id, display_name, display_name_norm, external_id, resource, member_count, created_at, updated_at)
      VALUES (${row.id}::uuid, ${row.directoryId}::uuid, ${row.displayName}, ${row.displayName.toLowerCase()}, ${row.externalId},
              ${JSON.stringify(row.resource)}::jsonb, ${memberIds.length}::int, ${row.at}, ${row.at})
      RETURNING ${GROUP_COLUMNS}),
    added AS (${insertMembers(row.directoryId, sql`g`, memberIds)}),
    counted AS (${adjustCounts(row.directoryId, { groups: 1 })}),
    evented AS (${insertGroupEvents(sql`g`, APP_GROUP_JSON, events)})
    SELECT * FROM g`);
  return rows[0]!;
}

export async function findGroup(db: SqlRunner, directoryId: string, id: string, lock = false): Promise<GroupRecord | undefined> {
  const rows = await db.query<GroupRecord>(sql`
    SELECT ${GROUP_COLUMNS} FROM scim_groups g WHERE g.directory_id = ${directoryId}::uuid AND g.id = ${id}::uuid${lock ? sql` FOR UPDATE` : empty}`);
  return rows[0];
}

/** The directory's users among `userIds` (UUID-shaped), and whether it maps groups to roles: what a group create with members reads, in one statement. */
export async function findNewMembers(
  db: SqlRunner,
  directoryId: string,
  userIds: string[],
): Promise<{ users: UserRecord[]; hasRoleMapping: boolean }> {
  const rows = await db.query<{ users: unknown; hasRoleMapping: boolean }>(sql`
    SELECT ${usersJson(sql`u.directory_id = ${directoryId}::uuid AND u.id = ANY(${userIds}::uuid[])`)} AS users,
      ${hasRoleMappingSql(sql`${directoryId}::uuid`)} AS "hasRoleMapping"`);
  return { users: usersFromJson(rows[0]!.users), hasRoleMapping: rows[0]!.hasRoleMapping };
}

export interface GroupForChange {
  group: GroupRecord;
  /** Which of the named users are members. */
  memberIds: string[];
  /** The named users that exist in the directory. */
  users: UserRecord[];
  /** The directory maps groups to roles: a membership change then recomputes roles (src/roles). */
  hasRoleMapping: boolean;
}

/**
 * The group with what a member change needs to know about the users it names (UUID-shaped ids), in one
 * statement: so a PATCH adding or removing members reads once and writes once. `lock` = FOR UPDATE.
 */
export async function findGroupForChange(
  db: SqlRunner,
  directoryId: string,
  id: string,
  userIds: string[],
  lock: boolean,
): Promise<GroupForChange | undefined> {
  const rows = await db.query<GroupRecord & { memberIds: string[]; users: unknown; hasRoleMapping: boolean }>(sql`
    SELECT ${GROUP_COLUMNS},
      ARRAY(SELECT m.user_id::text FROM group_members m WHERE m.group_id = g.id AND m.user_id = ANY(${userIds}::uuid[])) AS "memberIds",
      ${usersJson(sql`u.directory_id = g.directory_id AND u.id = ANY(${userIds}::uuid[])`)} AS users,
      ${hasRoleMappingSql(sql`g.directory_id`)} AS "hasRoleMapping"
    FROM scim_groups g WHERE g.directory_id = ${directoryId}::uuid AND g.id = ${id}::uuid${lock ? sql` FOR UPDATE` : empty}`);
  const row = rows[0];
  if (!row) return undefined;
  const { memberIds, users, hasRoleMapping, ...group } = row;
  return { group, memberIds, users: usersFromJson(users), hasRoleMapping };
}

export interface GroupWrite {
  cols: PromotedGroupColumns;
  resource: ScimJson;
  /** Users to add (checked to be in the directory, not yet members) and members to remove. */
  add: string[];
  remove: string[];
  at: Date;
  /** Its events; their group JSON is built from the row written. */
  events: GroupEvent[];
}

/**
 * Writes the new state, the membership delta and the events if the group is still at `version`
 * (every membership change moves the version, so the delta computed from that version is exact).
 * undefined = someone else changed or deleted it first; the caller reads again.
 */
export async function updateGroupIfVersion(
  db: SqlRunner,
  current: { id: string; directoryId: string; version: number },
  w: GroupWrite,
): Promise<GroupRecord | undefined> {
  const rows = await db.query<GroupRecord>(sql`
    WITH g AS (
      UPDATE scim_groups g SET display_name = ${w.cols.displayName}, display_name_norm = ${w.cols.displayName.toLowerCase()},
        external_id = ${w.cols.externalId}, resource = ${JSON.stringify(w.resource)}::jsonb,
        member_count = g.member_count + ${w.add.length - w.remove.length}::int, version = g.version + 1, updated_at = ${w.at}
      WHERE g.id = ${current.id}::uuid AND g.directory_id = ${current.directoryId}::uuid AND g.version = ${current.version}::int
      RETURNING ${GROUP_COLUMNS}),
    added AS (${insertMembers(current.directoryId, sql`g`, w.add)}),
    removed AS (${deleteMembers(sql`g`, w.remove)}),
    evented AS (${insertGroupEvents(sql`g`, APP_GROUP_JSON, w.events)})
    SELECT * FROM g`);
  return rows[0];
}

/** Deletes the group (memberships go with it, FK cascade) with its event if still at `version`; false = changed or gone. */
export async function deleteGroupIfVersion(
  db: SqlRunner,
  current: { id: string; directoryId: string; version: number },
  events: NewEvent[],
): Promise<boolean> {
  const rows = await db.query<{ id: string }>(sql`
    WITH g AS (DELETE FROM scim_groups WHERE id = ${current.id}::uuid AND directory_id = ${current.directoryId}::uuid AND version = ${current.version}::int RETURNING id),
    counted AS (${adjustCounts(current.directoryId, { groups: -1 }, sql`EXISTS (SELECT 1 FROM g)`)}),
    evented AS (${insertEvents(events, sql`EXISTS (SELECT 1 FROM g)`)})
    SELECT id FROM g`);
  return rows.length > 0;
}

/** A SCIM list page (offset paging); `withTotal` adds the directory's group count (unfiltered lists) to the same statement. */
export async function listGroups(
  db: SqlRunner,
  directoryId: string,
  q: PageQuery,
  withTotal = false,
): Promise<{ rows: GroupRecord[]; total?: number }> {
  const page = sql`SELECT ${GROUP_COLUMNS} FROM scim_groups g WHERE g.directory_id = ${directoryId}::uuid AND (${q.where})
    ORDER BY ${q.orderBy} LIMIT ${q.limit} OFFSET ${q.offset}`;
  if (!withTotal) return { rows: await db.query<GroupRecord>(page) };
  const rows = await db.query<GroupRecord & { total: number }>(sql`
    SELECT p.*, t.total FROM (SELECT ${countOf(directoryId, "groups")} AS total) t LEFT JOIN LATERAL (${page}) p ON true`);
  const total = rows[0]?.total ?? 0;
  return { rows: rows.filter((r) => r.id !== null).map(({ total: _, ...r }) => r as GroupRecord), total };
}

export async function countGroups(db: SqlRunner, directoryId: string, where: Sql): Promise<number> {
  const rows = await db.query<{ n: number }>(sql`
    SELECT count(*)::int AS n FROM scim_groups g WHERE g.directory_id = ${directoryId}::uuid AND (${where})`);
  return rows[0]?.n ?? 0;
}

/** Keyset page ordered by (created_at, id), for the admin API. */
export async function listGroupsAfter(
  db: SqlRunner,
  directoryId: string,
  q: { where: Sql; after?: { createdAt: Date; id: string }; limit: number },
): Promise<GroupRecord[]> {
  const position = q.after ? sql`AND (g.created_at, g.id) > (${q.after.createdAt}::timestamptz, ${q.after.id}::uuid)` : empty;
  return db.query<GroupRecord>(sql`
    SELECT ${GROUP_COLUMNS} FROM scim_groups g
    WHERE g.directory_id = ${directoryId}::uuid AND (${q.where}) ${position}
    ORDER BY g.created_at, g.id
    LIMIT ${q.limit}`);
}
