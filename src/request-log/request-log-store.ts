import type { SqlRunner } from "../db/database.js";
import { empty, raw, sql } from "../db/sql.js";
import { storableText } from "../db/storable-text.js";

// The scim_requests table (data plane): the per-directory SCIM request log. Rows arrive in batches from
// the request-log writer (one multi-row INSERT per batch, never a statement per request).

/** A row of scim_requests as the request-log writer inserts it. */
export interface ScimRequestRow {
  directoryId: string;
  at: Date;
  method: string;
  /** Path below the Tenant URL, e.g. /Users/123 */
  path: string;
  query: string | null;
  status: number;
  scimType: string | null;
  detail: string | null;
  durationMs: number;
  clientRequestId: string | null;
  body: string | null;
  /** The request carried a valid Secret Token: what the IdP did, as opposed to anyone who knows the Tenant URL. */
  authenticated: boolean;
}

type TextColumn = "method" | "path" | "query" | "scimType" | "detail" | "clientRequestId" | "body";

/**
 * Inserts a batch in ONE statement (unnest of column arrays: the text stays the same for any batch size,
 * so it is prepared once). Joining `directories` drops rows for a directory id that does not exist
 * (a caller probing random UUIDs) without a lookup per request. Every text value goes through storableText:
 * a NUL or lone surrogate sent by anyone would otherwise make Postgres refuse the whole batch.
 */
export async function insertScimRequests(db: SqlRunner, rows: readonly ScimRequestRow[]): Promise<void> {
  const column = <K extends Exclude<keyof ScimRequestRow, TextColumn>>(key: K) => rows.map((r) => r[key]);
  const text = (key: TextColumn) => rows.map((r) => (r[key] === null ? null : storableText(r[key])));
  await db.execute(sql`
    INSERT INTO scim_requests (directory_id, at, method, path, query, status, scim_type, detail, duration_ms, client_request_id, body, authenticated)
    SELECT v.directory_id, v.at, v.method, v.path, v.query, v.status, v.scim_type, v.detail, v.duration_ms, v.client_request_id, v.body,
           v.authenticated
      FROM unnest(${column("directoryId")}::uuid[], ${column("at")}::timestamptz[], ${text("method")}::text[], ${text("path")}::text[],
                  ${text("query")}::text[], ${column("status")}::int[], ${text("scimType")}::text[], ${text("detail")}::text[],
                  ${column("durationMs")}::float8[], ${text("clientRequestId")}::text[], ${text("body")}::text[],
                  ${column("authenticated")}::boolean[])
           WITH ORDINALITY AS v(directory_id, at, method, path, query, status, scim_type, detail, duration_ms, client_request_id, body,
                                authenticated, n)
      JOIN directories d ON d.id = v.directory_id
     ORDER BY v.n`);
}

/** A logged request as the admin API lists it: its directory is implied by the query. */
export type ScimRequestEntry = { id: string } & Omit<ScimRequestRow, "directoryId" | "authenticated">;

/** The last authenticated SCIM request of a directory, as its stats show it (what the IdP did, not anyone's noise). */
export type LatestScimRequest = Pick<ScimRequestRow, "at" | "method" | "path" | "status" | "scimType" | "detail">;

const SUMMARY_COLUMNS = raw(`at, method, path, status, scim_type AS "scimType", detail`);

export async function latestScimRequest(db: SqlRunner, directoryId: string): Promise<LatestScimRequest | null> {
  const rows = await db.query<LatestScimRequest>(
    sql`SELECT ${SUMMARY_COLUMNS} FROM scim_requests WHERE directory_id = ${directoryId}::uuid AND authenticated ORDER BY id DESC LIMIT 1`,
  );
  return rows[0] ?? null;
}

/** The newest authenticated requests of a directory that failed (status 400 and up), newest first. */
export async function recentFailedScimRequests(db: SqlRunner, directoryId: string, limit: number): Promise<LatestScimRequest[]> {
  return db.query<LatestScimRequest>(sql`
    SELECT ${SUMMARY_COLUMNS} FROM scim_requests
     WHERE directory_id = ${directoryId}::uuid AND authenticated AND status >= 400 ORDER BY id DESC LIMIT ${limit}`);
}

/** How many requests without a valid Secret Token a directory received in the last `hours` hours. */
export async function countUnauthenticatedScimRequests(db: SqlRunner, directoryId: string, hours: number): Promise<number> {
  const [row] = await db.query<{ n: number }>(sql`
    SELECT count(*)::int AS n FROM scim_requests
     WHERE directory_id = ${directoryId}::uuid AND NOT authenticated AND at > now() - make_interval(hours => ${hours}::int)`);
  return row!.n;
}

/**
 * "Test Connection" as Microsoft documents it: a GET on /Users or /Groups whose filter is
 * `userName eq "…"` or `displayName eq "…"`. Entra's matching queries during a sync look the same.
 */
const TEST_CONNECTION_SHAPE = raw(`authenticated AND method = 'GET' AND lower(path) IN ('/users', '/groups')
  AND query ~* '(^|&)filter=\\s*(username|displayname)\\s+eq\\s'`);

/** The latest authenticated request shaped like Test Connection, and whether any such request ever succeeded. */
export async function testConnectionRequests(
  db: SqlRunner,
  directoryId: string,
): Promise<{ last: LatestScimRequest | null; succeeded: boolean }> {
  const rows = await db.query<LatestScimRequest & { succeeded: boolean }>(sql`
    SELECT a.*, EXISTS (SELECT 1 FROM scim_requests
                         WHERE directory_id = ${directoryId}::uuid AND status BETWEEN 200 AND 299 AND ${TEST_CONNECTION_SHAPE}) AS succeeded
      FROM (SELECT 1) one
      LEFT JOIN LATERAL (SELECT ${SUMMARY_COLUMNS} FROM scim_requests
                          WHERE directory_id = ${directoryId}::uuid AND ${TEST_CONNECTION_SHAPE} ORDER BY id DESC LIMIT 1) a ON true`);
  const { succeeded, ...last } = rows[0]!;
  return { last: last.at ? last : null, succeeded };
}

const ENTRY_COLUMNS = raw(`id::text, at, method, path, query, status, scim_type AS "scimType", detail, duration_ms AS "durationMs",
           client_request_id AS "clientRequestId", body`);

/** One logged request of the directory, with whether it carried a valid Secret Token. */
export async function findScimRequest(
  db: SqlRunner,
  directoryId: string,
  id: string,
): Promise<(ScimRequestEntry & { authenticated: boolean }) | undefined> {
  const rows = await db.query<ScimRequestEntry & { authenticated: boolean }>(sql`
    SELECT ${ENTRY_COLUMNS}, authenticated FROM scim_requests WHERE directory_id = ${directoryId}::uuid AND id = ${id}::bigint`);
  return rows[0];
}

/** A directory's latest authenticated request and how many of its recent ones failed (directory list state). */
export interface ScimTrafficSummary {
  directoryId: string;
  last: Pick<ScimRequestRow, "at" | "method" | "path" | "status"> | null;
  /** Among the directory's last `recent.count` authenticated requests within `recent.hours` hours: those answered 4xx/5xx. */
  recentFailures: number;
  /**
   * Requests refused for want of a valid Secret Token within `recent.hours` hours and after the latest
   * authenticated one (0 when none ever authenticated): an IdP that synced is being refused now (its token
   * was revoked or expired).
   */
  refusedSinceLastAuthenticated: number;
}

/** The traffic summary of many directories in ONE query (a page of the directory list), in the order given. */
export async function scimTrafficSummaries(
  db: SqlRunner,
  directoryIds: readonly string[],
  recent: { count: number; hours: number },
): Promise<ScimTrafficSummary[]> {
  if (directoryIds.length === 0) return [];
  const rows = await db.query<{
    directoryId: string;
    at: Date | null;
    method: string;
    path: string;
    status: number;
    recentFailures: number;
    refused: number;
  }>(sql`
    SELECT d.id::text AS "directoryId", last.at, last.method, last.path, last.status, recent.failures AS "recentFailures",
           refused.n AS refused
      FROM unnest(${[...directoryIds]}::uuid[]) WITH ORDINALITY AS d(id, n)
      LEFT JOIN LATERAL (SELECT id, at, method, path, status FROM scim_requests
                          WHERE directory_id = d.id AND authenticated ORDER BY id DESC LIMIT 1) last ON true
      CROSS JOIN LATERAL (SELECT count(*) FILTER (WHERE r.status >= 400)::int AS failures
                            FROM (SELECT status FROM scim_requests
                                   WHERE directory_id = d.id AND authenticated AND at > now() - make_interval(hours => ${recent.hours}::int)
                                   ORDER BY id DESC LIMIT ${recent.count}) r) recent
      CROSS JOIN LATERAL (SELECT count(*)::int AS n FROM scim_requests
                           WHERE directory_id = d.id AND NOT authenticated AND id > last.id
                             AND at > now() - make_interval(hours => ${recent.hours}::int)) refused
     ORDER BY d.n`);
  return rows.map((r) => ({
    directoryId: r.directoryId,
    last: r.at ? { at: r.at, method: r.method, path: r.path, status: r.status } : null,
    recentFailures: r.recentFailures,
    refusedSinceLastAuthenticated: r.refused,
  }));
}

/** Authenticated requests of one hour, by outcome. */
export interface HourlyScimOutcomes {
  hour: Date;
  ok: number;
  clientErrors: number;
  serverErrors: number;
}

/**
 * A directory's authenticated requests per hour since `since` (hours without requests are absent), plus what
 * the log still holds of the directory (its oldest row and row count), so a caller can tell pruned from quiet.
 */
export async function hourlyScimOutcomes(
  db: SqlRunner,
  directoryId: string,
  since: Date,
): Promise<{ hours: HourlyScimOutcomes[]; oldestAt: Date | null; retainedRows: number }> {
  const [hours, [held]] = await Promise.all([
    db.query<HourlyScimOutcomes>(sql`
      SELECT date_trunc('hour', at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS hour,
             count(*) FILTER (WHERE status < 400)::int AS ok,
             count(*) FILTER (WHERE status >= 400 AND status < 500)::int AS "clientErrors",
             count(*) FILTER (WHERE status >= 500)::int AS "serverErrors"
        FROM scim_requests
       WHERE directory_id = ${directoryId}::uuid AND authenticated AND at >= ${since}
       GROUP BY 1 ORDER BY 1`),
    db.query<{ oldestAt: Date | null; retainedRows: number }>(sql`
      SELECT (SELECT at FROM scim_requests WHERE directory_id = ${directoryId}::uuid ORDER BY id LIMIT 1) AS "oldestAt",
             (SELECT count(*)::int FROM scim_requests WHERE directory_id = ${directoryId}::uuid) AS "retainedRows"`),
  ]);
  return { hours, oldestAt: held!.oldestAt, retainedRows: held!.retainedRows };
}

/** An exact status (401) or a class (4xx). */
export type StatusFilter = { exact: number } | { from: number; below: number };

/** Newest first; `beforeId` is the keyset position (the last id of the previous page). */
export async function listScimRequests(
  db: SqlRunner,
  directoryId: string,
  options: { beforeId?: string; status?: StatusFilter; authenticated?: boolean; limit: number },
): Promise<{ entries: ScimRequestEntry[]; hasMore: boolean }> {
  const status = options.status;
  // ORDER BY names the table's bigint id: a bare `id` would be the text output column (id::text) and sort "10" before "9"
  const rows = await db.query<ScimRequestEntry>(sql`
    SELECT ${ENTRY_COLUMNS}
      FROM scim_requests
     WHERE directory_id = ${directoryId}::uuid
       ${options.beforeId !== undefined ? sql`AND id < ${options.beforeId}::bigint` : empty}
       ${status === undefined ? empty : "exact" in status ? sql`AND status = ${status.exact}` : sql`AND status >= ${status.from} AND status < ${status.below}`}
       ${options.authenticated === undefined ? empty : sql`AND authenticated = ${options.authenticated}`}
     ORDER BY scim_requests.id DESC
     LIMIT ${options.limit + 1}`);
  return { entries: rows.slice(0, options.limit), hasMore: rows.length > options.limit };
}

const PRUNE_BATCH = 5000;

/** Deletes rows older than retentionDays, in bounded chunks so one run never holds a long lock. */
export async function pruneScimRequestsByAge(db: SqlRunner, retentionDays: number): Promise<number> {
  let total = 0;
  for (;;) {
    const deleted = await db.execute(sql`
      DELETE FROM scim_requests WHERE id IN (
        SELECT id FROM scim_requests WHERE at < now() - make_interval(days => ${retentionDays}::int) LIMIT ${PRUNE_BATCH})`);
    total += deleted;
    if (deleted < PRUNE_BATCH) return total;
  }
}

/** Keeps only the newest maxRows rows of each given directory. */
export async function pruneScimRequestsByCount(db: SqlRunner, directoryIds: string[], maxRows: number): Promise<number> {
  let total = 0;
  for (const directoryId of directoryIds) {
    total += await db.execute(sql`
      DELETE FROM scim_requests WHERE directory_id = ${directoryId}::uuid AND id <= (
        SELECT id FROM scim_requests WHERE directory_id = ${directoryId}::uuid ORDER BY id DESC OFFSET ${maxRows} LIMIT 1)`);
  }
  return total;
}
