import type { SqlRunner } from "../db/database.js";
import { empty, type Sql, sql } from "../db/sql.js";
import { adjustCounts, countOf } from "../directories/directory-counts-store.js";
import { insertEvents, type NewEvent } from "../events/event-writer.js";
import { userGroupsJson } from "../groups/membership-store.js";
import { countWarnings } from "../attributes/attribute-mapping-store.js";
import type { AppAttributes, MappingWarning } from "../scim/mapping/attribute-mapping.js";
import type { PageQuery } from "../scim/resource/list-query.js";
import type { PromotedUserColumns, ScimJson } from "../scim/resource/user-attributes.js";

// SQL for scim_users, and the one read model of a user row: every reader (SCIM mapping, admin API,
// events) takes a UserRecord. Each SCIM write is one statement: the row change, its events and the
// directory count together, so autocommit makes it one round trip.

export interface UserGroupRef {
  id: string;
  displayName: string;
}

/** A scim_users row: the promoted columns (userNameNorm is only indexed, never read back) and the resource. */
export interface UserRecord extends Omit<PromotedUserColumns, "userNameNorm"> {
  id: string;
  directoryId: string;
  resource: ScimJson;
  /** The declared app attributes as mapped at the last write (scim_users.attributes). */
  attributes: AppAttributes;
  version: number;
  createdAt: Date;
  updatedAt: Date;
  /** The user's groups, when the read asked for them (findUser with groups). */
  groups?: UserGroupRef[];
}

const USER_COLUMNS = sql`u.id, u.directory_id AS "directoryId", u.user_name AS "userName",
  u.external_id AS "externalId", u.active, u.display_name AS "displayName", u.given_name AS "givenName",
  u.family_name AS "familyName", u.email, u.resource, u.attributes, u.version, u.created_at AS "createdAt", u.updated_at AS "updatedAt"`;

/** A scalar subquery: the users matching `where` (over alias `u`) as a JSON array of rows (read back with usersFromJson). */
export function usersJson(where: Sql): Sql {
  return sql`(SELECT coalesce(json_agg(x), '[]'::json) FROM (SELECT ${USER_COLUMNS} FROM scim_users u WHERE ${where}) x)`;
}

/** Rows read through usersJson: JSON carries timestamps as text. */
export function usersFromJson(rows: unknown): UserRecord[] {
  return (rows as (UserRecord & { createdAt: string; updatedAt: string })[]).map((r) => ({
    ...r,
    createdAt: new Date(r.createdAt),
    updatedAt: new Date(r.updatedAt),
  }));
}

/** A new row as the service prepares it (id and timestamps chosen up front, so its events are known before the write). */
export interface NewUserRow extends PromotedUserColumns {
  id: string;
  directoryId: string;
  resource: ScimJson;
  attributes: AppAttributes;
  at: Date;
}

/** The mapped attributes of a write and the mapping warnings it met (counted in the same statement). */
export interface MappedWrite {
  attributes: AppAttributes;
  warnings: MappingWarning[];
}

/** The warnings CTE of a write, only when it met some (so the usual statement text stays as it was). */
function warningsCte(directoryId: string, warnings: readonly MappingWarning[], at: Date, when?: Sql): Sql {
  return warnings.length === 0 ? empty : sql`, warned AS (${countWarnings(directoryId, warnings, at, when)})`;
}

/** INSERT with its events and the directory count, one statement. A taken userName fails with a unique violation. */
export async function insertUser(db: SqlRunner, row: NewUserRow, events: NewEvent[], warnings: MappingWarning[] = []): Promise<UserRecord> {
  const rows = await db.query<UserRecord>(sql`
    WITH u AS (
      INSERT INTO scim_users AS u (id, directory_id, user_name, user_name_norm, external_id, active, display_name, given_name, family_name, email, resource, attributes, created_at, updated_at)
      VALUES (${row.id}::uuid, ${row.directoryId}::uuid, ${row.userName}, ${row.userNameNorm}, ${row.externalId}, ${row.active},
              ${row.displayName}, ${row.givenName}, ${row.familyName}, ${row.email}, ${JSON.stringify(row.resource)}::jsonb,
              ${JSON.stringify(row.attributes)}::jsonb, ${row.at}, ${row.at})
      RETURNING ${USER_COLUMNS}),
    counted AS (${adjustCounts(row.directoryId, { users: 1 })}),
    evented AS (${insertEvents(events)})${warningsCte(row.directoryId, warnings, row.at, sql`EXISTS (SELECT 1 FROM u)`)}
    SELECT * FROM u`);
  return rows[0]!;
}

/** One user of the directory; with `groups`, its groups come in the same statement. `lock` = FOR UPDATE (inside a transaction). */
export async function findUser(
  db: SqlRunner,
  directoryId: string,
  id: string,
  opts: { groups?: boolean; lock?: boolean } = {},
): Promise<UserRecord | undefined> {
  const groups = opts.groups ? sql`, ${userGroupsJson(sql`u.id`)} AS groups` : empty;
  const rows = await db.query<UserRecord>(sql`
    SELECT ${USER_COLUMNS}${groups} FROM scim_users u WHERE u.directory_id = ${directoryId}::uuid AND u.id = ${id}::uuid${opts.lock ? sql` FOR UPDATE` : empty}`);
  return rows[0];
}

/**
 * Writes the new state with its events if the row is still at `version` (optimistic: the caller read it
 * without a lock). undefined = someone else changed or deleted it first; the caller reads again.
 */
export async function updateUserIfVersion(
  db: SqlRunner,
  current: { id: string; directoryId: string; version: number },
  cols: PromotedUserColumns,
  resource: ScimJson,
  mapped: MappedWrite,
  at: Date,
  events: NewEvent[],
): Promise<UserRecord | undefined> {
  const rows = await db.query<UserRecord>(sql`
    WITH u AS (
      UPDATE scim_users u SET user_name = ${cols.userName}, user_name_norm = ${cols.userNameNorm}, external_id = ${cols.externalId},
        active = ${cols.active}, display_name = ${cols.displayName}, given_name = ${cols.givenName}, family_name = ${cols.familyName},
        email = ${cols.email}, resource = ${JSON.stringify(resource)}::jsonb, attributes = ${JSON.stringify(mapped.attributes)}::jsonb,
        version = u.version + 1, updated_at = ${at}
      WHERE u.id = ${current.id}::uuid AND u.directory_id = ${current.directoryId}::uuid AND u.version = ${current.version}::int
      RETURNING ${USER_COLUMNS}),
    evented AS (${insertEvents(events, sql`EXISTS (SELECT 1 FROM u)`)})${warningsCte(current.directoryId, mapped.warnings, at, sql`EXISTS (SELECT 1 FROM u)`)}
    SELECT * FROM u`);
  return rows[0];
}

/** Deletes the row (memberships already removed by the caller), counts it out of the directory and writes its events: one statement. */
export async function deleteUserRow(db: SqlRunner, directoryId: string, id: string, events: NewEvent[]): Promise<void> {
  await db.execute(sql`
    WITH u AS (DELETE FROM scim_users WHERE id = ${id}::uuid AND directory_id = ${directoryId}::uuid RETURNING id),
    counted AS (${adjustCounts(directoryId, { users: -1 }, sql`EXISTS (SELECT 1 FROM u)`)})
    ${insertEvents(events, sql`EXISTS (SELECT 1 FROM u)`)}`);
}

/** Users of the directory among `ids` (ids must already be UUID-shaped). */
export async function findUsersByIds(db: SqlRunner, directoryId: string, ids: string[]): Promise<UserRecord[]> {
  if (ids.length === 0) return [];
  return db.query<UserRecord>(sql`
    SELECT ${USER_COLUMNS} FROM scim_users u WHERE u.directory_id = ${directoryId}::uuid AND u.id = ANY(${ids}::uuid[])`);
}

/** A SCIM list page (offset paging); `withTotal` adds the directory's user count (unfiltered lists) to the same statement. */
export async function listUsers(
  db: SqlRunner,
  directoryId: string,
  q: PageQuery,
  withTotal = false,
): Promise<{ rows: UserRecord[]; total?: number }> {
  const page = sql`SELECT ${USER_COLUMNS} FROM scim_users u WHERE u.directory_id = ${directoryId}::uuid AND (${q.where})
    ORDER BY ${q.orderBy} LIMIT ${q.limit} OFFSET ${q.offset}`;
  if (!withTotal) return { rows: await db.query<UserRecord>(page) };
  // the count rides along as a row even when the page is empty (LEFT JOIN LATERAL … ON true)
  const rows = await db.query<UserRecord & { total: number }>(sql`
    SELECT p.*, t.total FROM (SELECT ${countOf(directoryId, "users")} AS total) t LEFT JOIN LATERAL (${page}) p ON true`);
  const total = rows[0]?.total ?? 0;
  return { rows: rows.filter((r) => r.id !== null).map(({ total: _, ...r }) => r as UserRecord), total };
}

export async function countUsers(db: SqlRunner, directoryId: string, where: Sql): Promise<number> {
  const rows = await db.query<{ n: number }>(sql`
    SELECT count(*)::int AS n FROM scim_users u WHERE u.directory_id = ${directoryId}::uuid AND (${where})`);
  return rows[0]?.n ?? 0;
}

export interface UserKeysetQuery {
  /** Extra conditions over `u` (filter, active, group membership), already compiled. */
  where: Sql;
  after?: { createdAt: Date; id: string };
  limit: number;
}

/** Keyset page ordered by (created_at, id): rows inserted while a client pages land after those returned. */
export async function listUsersAfter(db: SqlRunner, directoryId: string, q: UserKeysetQuery): Promise<UserRecord[]> {
  const position = q.after ? sql`AND (u.created_at, u.id) > (${q.after.createdAt}::timestamptz, ${q.after.id}::uuid)` : empty;
  return db.query<UserRecord>(sql`
    SELECT ${USER_COLUMNS} FROM scim_users u
    WHERE u.directory_id = ${directoryId}::uuid AND (${q.where}) ${position}
    ORDER BY u.created_at, u.id
    LIMIT ${q.limit}`);
}

/**
 * As listUsersAfter, but the rows end once the stored resources before a row reach `maxBytes`: every row
 * that starts within the budget, then one more (so the caller knows the page was cut). The running sum is
 * a streaming window over the keyset order, so Postgres reads no further than the rows returned.
 */
export async function listUsersAfterWithin(
  db: SqlRunner,
  directoryId: string,
  q: UserKeysetQuery & { maxBytes: number },
): Promise<(UserRecord & { bytesBefore: number })[]> {
  const position = q.after ? sql`AND (u.created_at, u.id) > (${q.after.createdAt}::timestamptz, ${q.after.id}::uuid)` : empty;
  const rows = await db.query<UserRecord & { bytesBefore: string; bytesBeforePrevious: string }>(sql`
    SELECT * FROM (
      SELECT ${USER_COLUMNS},
        sum(octet_length(u.resource::text)) OVER w - octet_length(u.resource::text) AS "bytesBefore",
        sum(octet_length(u.resource::text)) OVER w - octet_length(u.resource::text)
          - coalesce(lag(octet_length(u.resource::text)) OVER w, 0) AS "bytesBeforePrevious"
      FROM scim_users u
      WHERE u.directory_id = ${directoryId}::uuid AND (${q.where}) ${position}
      WINDOW w AS (ORDER BY u.created_at, u.id ROWS UNBOUNDED PRECEDING)
      ORDER BY u.created_at, u.id
      LIMIT ${q.limit}) s
    WHERE s."bytesBeforePrevious" < ${q.maxBytes}::bigint`);
  return rows.map(({ bytesBefore, bytesBeforePrevious: _, ...r }) => ({ ...r, bytesBefore: Number(bytesBefore) }));
}

/** A group's members ordered by user id (the group_members primary key), so 100k-member groups page cheaply. */
export async function listGroupMembers(db: SqlRunner, groupId: string, q: { limit: number; afterUserId?: string }): Promise<UserRecord[]> {
  // u.id > too: Postgres does not carry the range across the join, and its merge join would otherwise
  // read scim_users from the first id up to the cursor (O(position); bench/README.md)
  const position = q.afterUserId ? sql`AND gm.user_id > ${q.afterUserId}::uuid AND u.id > ${q.afterUserId}::uuid` : empty;
  return db.query<UserRecord>(sql`
    SELECT ${USER_COLUMNS} FROM group_members gm JOIN scim_users u ON u.id = gm.user_id
    WHERE gm.group_id = ${groupId}::uuid ${position}
    ORDER BY gm.user_id
    LIMIT ${q.limit}`);
}

/** The next keyset batch of a directory's users, row-locked (inside a transaction): the remap job's read. */
export async function lockUsersAfter(
  db: SqlRunner,
  directoryId: string,
  after: { createdAt: Date; id: string } | undefined,
  limit: number,
): Promise<UserRecord[]> {
  const position = after ? sql`AND (u.created_at, u.id) > (${after.createdAt}::timestamptz, ${after.id}::uuid)` : empty;
  return db.query<UserRecord>(sql`
    SELECT ${USER_COLUMNS} FROM scim_users u
    WHERE u.directory_id = ${directoryId}::uuid ${position}
    ORDER BY u.created_at, u.id
    LIMIT ${limit}
    FOR UPDATE`);
}

/** New `attributes` for some users of a directory, with their events and the warnings met: one statement. */
export function setUserAttributes(directoryId: string, rows: readonly { id: string; attributes: unknown }[]): Sql {
  const values = JSON.stringify(rows.map((r) => ({ id: r.id, a: r.attributes })));
  return sql`UPDATE scim_users u SET attributes = x.a FROM jsonb_to_recordset(${values}::jsonb) AS x(id uuid, a jsonb)
    WHERE u.id = x.id AND u.directory_id = ${directoryId}::uuid`;
}

/** Up to `limit` stored resources of a directory, newest first (the bounded sample of seen SCIM paths), and its user count. */
export async function sampleUserResources(
  db: SqlRunner,
  directoryId: string,
  limit: number,
): Promise<{ resources: ScimJson[]; total: number }> {
  const rows = await db.query<{ resources: ScimJson[]; total: number }>(sql`
    SELECT ${countOf(directoryId, "users")} AS total, (SELECT coalesce(json_agg(s.resource), '[]'::json) FROM (
      SELECT u.resource FROM scim_users u WHERE u.directory_id = ${directoryId}::uuid
      ORDER BY u.created_at DESC, u.id DESC LIMIT ${limit}) s) AS resources`);
  return rows[0] ?? { resources: [], total: 0 };
}
