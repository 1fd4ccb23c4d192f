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
] as const;

export type EventType = (typeof EVENT_TYPES)[number];

export interface NewEvent {
  type: EventType;
  directoryId: string;
  data: unknown;
}

/**
 * The INSERT of `events` as one statement whose text does not depend on how many there are (one jsonb
 * parameter, unpacked in order), so it is prepared once. `when` (optional) is a condition over the
 * enclosing statement's CTEs: events are written only when the change happened (e.g. its UPDATE matched).
 */
export function insertEvents(events: readonly NewEvent[], when?: Sql): Sql {
  const rows = JSON.stringify(events.map((e) => ({ d: e.directoryId, t: e.type, j: e.data })));
  return sql`INSERT INTO events (directory_id, type, data)
    SELECT e.d, e.t, e.j FROM jsonb_to_recordset(${rows}::jsonb) AS e(d uuid, t text, j jsonb)${when ? sql` WHERE ${when}` : sql``}`;
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
}

/**
 * As insertEvents, for events about one group whose JSON (`groupJson`, an expression over the rows of
 * `group`, e.g. the CTE that wrote it) is built in SQL from the row written, instead of in Node and sent
 * as a parameter. Written only when `group` has its row.
 */
export function insertGroupEvents(group: Sql, groupJson: Sql, events: readonly GroupEvent[]): Sql {
  const rows = JSON.stringify(events.map((e) => ({ d: e.directoryId, t: e.type, u: e.user ?? null })));
  return sql`INSERT INTO events (directory_id, type, data)
    SELECT e.d, e.t, CASE WHEN e.u IS NULL THEN gj.j ELSE jsonb_build_object('group', gj.j, 'user', e.u) END
    FROM (SELECT ${groupJson} AS j FROM ${group}) gj,
      ROWS FROM (jsonb_to_recordset(${rows}::jsonb) AS (d uuid, t text, u jsonb)) WITH ORDINALITY AS e(d, t, u, n)
    ORDER BY e.n`;
}
