import type { Database } from "../db/database.js";

// What the setup page's status panel shows: is the IdP reaching us, did Test Connection work,
// how much has been synced, and what went wrong lately (with the SCIM error detail the IdP got).
//
// "Test Connection" is recognised by its shape, as Microsoft documents it: a GET on /Users or /Groups
// whose filter is `userName eq "…"` or `displayName eq "…"`. Entra's matching queries during a sync
// look the same, so "seen" means "an IdP has successfully queried us the way Test Connection does".

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
}

const TEST_CONNECTION_SHAPE = `method = 'GET' AND lower(path) IN ('/users', '/groups')
  AND query ~* '(^|&)filter=\\s*(username|displayname)\\s+eq\\s'`;

export async function provisioningStatus(pool: Database["pool"], directoryId: string, recentErrorCount = 5): Promise<ProvisioningStatus> {
  const columns = `at, method, path, status, scim_type AS "scimType", detail`;
  const [last, attempt, succeeded, errors, counts] = await Promise.all([
    pool.query<FailedRequest>(`SELECT ${columns} FROM scim_requests WHERE directory_id = $1 ORDER BY id DESC LIMIT 1`, [directoryId]),
    pool.query<FailedRequest>(`SELECT ${columns} FROM scim_requests WHERE directory_id = $1 AND ${TEST_CONNECTION_SHAPE} ORDER BY id DESC LIMIT 1`, [directoryId]),
    pool.query(`SELECT 1 FROM scim_requests WHERE directory_id = $1 AND status BETWEEN 200 AND 299 AND ${TEST_CONNECTION_SHAPE} LIMIT 1`, [directoryId]),
    pool.query<FailedRequest>(`SELECT ${columns} FROM scim_requests WHERE directory_id = $1 AND status >= 400 ORDER BY id DESC LIMIT $2`, [directoryId, recentErrorCount]),
    pool.query<{ users: number; groups: number }>(
      `SELECT (SELECT count(*)::int FROM scim_users WHERE directory_id = $1) AS users,
              (SELECT count(*)::int FROM scim_groups WHERE directory_id = $1) AS groups`,
      [directoryId],
    ),
  ]);
  const lastRow = last.rows[0];
  return {
    lastRequest: lastRow ? { at: lastRow.at, method: lastRow.method, path: lastRow.path, status: lastRow.status } : null,
    testConnection: { seen: succeeded.rowCount !== null && succeeded.rowCount > 0, lastAttempt: attempt.rows[0] ?? null },
    users: counts.rows[0]!.users,
    groups: counts.rows[0]!.groups,
    recentErrors: errors.rows,
  };
}
