import type { SqlRunner } from "../db/database.js";
import { empty, raw, type Sql, sql } from "../db/sql.js";
import { adjustCounts, countOf } from "../directories/directory-counts-store.js";
import { insertEvents, type NewEvent } from "../events/event-writer.js";
import { userGroupsJson } from "../groups/membership-store.js";
import type { PageQuery } from "../scim/resource/list-query.js";
import { ENTERPRISE_USER_SCHEMA } from "../scim/schema/core-schemas.js";
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
  version: number;
  createdAt: Date;
  updatedAt: Date;
  /** The user's groups, when the read asked for them (findUser with groups). */
  groups?: UserGroupRef[];
}

const USER_COLUMNS = sql`u.id, u.directory_id AS "directoryId", u.user_name AS "userName",
  u.external_id AS "externalId", u.active, u.display_name AS "displayName", u.given_name AS "givenName",
  u.family_name AS "familyName", u.email, u.resource, u.version, u.created_at AS "createdAt", u.updated_at AS "updatedAt"`;

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
  at: Date;
}

/** INSERT with its events and the directory count, one statement. A taken userName fails with a unique violation. */
export async function insertUser(db: SqlRunner, row: NewUserRow, events: NewEvent[]): Promise<UserRecord> {
  const rows = await db.query<UserRecord>(sql`
    WITH u AS (
      INSERT INTO scim_users AS u (id, directory_id, user_name, user_name_norm, external_id, active, display_name, given_name, family_name, email, resource, created_at, updated_at)
      VALUES (${row.id}::uuid, ${row.directoryId}::uuid, ${row.userName}, ${row.userNameNorm}, ${row.externalId}, ${row.active},
              ${row.displayName}, ${row.givenName}, ${row.familyName}, ${row.email}, ${JSON.stringify(row.resource)}::jsonb, ${row.at}, ${row.at})
      RETURNING ${USER_COLUMNS}),
    counted AS (${adjustCounts(row.directoryId, { users: 1 })}),
    evented AS (${insertEvents(events)})
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
  at: Date,
  events: NewEvent[],
): Promise<UserRecord | undefined> {
  const rows = await db.query<UserRecord>(sql`
    WITH u AS (
      UPDATE scim_users u SET user_name = ${cols.userName}, user_name_norm = ${cols.userNameNorm}, external_id = ${cols.externalId},
        active = ${cols.active}, display_name = ${cols.displayName}, given_name = ${cols.givenName}, family_name = ${cols.familyName},
        email = ${cols.email}, resource = ${JSON.stringify(resource)}::jsonb, version = u.version + 1, updated_at = ${at}
      WHERE u.id = ${current.id}::uuid AND u.directory_id = ${current.directoryId}::uuid AND u.version = ${current.version}::int
      RETURNING ${USER_COLUMNS}),
    evented AS (${insertEvents(events, sql`EXISTS (SELECT 1 FROM u)`)})
    SELECT * FROM u`);
  return rows[0];
}

// The app-facing user (app-user.ts, toAppUser) built in SQL, for writes that know no more than the row:
// the same keys and values, read from the resource with the same caseless rules. Exact only for resources
// whose text is ASCII (JavaScript's toLowerCase and Postgres' lower() agree there) and whose email `type`s
// are strings: the statements using it check both (ASCII_RESOURCE, PLAIN_EMAIL_TYPES) and write nothing
// otherwise, so the caller takes the path that builds the event in Node.

/** getCaseless(obj, key) of user-attributes.ts: the exact key, else the first key (in stored order) equal in any case. */
function caseless(obj: string, key: string): string {
  return `(CASE WHEN jsonb_typeof(${obj}) = 'object' THEN coalesce(${obj} -> '${key}',
    (SELECT c.value FROM jsonb_each(${obj}) c WHERE lower(c.key COLLATE "C") = '${key.toLowerCase()}' LIMIT 1)) END)`;
}

/** str() of user-attributes.ts: a non-empty JSON string as text, else NULL. */
function nonEmptyText(json: string): string {
  return `(CASE WHEN jsonb_typeof(${json}) = 'string' AND ${json} #>> '{}' <> '' THEN ${json} #>> '{}' END)`;
}

const iso = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/** The emails a resource holds (caseless), as a JSON array; any other value reads as no emails. */
const EMAILS = `(CASE WHEN jsonb_typeof(${caseless("r.resource", "emails")}) = 'array' THEN ${caseless("r.resource", "emails")} ELSE '[]'::jsonb END)`;

/** pickEmail: the work email, else the primary one, else the first with a value (original case). */
const EMAIL = `(SELECT ${nonEmptyText(caseless("x.e", "value"))} FROM jsonb_array_elements(${EMAILS}) WITH ORDINALITY x(e, n)
  WHERE jsonb_typeof(x.e) = 'object' AND ${nonEmptyText(caseless("x.e", "value"))} IS NOT NULL
  ORDER BY CASE WHEN lower(coalesce(${caseless("x.e", "type")} #>> '{}', '') COLLATE "C") = 'work' THEN 0
    WHEN ${caseless("x.e", "primary")} = 'true'::jsonb
      OR (jsonb_typeof(${caseless("x.e", "primary")}) = 'string' AND lower(${caseless("x.e", "primary")} #>> '{}' COLLATE "C") = 'true') THEN 1
    ELSE 2 END, x.n
  LIMIT 1)`;

/** enterpriseOf: the first top-level key equal to the enterprise URN in any case whose value is an object. */
const ENTERPRISE = `(SELECT c.value FROM jsonb_each(r.resource) c
  WHERE lower(c.key COLLATE "C") = '${ENTERPRISE_USER_SCHEMA.toLowerCase()}' AND jsonb_typeof(c.value) = 'object' LIMIT 1)`;

/** The resource is ASCII text: lower() then agrees with JavaScript's toLowerCase on every key and value. */
const ASCII_RESOURCE = (resource: string) => `${resource}::text ~ '^[ -~]*$'`;

/** Every email's `type` is absent, null or a string (String() of anything else would not be `#>>`). */
const PLAIN_EMAIL_TYPES = `NOT EXISTS (SELECT 1 FROM jsonb_array_elements(${EMAILS}) x(e)
  WHERE jsonb_typeof(x.e) = 'object' AND coalesce(jsonb_typeof(${caseless("x.e", "type")}), 'null') NOT IN ('null', 'string'))`;

/**
 * toAppUser of the rows of relation `r` (a CTE that RETURNING USER_COLUMNS wrote: its camelCase names), as a
 * jsonb expression; for FROM r, LATERAL (SELECT <ENTERPRISE> AS ent) d.
 */
const APP_USER_JSON = `jsonb_build_object('id', r.id, 'directoryId', r."directoryId", 'externalId', r."externalId",
  'userName', r."userName", 'email', ${EMAIL}, 'givenName', r."givenName", 'familyName', r."familyName",
  'displayName', r."displayName", 'active', r.active, 'title', ${nonEmptyText(caseless("r.resource", "title"))},
  'department', ${nonEmptyText(caseless("d.ent", "department"))},
  'manager', (SELECT CASE WHEN id IS NOT NULL THEN jsonb_build_object('id', id) END FROM (SELECT CASE jsonb_typeof(m.m)
      WHEN 'string' THEN ${nonEmptyText("m.m")} WHEN 'object' THEN ${nonEmptyText(caseless("m.m", "value"))} END AS id
    FROM (SELECT ${caseless("d.ent", "manager")} AS m) m) mid),
  'customAttributes', (SELECT coalesce(jsonb_object_agg(c.key, c.value), '{}'::jsonb) FROM jsonb_each(r.resource) c
    WHERE lower(c.key COLLATE "C") LIKE 'urn:%' AND jsonb_typeof(c.value) = 'object'),
  'raw', r.resource, 'createdAt', ${iso(`r."createdAt"`)}, 'updatedAt', ${iso(`r."updatedAt"`)})`;

/**
 * PATCH `replace active` (Entra's disable/enable, the commonest PATCH) as one statement: `active` and the
 * resource's `active` key set, the version moved, and the user.deactivated / user.reactivated event built
 * in SQL from the written row. Writes only when it is a real change of the column and the resource is one
 * this statement reproduces exactly (see APP_USER_JSON; no other-case `active` key, no password key, size
 * within `maxBytes` with room for the new value); otherwise undefined, and the caller takes the general
 * path (read, patch in Node, version-checked write), which also answers 404, no-ops and If-Match.
 */
export async function setUserActive(
  db: SqlRunner,
  w: { directoryId: string; id: string; active: boolean; at: Date; maxBytes?: number },
): Promise<UserRecord | undefined> {
  const rows = await db.query<UserRecord>(sql`
    WITH r AS (
      UPDATE scim_users u SET active = ${w.active}::boolean, resource = jsonb_set(u.resource, '{active}', to_jsonb(${w.active}::boolean)),
        version = u.version + 1, updated_at = ${w.at}
      WHERE u.id = ${w.id}::uuid AND u.directory_id = ${w.directoryId}::uuid AND u.active = NOT ${w.active}::boolean
        AND NOT EXISTS (SELECT 1 FROM jsonb_object_keys(u.resource) k
          WHERE lower(k COLLATE "C") IN ('active', 'password') AND k <> 'active')
        AND (${w.maxBytes ?? null}::int IS NULL OR octet_length(u.resource::text) + 16 <= ${w.maxBytes ?? null}::int)
        AND ${raw(ASCII_RESOURCE("u.resource"))}
        AND ${raw(PLAIN_EMAIL_TYPES.replaceAll("r.resource", "u.resource"))}
      RETURNING ${USER_COLUMNS}),
    evented AS (
      INSERT INTO events (directory_id, type, data)
      SELECT r."directoryId", CASE WHEN r.active THEN 'user.reactivated' ELSE 'user.deactivated' END, ${raw(APP_USER_JSON)}
      FROM r, LATERAL (SELECT ${raw(ENTERPRISE)} AS ent) d)
    SELECT * FROM r`);
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
