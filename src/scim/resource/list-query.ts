import { type Sql, sql } from "../../db/sql.js";
import { parseScimFilter, scimFilterToSql, scimSortToSql } from "../filter/index.js";
import type { ScimResourceType } from "../schema/core-schemas.js";

// RFC 7644 §3.4.2.4 pagination: 1-based startIndex, count clamped, capped by the advertised maximum.

export const LIST_RESPONSE_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:ListResponse";

export interface Page {
  startIndex: number;
  count: number;
}

function toInt(value: unknown): number | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  const n = typeof value === "number" ? value : Number(value);
  return Number.isFinite(n) ? Math.trunc(n) : undefined;
}

/** Past any real result set; a larger startIndex would overflow SQL OFFSET (a 500) instead of an empty page. */
const MAX_START_INDEX = 2_147_483_647;

/** startIndex < 1 → 1, capped at MAX_START_INDEX; count < 0 → 0; absent or above maxResults → maxResults. */
export function clampPage(startIndex: unknown, count: unknown, maxResults: number): Page {
  const start = toInt(startIndex);
  const wanted = toInt(count);
  return {
    startIndex: start === undefined || start < 1 ? 1 : Math.min(start, MAX_START_INDEX),
    count: wanted === undefined ? maxResults : Math.min(Math.max(wanted, 0), maxResults),
  };
}

/**
 * totalResults without a count(*) when the page itself proves it: a short page that is not empty
 * (or the first page) ends the result set. Entra's equality lookups take this path.
 */
export function totalFromPage(page: Page, rowsOnPage: number): number | undefined {
  if (page.count > 0 && rowsOnPage < page.count && (rowsOnPage > 0 || page.startIndex === 1)) {
    return page.startIndex - 1 + rowsOnPage;
  }
  return undefined;
}

export function listResponse(totalResults: number, page: Page, resources: object[]) {
  return {
    schemas: [LIST_RESPONSE_SCHEMA],
    totalResults,
    startIndex: page.startIndex,
    itemsPerPage: resources.length,
    Resources: resources,
  };
}

export interface ListRequest {
  filter?: string;
  sortBy?: string;
  sortOrder?: string;
  startIndex?: unknown;
  count?: unknown;
}

export interface ListResult<T> {
  totalResults: number;
  page: Page;
  rows: T[];
}

/** The WHERE and ORDER BY of a list request, compiled before any query (bad filters fail first). */
export function listClauses(resourceType: ScimResourceType, req: ListRequest): { where: Sql; orderBy: Sql; filtered: boolean } {
  const filter = req.filter?.trim();
  const where = filter ? scimFilterToSql(resourceType, parseScimFilter(filter)) : sql`TRUE`;
  return { where, orderBy: scimSortToSql(resourceType, req.sortBy, req.sortOrder), filtered: Boolean(filter) };
}

/** One page of a list as a resource store runs it (WHERE and ORDER BY from listClauses). */
export interface PageQuery {
  where: Sql;
  orderBy: Sql;
  offset: number;
  limit: number;
}

/** A resource store's two list queries, scoped to one directory by the caller. */
export interface ListStore<T> {
  /**
   * One page. `withTotal` is asked for unfiltered lists: the store returns the directory's resource count
   * (a maintained counter) from the same statement, so no page counts the directory.
   */
  list(q: PageQuery, withTotal: boolean): Promise<{ rows: T[]; total?: number }>;
  count(where: Sql): Promise<number>;
}

/**
 * Runs a list request: clauses compiled first, then the page, one statement. A filtered list counts only
 * when the page cannot tell; deep startIndex pages stay O(offset) in SQL (the admin API's keyset cursor
 * is the way to read everything).
 */
export async function runListRequest<T>(
  resourceType: ScimResourceType,
  req: ListRequest,
  maxResults: number,
  store: ListStore<T>,
): Promise<ListResult<T>> {
  const { where, orderBy, filtered } = listClauses(resourceType, req);
  const page = clampPage(req.startIndex, req.count, maxResults);
  const query = { where, orderBy, offset: page.startIndex - 1, limit: page.count };
  if (page.count === 0 && filtered) return { totalResults: await store.count(where), page, rows: [] };
  const { rows, total } = await store.list(query, !filtered);
  const totalResults = total ?? totalFromPage(page, rows.length) ?? (await store.count(where));
  return { totalResults, page, rows };
}
