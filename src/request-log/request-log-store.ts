import type pg from "pg";
import type { Database } from "../db/database.js";

// Reads of the per-directory SCIM request log (scim_requests). Writes are batched by the request-log writer.

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
}

/** A logged request as the admin API lists it: its directory is implied by the query. */
export type ScimRequestEntry = { id: bigint } & Omit<ScimRequestRow, "directoryId">;

/** The last SCIM request of a directory, as its stats show it. */
export type LatestScimRequest = Pick<ScimRequestRow, "at" | "method" | "path" | "status" | "scimType" | "detail">;

export async function latestScimRequest(prisma: Database["prisma"], directoryId: string): Promise<LatestScimRequest | null> {
  return prisma.scimRequest.findFirst({
    where: { directoryId },
    orderBy: { id: "desc" },
    select: { at: true, method: true, path: true, status: true, scimType: true, detail: true },
  });
}

/** An exact status (401) or a class (4xx). */
export type StatusFilter = { exact: number } | { from: number; below: number };

export function parseStatusFilter(value: string): StatusFilter | null {
  const m = /^([1-5])(xx|\d\d)$/i.exec(value);
  if (!m) return null;
  if (m[2]!.toLowerCase() === "xx") return { from: Number(m[1]) * 100, below: Number(m[1]) * 100 + 100 };
  return { exact: Number(value) };
}

/** Newest first; `beforeId` is the keyset position (the last id of the previous page). */
export async function listScimRequests(
  prisma: Database["prisma"],
  directoryId: string,
  options: { beforeId?: bigint; status?: StatusFilter; limit: number },
): Promise<{ entries: ScimRequestEntry[]; hasMore: boolean }> {
  const status = options.status
    ? "exact" in options.status
      ? options.status.exact
      : { gte: options.status.from, lt: options.status.below }
    : undefined;
  const rows = await prisma.scimRequest.findMany({
    where: { directoryId, ...(options.beforeId !== undefined ? { id: { lt: options.beforeId } } : {}), ...(status !== undefined ? { status } : {}) },
    orderBy: { id: "desc" },
    take: options.limit + 1,
    omit: { directoryId: true },
  });
  return { entries: rows.slice(0, options.limit), hasMore: rows.length > options.limit };
}

/** Deletes rows older than retentionDays, in bounded chunks so one run never holds a long lock. */
export async function pruneScimRequestsByAge(pool: pg.Pool, retentionDays: number): Promise<number> {
  let total = 0;
  for (;;) {
    const r = await pool.query(
      `DELETE FROM scim_requests WHERE id IN (
         SELECT id FROM scim_requests WHERE at < now() - make_interval(days => $1) LIMIT 5000)`,
      [retentionDays],
    );
    total += r.rowCount ?? 0;
    if ((r.rowCount ?? 0) < 5000) return total;
  }
}

/** Keeps only the newest maxRows rows of each given directory. */
export async function pruneScimRequestsByCount(pool: pg.Pool, directoryIds: string[], maxRows: number): Promise<number> {
  let total = 0;
  for (const directoryId of directoryIds) {
    const r = await pool.query(
      `DELETE FROM scim_requests WHERE directory_id = $1 AND id <= (
         SELECT id FROM scim_requests WHERE directory_id = $1 ORDER BY id DESC OFFSET $2 LIMIT 1)`,
      [directoryId, maxRows],
    );
    total += r.rowCount ?? 0;
  }
  return total;
}
