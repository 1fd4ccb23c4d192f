import type { Database } from "../db/database.js";
import { directoryStats } from "../directories/directory-stats.js";
import { countUnauthenticatedScimRequests, recentFailedScimRequests, testConnectionRequests } from "./request-log-store.js";

// What the setup page's status panel shows: is the IdP reaching us, did Test Connection work,
// how much has been synced, and what went wrong lately (with the SCIM error detail the IdP got).
//
// "Test Connection" is recognised by its shape (request-log-store.ts). Entra's matching queries during a
// sync look the same, so "seen" means "an IdP has successfully queried us the way Test Connection does".
//
// Everything but the noise count comes from authenticated requests only: anyone who knows a Tenant URL can
// send requests without a token, so those must not set the status or put their text on the page.
// They are only counted (no path, no detail): the count says "someone is knocking", which is all the
// IT admin can act on; the admin API's request log lists them for whoever investigates.

/** The window of the noise count, in hours. */
export const UNAUTHENTICATED_WINDOW_HOURS = 24;

export interface RequestSummary {
  at: Date;
  method: string;
  path: string;
  status: number;
}

export interface FailedRequest extends RequestSummary {
  scimType: string | null;
  detail: string | null;
}

export interface ProvisioningStatus {
  lastRequest: RequestSummary | null;
  testConnection: { seen: boolean; lastAttempt: FailedRequest | null };
  users: number;
  groups: number;
  recentErrors: FailedRequest[];
  /** Requests without a valid Secret Token in the last UNAUTHENTICATED_WINDOW_HOURS hours. */
  unauthenticatedRecently: number;
}

/** Counts come from the directory's stats (one place counts users and groups); the rest from the request log. */
export async function provisioningStatus(db: Database, directoryId: string, recentErrorCount = 5): Promise<ProvisioningStatus> {
  const [stats, testConnection, recentErrors, unauthenticatedRecently] = await Promise.all([
    directoryStats(db, directoryId),
    testConnectionRequests(db, directoryId),
    recentFailedScimRequests(db, directoryId, recentErrorCount),
    countUnauthenticatedScimRequests(db, directoryId, UNAUTHENTICATED_WINDOW_HOURS),
  ]);
  const last = stats.lastScimRequest;
  return {
    lastRequest: last ? { at: last.at, method: last.method, path: last.path, status: last.status } : null,
    testConnection: { seen: testConnection.succeeded, lastAttempt: testConnection.last },
    users: stats.users.total,
    groups: stats.groups,
    recentErrors,
    unauthenticatedRecently,
  };
}
