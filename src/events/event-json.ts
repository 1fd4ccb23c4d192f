import { raw, type Sql, sql } from "../db/sql.js";
import type { EventType, PreviousAttributes } from "./event-writer.js";

// The one shape of an event, for the events API and webhook payloads alike.

export interface EventJson {
  id: string;
  type: EventType;
  directoryId: string;
  tenant: string | null;
  product: string | null;
  occurredAt: string;
  data: unknown;
  /** user.updated, user.deactivated, user.reactivated, group.updated: the changed app-facing fields, old values. */
  previousAttributes?: PreviousAttributes;
}

/** An events row joined with its directory's tenant/product (read at read time, not stored). */
export interface EventRow {
  id: string;
  type: string;
  directory_id: string;
  tenant: string | null;
  product: string | null;
  occurred_at: Date;
  data: unknown;
  previous_attributes: PreviousAttributes | null;
}

/** The select list for an EventRow, over `events e JOIN directories d`. */
export const EVENT_ROW_COLUMNS = raw(
  "e.id::text AS id, e.type, e.directory_id, d.tenant, d.product, e.occurred_at, e.data, e.previous_attributes",
);

export function toEventJson(row: EventRow): EventJson {
  return {
    id: row.id,
    type: row.type as EventType,
    directoryId: row.directory_id,
    tenant: row.tenant,
    product: row.product,
    occurredAt: row.occurred_at.toISOString(),
    data: row.data,
    ...(row.previous_attributes ? { previousAttributes: row.previous_attributes } : {}),
  };
}

/** A timestamptz column as event JSON carries it (Date#toISOString: UTC, milliseconds), for event data built in SQL. */
export function isoTimestampSql(column: Sql): Sql {
  return sql`to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
}
