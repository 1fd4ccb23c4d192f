import type { Database } from "../db/database.js";
import { assertDirectoryExists } from "../directories/directory-service.js";
import { findScimRequest, listScimRequests, type ScimRequestEntry, type StatusFilter } from "./request-log-store.js";

// The request log as the admin API reads it: where support looks when an admin says "Azure shows an error".

/** The admin API's `status` filter: an exact status ("401") or a class ("4xx"); null when it is neither. */
export function parseStatusFilter(value: string): StatusFilter | null {
  const m = /^([1-5])(xx|\d\d)$/i.exec(value);
  if (!m) return null;
  if (m[2]!.toLowerCase() === "xx") return { from: Number(m[1]) * 100, below: Number(m[1]) * 100 + 100 };
  return { exact: Number(value) };
}

/** A page of the directory's SCIM request log, newest first. Throws DirectoryNotFound. */
export async function directoryRequestLog(
  db: Database,
  directoryId: string,
  options: { beforeId?: string; status?: StatusFilter; authenticated?: boolean; limit: number },
): Promise<{ entries: ScimRequestEntry[]; hasMore: boolean }> {
  await assertDirectoryExists(db, directoryId);
  return listScimRequests(db, directoryId, options);
}

/** One logged request of the directory (what the log stored: bodies already redacted per SCIM_REQUEST_LOG_BODY); null when absent. */
export async function directoryRequest(
  db: Database,
  directoryId: string,
  requestId: string,
): Promise<(ScimRequestEntry & { authenticated: boolean }) | null> {
  await assertDirectoryExists(db, directoryId);
  if (!/^\d{1,18}$/.test(requestId)) return null;
  return (await findScimRequest(db, directoryId, requestId)) ?? null;
}
