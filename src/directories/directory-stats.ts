import type { Database } from "../db/database.js";
import { sql } from "../db/sql.js";
import { countGroups } from "../groups/group-store.js";
import { countMemberships } from "../groups/membership-store.js";
import { latestScimRequest } from "../request-log/request-log-store.js";
import { countUsers } from "../users/user-store.js";
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
  // each table's count through its own store; the stats endpoint is not a hot path
  const [active, inactive, groups, memberships, last] = await Promise.all([
    countUsers(db, directoryId, sql`u.active`),
    countUsers(db, directoryId, sql`NOT u.active`),
    countGroups(db, directoryId, sql`TRUE`),
    countMemberships(db, directoryId),
    latestScimRequest(db, directoryId),
  ]);
  return {
    users: { total: active + inactive, active, inactive },
    groups,
    memberships,
    lastScimRequest: last ? { ...last, outcome: last.status < 400 ? "success" : "failure" } : null,
  };
}
