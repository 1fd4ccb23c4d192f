import type { Logger } from "pino";
import type { Config } from "../config.js";
import type { SqlRunner } from "../db/database.js";
import { sql } from "../db/sql.js";

// Behind a pooler the app sends no statement_timeout (database.ts, sessionTimeouts): the operator sets it on
// the role or database, where every server connection the pooler opens inherits it. Say so when it is missing.

export async function checkPooledStatementTimeout(db: SqlRunner, config: Config, logger: Pick<Logger, "warn">): Promise<void> {
  if (config.databaseUrl === config.databaseDirectUrl || config.statementTimeoutMs === 0) return;
  let value: string | undefined;
  try {
    value = (await db.query<{ value: string }>(sql`SELECT current_setting('statement_timeout') AS value`))[0]?.value;
  } catch (err) {
    // the pooler is not reachable yet: start anyway (/readyz says 503 until it is), just without this check
    logger.warn({ err }, "could not check statement_timeout on pooled connections");
    return;
  }
  if (value === "0") {
    logger.warn(
      { statementTimeoutMs: config.statementTimeoutMs },
      "statement_timeout is off on pooled connections: DATABASE_URL goes through a pooler, so DB_STATEMENT_TIMEOUT_MS is not sent; " +
        "set it on the role instead (ALTER ROLE <user> SET statement_timeout = '30s'; see docs/OPERATIONS.md)",
    );
  }
}
