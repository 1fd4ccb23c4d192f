import type { Config } from "../config.js";
import type { Database } from "../db/database.js";
import { hourlyCountChanges } from "../events/event-store.js";
import { hourlyScimOutcomes } from "../request-log/request-log-store.js";

// A directory's sync activity per hour over the last week (the console's overview chart): authenticated
// SCIM requests by outcome, from the request log, and users and groups at the end of each hour, found by
// walking the current counts back through user/group created and deleted events.
//
// Both logs are pruned. Request counts of an hour are unknown (null) before the request log's horizon: its
// retention (SCIM_REQUEST_LOG_RETENTION_DAYS), or its oldest row once the directory reached
// SCIM_REQUEST_LOG_MAX_ROWS. Users and groups are unknown for hours ending before the event retention
// horizon (EVENT_RETENTION_DAYS), where the walk back would miss deleted events. Hours before the directory
// existed are known (nothing happened).

export const ACTIVITY_HOURS = 7 * 24;
const HOUR_MS = 3600_000;

export interface ActivityHour {
  /** Start of the hour (UTC). */
  hour: Date;
  /** Authenticated requests answered 1xx–3xx / 4xx / 5xx; null when the request log no longer covers the hour. */
  requests: { ok: number; clientErrors: number; serverErrors: number } | null;
  /** Users and groups at the end of the hour (now, for the current hour); null past the event log's horizon. */
  counts: { users: number; groups: number } | null;
}

export interface SyncActivity {
  hours: ActivityHour[];
  /** Set when the request log was pruned inside the window: hours before it have no request counts. */
  requestsKnownSince: Date | null;
  /** Set when the event log may be pruned inside the window: hours ending before it have no counts. */
  countsKnownSince: Date | null;
}

export async function syncActivity(
  db: Database,
  config: Config,
  directory: { id: string; createdAt: Date },
  current: { users: number; groups: number },
  now = new Date(),
): Promise<SyncActivity> {
  const lastHour = Math.floor(now.getTime() / HOUR_MS) * HOUR_MS;
  const from = new Date(lastHour - (ACTIVITY_HOURS - 1) * HOUR_MS);
  const [requests, changes] = await Promise.all([hourlyScimOutcomes(db, directory.id, from), hourlyCountChanges(db, directory.id, from)]);

  const retention = now.getTime() - config.requestLog.retentionDays * 86400_000;
  const capped = requests.retainedRows >= config.requestLog.maxRowsPerDirectory && requests.oldestAt ? requests.oldestAt.getTime() : 0;
  const prunedBefore = Math.max(retention, capped);
  // a directory created after a horizon lost nothing to it
  const requestHorizon = directory.createdAt.getTime() < prunedBefore ? prunedBefore : -Infinity;
  const eventHorizon = now.getTime() - config.events.retentionDays * 86400_000;
  const countHorizon = directory.createdAt.getTime() < eventHorizon ? eventHorizon : -Infinity;

  const byHour = new Map(requests.hours.map((r) => [r.hour.getTime(), r]));
  const changeByHour = new Map(changes.map((c) => [c.hour.getTime(), c]));
  const hours: ActivityHour[] = [];
  // walk back from now: the count at the end of an hour is the current count minus every later change
  let users = current.users;
  let groups = current.groups;
  for (let i = ACTIVITY_HOURS - 1; i >= 0; i--) {
    const start = from.getTime() + i * HOUR_MS;
    const end = Math.min(start + HOUR_MS, now.getTime());
    const r = byHour.get(start);
    hours.unshift({
      hour: new Date(start),
      requests: start < requestHorizon ? null : { ok: r?.ok ?? 0, clientErrors: r?.clientErrors ?? 0, serverErrors: r?.serverErrors ?? 0 },
      counts: end < countHorizon ? null : { users, groups },
    });
    const change = changeByHour.get(start);
    users -= change?.users ?? 0;
    groups -= change?.groups ?? 0;
  }
  return {
    hours,
    requestsKnownSince: requestHorizon > from.getTime() ? new Date(requestHorizon) : null,
    countsKnownSince: countHorizon > from.getTime() ? new Date(countHorizon) : null,
  };
}
