import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { PrismaClient } from "../generated/prisma/client.js";

// One pg pool per process, shared by the Prisma client (most queries) and raw SQL on hot paths.

export interface Database {
  pool: pg.Pool;
  prisma: PrismaClient;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  url: string;
  poolSize: number;
  statementTimeoutMs: number;
  onPoolError?: (err: Error) => void;
}

export function createDatabase(options: DatabaseOptions): Database {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize,
    statement_timeout: options.statementTimeoutMs || undefined,
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
  let closed = false;
  return {
    pool,
    prisma,
    async close() {
      if (closed) return;
      closed = true;
      await prisma.$disconnect();
      await pool.end();
    },
  };
}
