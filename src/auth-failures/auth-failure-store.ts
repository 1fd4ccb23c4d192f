import type { SqlRunner } from "../db/database.js";
import { sql } from "../db/sql.js";

// SQL for auth_failures: failed authentications per key ("ip:<address>", "dir:<id>") in fixed windows,
// shared by every replica. Only the failure path writes here.

export interface AuthFailureWindow {
  key: string;
  count: number;
  /** Seconds until the key's window closes (at least 1). */
  retryAfter: number;
}

/**
 * Counts one failure for each key, in one statement: a key whose window has closed starts a new one.
 * Keys are upserted in sorted order, so two concurrent failures never wait on each other's rows crosswise.
 */
export async function countAuthFailures(db: SqlRunner, keys: string[], windowMs: number): Promise<AuthFailureWindow[]> {
  const sorted = [...new Set(keys)].sort();
  return db.query<AuthFailureWindow>(sql`
    INSERT INTO auth_failures AS f (key, count, reset_at)
    SELECT k, 1, now() + ${windowMs}::int * interval '1 millisecond' FROM unnest(${sorted}::text[]) WITH ORDINALITY AS t(k, n) ORDER BY n
    ON CONFLICT (key) DO UPDATE
       SET count = CASE WHEN f.reset_at <= now() THEN 1 ELSE f.count + 1 END,
           reset_at = CASE WHEN f.reset_at <= now() THEN EXCLUDED.reset_at ELSE f.reset_at END
    RETURNING key, count, greatest(1, ceil(extract(epoch FROM f.reset_at - now())))::int AS "retryAfter"`);
}

/** Deletes closed windows; returns how many. */
export async function pruneAuthFailures(db: SqlRunner): Promise<number> {
  return db.execute(sql`DELETE FROM auth_failures WHERE reset_at <= now()`);
}
