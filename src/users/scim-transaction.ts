import type pg from "pg";
import type { Database } from "../db/database.js";
import { isSerializationFailure } from "../db/db-errors.js";
import { Prisma } from "../generated/prisma/client.js";

// One SCIM change = one transaction holding the row change and its events. It runs on a plain pg
// client (BEGIN … COMMIT) rather than a Prisma interactive transaction: the SCIM write path is the
// hot path, and the statements are Prisma.sql fragments either way. A deadlock between, say, a user
// DELETE and a group PATCH adding that user is retried instead of answered with 500.

/** What the SCIM stores need: raw SQL. A PrismaClient satisfies it too. */
export interface SqlClient {
  $queryRaw<T = unknown>(query: TemplateStringsArray | Prisma.Sql, ...values: unknown[]): Promise<T>;
  $executeRaw(query: TemplateStringsArray | Prisma.Sql, ...values: unknown[]): Promise<number>;
}

export type Tx = SqlClient;

function toSql(query: TemplateStringsArray | Prisma.Sql, values: unknown[]): Prisma.Sql {
  return query instanceof Prisma.Sql ? query : Prisma.sql(query, ...values);
}

export function pgSqlClient(client: pg.Pool | pg.PoolClient): SqlClient {
  return {
    async $queryRaw<T>(query: TemplateStringsArray | Prisma.Sql, ...values: unknown[]): Promise<T> {
      const sql = toSql(query, values);
      return (await client.query(sql.text, sql.values as unknown[])).rows as T;
    },
    async $executeRaw(query: TemplateStringsArray | Prisma.Sql, ...values: unknown[]): Promise<number> {
      const sql = toSql(query, values);
      return (await client.query(sql.text, sql.values as unknown[])).rowCount ?? 0;
    },
  };
}

const ATTEMPTS = 3;

async function once<T>(db: Database, work: (tx: Tx) => Promise<T>): Promise<T> {
  const client = await db.pool.connect();
  let broken: Error | undefined;
  try {
    await client.query("BEGIN");
    const result = await work(pgSqlClient(client));
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

export async function inScimTransaction<T>(db: Database, work: (tx: Tx) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await once(db, work);
    } catch (err) {
      if (attempt >= ATTEMPTS || !isSerializationFailure(err)) throw err;
    }
  }
}

/** appendEvents is typed for Prisma transactions; our pg-backed client provides the same call. */
export function asEventTx(tx: Tx): Pick<Prisma.TransactionClient, "$executeRaw"> {
  return tx as unknown as Pick<Prisma.TransactionClient, "$executeRaw">;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Ids are UUIDs; anything else cannot name a stored resource (and must not reach a ::uuid cast). */
export function isResourceId(value: string): boolean {
  return UUID.test(value);
}
