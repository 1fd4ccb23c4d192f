import type { Database } from "../db/database.js";
import { isSerializationFailure } from "../db/db-errors.js";
import type { Prisma } from "../generated/prisma/client.js";

// One SCIM change = one transaction holding the row change and its events. A deadlock between,
// say, a user DELETE and a group PATCH adding that user is retried instead of answered with 500.

export type Tx = Prisma.TransactionClient;

const ATTEMPTS = 3;

export async function inScimTransaction<T>(db: Database, work: (tx: Tx) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      // large member lists (10k per request) need more than Prisma's 5 s default
      return await db.prisma.$transaction(work, { maxWait: 10_000, timeout: 60_000 });
    } catch (err) {
      if (attempt >= ATTEMPTS || !isSerializationFailure(err)) throw err;
    }
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Ids are UUIDs; anything else cannot name a stored resource (and must not reach a ::uuid cast). */
export function isResourceId(value: string): boolean {
  return UUID.test(value);
}
