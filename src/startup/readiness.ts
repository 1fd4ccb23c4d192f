import type { SqlRunner } from "../db/database.js";
import { sql } from "../db/sql.js";

// Readiness: the service can serve once its database answers.

/** Resolves when the database answers a trivial query; rejects (the pool's error) when it cannot be reached. */
export async function checkDatabaseReachable(db: SqlRunner): Promise<void> {
  await db.query(sql`SELECT 1`);
}
