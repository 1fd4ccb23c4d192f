import type { Database } from "../db/database.js";
import { assertDirectoryExists } from "../directories/directory-service.js";
import { listScimRequests, type ScimRequestEntry, type StatusFilter } from "./request-log-store.js";

// The request log as the admin API reads it: where support looks when an admin says "Azure shows an error".

/** A page of the directory's SCIM request log, newest first. Throws DirectoryNotFound. */
export async function directoryRequestLog(
  db: Database,
  directoryId: string,
  options: { beforeId?: string; status?: StatusFilter; limit: number },
): Promise<{ entries: ScimRequestEntry[]; hasMore: boolean }> {
  await assertDirectoryExists(db, directoryId);
  return listScimRequests(db, directoryId, options);
}
