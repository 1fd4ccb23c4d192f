import type { SqlRunner } from "../db/database.js";
import { readMigrations } from "../db/migrate.js";
import { sql } from "../db/sql.js";

// Readiness for a load balancer: the database answers, and it holds every migration this build ships (a
// replica of a newer version stays out of rotation until its migrations are applied). Draining during
// shutdown is answered before this is asked (health-routes.ts).

/** Resolves when the database answers a trivial query; rejects (the pool's error) when it cannot be reached. */
export async function checkDatabaseReachable(db: SqlRunner): Promise<void> {
  await db.query(sql`SELECT 1`);
}

export type ReadinessAnswer = { ready: true } | { ready: false; status: "database unavailable" | "migrations pending"; detail: string };

/** Names of the shipped migrations missing from `_prisma_migrations` (not finished, or rolled back). */
export async function pendingMigrations(db: SqlRunner, shipped: string[]): Promise<string[]> {
  const rows = await db.query<{ applied: string[] | null }>(sql`
    SELECT array_agg(migration_name) AS applied FROM "_prisma_migrations"
     WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`);
  const applied = new Set(rows[0]?.applied ?? []);
  return shipped.filter((name) => !applied.has(name));
}

/**
 * Asks the database on every call; once every migration has been seen applied, that answer is kept
 * (migrations are never unapplied under a running service) and only reachability is checked.
 */
export function readinessCheck(db: SqlRunner, shipped: () => Promise<string[]> = shippedMigrationNames) {
  let migrationsApplied = false;
  return async (): Promise<ReadinessAnswer> => {
    try {
      await checkDatabaseReachable(db);
    } catch (err) {
      return { ready: false, status: "database unavailable", detail: (err as Error).message };
    }
    if (migrationsApplied) return { ready: true };
    let pending: string[];
    try {
      pending = await pendingMigrations(db, await shipped());
    } catch (err) {
      // no _prisma_migrations table yet: nothing is applied
      if ((err as { code?: string }).code !== "42P01")
        return { ready: false, status: "database unavailable", detail: (err as Error).message };
      pending = await shipped();
    }
    if (pending.length > 0) {
      return { ready: false, status: "migrations pending", detail: `not applied: ${pending.join(", ")}` };
    }
    migrationsApplied = true;
    return { ready: true };
  };
}

let shippedNames: Promise<string[]> | undefined;

/** The migrations in this build's prisma/migrations, read once per process. */
export function shippedMigrationNames(): Promise<string[]> {
  shippedNames ??= readMigrations().then((files) => files.map((f) => f.name));
  shippedNames.catch(() => (shippedNames = undefined));
  return shippedNames;
}
