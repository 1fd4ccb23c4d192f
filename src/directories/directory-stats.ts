import type { Database } from "../db/database.js";
import { sql } from "../db/sql.js";
import { latestScimRequest } from "../request-log/request-log-store.js";
import { assertDirectoryExists } from "./directory-service.js";

// What a directory holds and when its IdP last talked to it (for the app's "sync health" view).

export interface DirectoryStats {
  users: { total: number; active: number; inactive: number };
  groups: number;
  memberships: number;
  lastScimRequest: {
    at: Date;
    method: string;
    path: string;
    status: number;
    outcome: "success" | "failure";
    scimType: string | null;
    detail: string | null;
  } | null;
}

export async function directoryStats(db: Database, directoryId: string): Promise<DirectoryStats> {
  await assertDirectoryExists(db, directoryId);
  const [counts] = await db.query<{ active: number; inactive: number; groups: number; memberships: number }>(sql`
    SELECT
      (SELECT count(*) FROM scim_users WHERE directory_id = ${directoryId}::uuid AND active)::int AS active,
      (SELECT count(*) FROM scim_users WHERE directory_id = ${directoryId}::uuid AND NOT active)::int AS inactive,
      (SELECT count(*) FROM scim_groups WHERE directory_id = ${directoryId}::uuid)::int AS groups,
      (SELECT count(*) FROM group_members WHERE directory_id = ${directoryId}::uuid)::int AS memberships`);
  const last = await latestScimRequest(db, directoryId);
  return {
    users: { total: counts!.active + counts!.inactive, active: counts!.active, inactive: counts!.inactive },
    groups: counts!.groups,
    memberships: counts!.memberships,
    lastScimRequest: last ? { ...last, outcome: last.status < 400 ? "success" : "failure" } : null,
  };
}
