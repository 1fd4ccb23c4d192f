import { PrismaPg } from "@prisma/adapter-pg";
import type pg from "pg";
import { PrismaClient } from "../generated/prisma/client.js";
import { ConnectionPool } from "./connection-pool.js";
import { isSerializationFailure } from "./db-errors.js";
import { type Sql, toQuery } from "./sql.js";

// One pg pool per process. Two ways in, one per kind of data (README, "Reaching the database"):
// the control plane (directories, tokens, setup links, webhook settings) through Prisma's typed models;
// the data plane (users, groups, memberships, events, deliveries, request log) through `sql` fragments
// run by query/execute here, one SQL module per table, multi-statement work inside transaction().

/** What a data-plane store runs its SQL on: the database itself, or an open transaction. */
export interface SqlRunner {
  query<R = Record<string, unknown>>(statement: Sql): Promise<R[]>;
  /** Rows affected. */
  execute(statement: Sql): Promise<number>;
}

export interface Database extends SqlRunner {
  pool: pg.Pool;
  prisma: PrismaClient;
  /**
   * The one transaction helper: BEGIN, work, COMMIT on one connection; ROLLBACK on error. A serialization
   * failure or deadlock (say a user DELETE racing a group PATCH that adds the user) is retried up to 3 times.
   */
  transaction<T>(work: (tx: SqlRunner) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  url: string;
  poolSize: number;
  statementTimeoutMs: number;
  /**
   * True when `url` is a direct connection to Postgres: the statement timeout is then sent as a startup
   * parameter. Behind a pooler (DATABASE_DIRECT_URL set apart from DATABASE_URL) it is not: PgBouncer refuses
   * unknown startup parameters, and a SET would be session state on a shared server connection. There the
   * timeout is set on the role (`ALTER ROLE … SET statement_timeout`, docs/OPERATIONS.md), and
   * checkPooledStatementTimeout warns at start-up when it is missing.
   */
  sessionTimeouts?: boolean;
  /** Named prepared statements (parsed and planned once per connection). Off behind PgBouncer < 1.21 in transaction mode. */
  preparedStatements?: boolean;
  onPoolError?: (err: Error) => void;
}

/** Statement texts get names in order of first use; past the cap (rare filter shapes) they run unnamed, so no backend grows without bound. */
const MAX_NAMED_STATEMENTS = 1000;

function statementNamer(enabled: boolean) {
  const names = new Map<string, string>();
  return (text: string): string | undefined => {
    if (!enabled) return undefined;
    let name = names.get(text);
    if (name === undefined && names.size < MAX_NAMED_STATEMENTS) {
      name = `sb${names.size}`;
      names.set(text, name);
    }
    return name;
  };
}

function runner(client: pg.Pool | pg.PoolClient, nameOf: (text: string) => string | undefined): SqlRunner {
  const run = (statement: Sql) => {
    const { text, values } = toQuery(statement);
    return client.query({ name: nameOf(text), text, values });
  };
  return {
    async query<R>(statement: Sql) {
      return (await run(statement)).rows as R[];
    },
    async execute(statement: Sql) {
      return (await run(statement)).rowCount ?? 0;
    },
  };
}

const TRANSACTION_ATTEMPTS = 3;

export function createDatabase(options: DatabaseOptions): Database {
  const pool = new ConnectionPool({
    connectionString: options.url,
    max: options.poolSize,
    statement_timeout: (options.sessionTimeouts ?? true) ? options.statementTimeoutMs || undefined : undefined,
    connectionTimeoutMillis: 5000,
    idleTimeoutMillis: 30000,
  });
  // An idle client dying (database restarted) must not crash the process; the pool replaces it.
  pool.on("error", (err) => options.onPoolError?.(err));
  // pg-pool drops its own error listener while a client is checked out (pool.connect() for a transaction):
  // a connection lost then would be an uncaught 'error' event and kill the process. The query in flight
  // still fails through its promise; this only keeps the event from being unhandled.
  pool.on("connect", (client) => client.on("error", (err) => options.onPoolError?.(err)));
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  const nameOf = statementNamer(options.preparedStatements ?? true);
  const direct = runner(pool, nameOf);

  async function once<T>(work: (tx: SqlRunner) => Promise<T>): Promise<T> {
    const client = await pool.connect();
    let broken: Error | undefined;
    try {
      await client.query("BEGIN");
      const result = await work(runner(client, nameOf));
      await client.query("COMMIT");
      return result;
    } catch (err) {
      await client.query("ROLLBACK").catch((rollbackError: Error) => {
        broken = rollbackError; // the connection is unusable: let the pool discard it
      });
      throw err;
    } finally {
      client.release(broken);
    }
  }

  let closed = false;
  return {
    pool,
    prisma,
    query: direct.query,
    execute: direct.execute,
    async transaction(work) {
      for (let attempt = 1; ; attempt++) {
        try {
          return await once(work);
        } catch (err) {
          if (attempt >= TRANSACTION_ATTEMPTS || !isSerializationFailure(err)) throw err;
        }
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await prisma.$disconnect();
      await pool.end();
    },
  };
}
