import type { SqlRunner } from "../db/database.js";
import { type Sql, sql } from "../db/sql.js";

// The outbox: every accepted change appends its events in the same statement or transaction as the
// change itself. This module owns the INSERT INTO events; the user and group stores embed it as a CTE
// (`insertEvents`) so a SCIM write is one statement and one round trip.

export const EVENT_TYPES = [
  "user.created",
  "user.updated",
  "user.deactivated",
  "user.reactivated",
  "user.deleted",
  "group.created",
  "group.updated",
  "group.deleted",
  "group.user_added",
  "group.user_removed",
  "user.roles_changed",
] as const;

export type EventType = (typeof EVENT_TYPES)[number];

/** The app-facing fields a change moved, with their old values (previous-attributes.ts); beside `data`. */
export type PreviousAttributes = Record<string, unknown>;

export interface NewEvent {
  type: EventType;
  directoryId: string;
  data: unknown;
  previousAttributes?: PreviousAttributes;
}

/** Merges into each event's data an object built in SQL from the row the statement wrote (`json`, over `relation`). */
export interface RowDataMerge {
  relation: Sql;
  json: Sql;
}

/**
 * The INSERT of `events` as one statement whose text does not depend on how many there are (one jsonb
 * parameter, unpacked in order), so it is prepared once. `when` (optional) is a condition over the
 * enclosing statement's CTEs: events are written only when the change happened (e.g. its UPDATE matched).
 */
export function insertEvents(events: readonly NewEvent[], when?: Sql, merge?: RowDataMerge): Sql {
  const rows = JSON.stringify(events.map((e) => ({ d: e.directoryId, t: e.type, j: e.data, p: e.previousAttributes ?? null })));
  const data = merge ? sql`e.j || r.m` : sql`e.j`;
  const from = merge ? sql`, (SELECT ${merge.json} AS m FROM ${merge.relation}) r` : sql``;
  return sql`INSERT INTO events (directory_id, type, data, previous_attributes)
    SELECT e.d, e.t, ${data}, e.p FROM jsonb_to_recordset(${rows}::jsonb) AS e(d uuid, t text, j jsonb, p jsonb)${from}${when ? sql` WHERE ${when}` : sql``}`;
}

/** Appends events on their own (one statement; inside the caller's transaction when given one). */
export async function appendEvents(db: SqlRunner, events: NewEvent[]): Promise<void> {
  if (events.length === 0) return;
  await db.execute(insertEvents(events));
}

/** An event about the group a statement writes: its data is the group's JSON, or {group, user} when `user` is given. */
export interface GroupEvent {
  type: EventType;
  directoryId: string;
  /** The app-facing user (toAppUser) of a membership event. */
  user?: unknown;
  previousAttributes?: PreviousAttributes;
}

/**
 * As insertEvents, for events about one group whose JSON (`groupJson`, an expression over the rows of
 * `group`, e.g. the CTE that wrote it) is built in SQL from the row written, instead of in Node and sent
 * as a parameter. Written only when `group` has its row.
 */
export function insertGroupEvents(group: Sql, groupJson: Sql, events: readonly GroupEvent[]): Sql {
  const rows = JSON.stringify(events.map((e) => ({ d: e.directoryId, t: e.type, u: e.user ?? null, p: e.previousAttributes ?? null })));
  return sql`INSERT INTO events (directory_id, type, data, previous_attributes)
    SELECT e.d, e.t, CASE WHEN e.u IS NULL THEN gj.j ELSE jsonb_build_object('group', gj.j, 'user', e.u) END, e.p
    FROM (SELECT ${groupJson} AS j FROM ${group}) gj,
      ROWS FROM (jsonb_to_recordset(${rows}::jsonb) AS (d uuid, t text, u jsonb, p jsonb)) WITH ORDINALITY AS e(d, t, u, p, n)
    ORDER BY e.n`;
}
