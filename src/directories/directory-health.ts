import type { Database } from "../db/database.js";
import { scimTrafficSummaries } from "../request-log/request-log-store.js";
import { countsOfDirectories } from "./directory-counts-store.js";
import { tokenUseOf } from "./directory-tokens.js";

// A directory's sync state as an operator reads it at a glance (console directory list and overview):
//   disabled  the directory refuses SCIM requests;
//   failing   among its last RECENT.count authenticated requests of the last RECENT.hours hour(s), one or more
//             was answered 4xx/5xx, or requests without a valid Secret Token were refused in that hour after the
//             latest authenticated one (a revoked or expired token: the IdP is getting errors now);
//   healthy   an IdP has authenticated (the request log holds an authenticated request, or a token was used
//             before the log was pruned) and nothing failed recently;
//   waiting   no IdP has authenticated yet.
// Otherwise only authenticated requests count: anyone who knows a Tenant URL can send requests without a
// token, so refusals weigh only until the IdP next authenticates.
// A page of directories costs four queries whatever its size.

export const RECENT = { count: 10, hours: 1 } as const;

export type DirectoryState = "healthy" | "waiting" | "failing" | "disabled";

export interface DirectoryHealth {
  state: DirectoryState;
  users: number;
  groups: number;
  lastRequest: { at: Date; method: string; path: string; status: number } | null;
  recentFailures: number;
  /** Requests refused for want of a valid token in the last RECENT.hours hour(s), after the latest authenticated one. */
  refusedRecently: number;
  /** When the newest live token was issued; null when the directory has no live token. */
  newestLiveTokenAt: Date | null;
}

export async function directoryHealth(
  db: Database,
  directories: readonly { id: string; disabled: boolean }[],
): Promise<Map<string, DirectoryHealth>> {
  const ids = directories.map((d) => d.id);
  const [traffic, counts, tokens] = await Promise.all([
    scimTrafficSummaries(db, ids, RECENT),
    countsOfDirectories(db, ids),
    tokenUseOf(db, ids),
  ]);
  const out = new Map<string, DirectoryHealth>();
  directories.forEach((d, i) => {
    const t = traffic[i]!;
    const token = tokens.get(d.id)!;
    const state: DirectoryState = d.disabled
      ? "disabled"
      : t.recentFailures > 0 || t.refusedSinceLastAuthenticated > 0
        ? "failing"
        : t.last || token.everUsed
          ? "healthy"
          : "waiting";
    out.set(d.id, {
      state,
      ...counts.get(d.id)!,
      lastRequest: t.last,
      recentFailures: t.recentFailures,
      refusedRecently: t.refusedSinceLastAuthenticated,
      newestLiveTokenAt: token.newestLiveCreatedAt,
    });
  });
  return out;
}
