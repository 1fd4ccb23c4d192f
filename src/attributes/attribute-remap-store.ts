import type { SqlRunner } from "../db/database.js";
import { sql } from "../db/sql.js";
import { insertEvents, type NewEvent } from "../events/event-writer.js";
import type { MappingWarning } from "../scim/mapping/attribute-mapping.js";
import { setUserAttributes } from "../users/user-store.js";
import { countWarnings } from "./attribute-mapping-store.js";

// SQL of the remap job (attribute-remap-job.ts). The job row is requested by the mapping change's Prisma
// transaction (remap-request.ts); claiming it and advancing it happen here, beside the user rows each
// batch rewrites, so a batch's users, their events, its warnings and the job's cursor commit together.

export interface ClaimedRemapJob {
  directoryId: string;
  generation: number;
}

export interface RemapPosition {
  generation: number;
  state: string;
  after: { createdAt: Date; id: string } | undefined;
}

/**
 * Takes one pending job, or a running one whose lease ran out (its process died): one claim across
 * replicas (SKIP LOCKED). The lease is renewed by every batch.
 */
export async function claimRemapJob(db: SqlRunner, leaseMs: number): Promise<ClaimedRemapJob | undefined> {
  const rows = await db.query<ClaimedRemapJob>(sql`
    UPDATE attribute_remap_jobs j SET state = 'running', lease_until = now() + ${leaseMs} * interval '1 millisecond',
      started_at = coalesce(j.started_at, now()),
      total = CASE WHEN j.started_at IS NULL
        THEN (SELECT coalesce(sum(c.users), 0)::int FROM directory_counts c WHERE c.directory_id = j.directory_id) ELSE j.total END
    WHERE j.directory_id = (
      SELECT directory_id FROM attribute_remap_jobs
      WHERE state IN ('pending', 'running') AND (lease_until IS NULL OR lease_until < now())
      ORDER BY requested_at LIMIT 1 FOR UPDATE SKIP LOCKED)
    RETURNING j.directory_id AS "directoryId", j.generation`);
  return rows[0];
}

/** The job's row, locked for the batch (inside its transaction): a mapping change waits for the batch, and vice versa. */
export async function lockRemapPosition(db: SqlRunner, directoryId: string): Promise<RemapPosition | undefined> {
  const rows = await db.query<{ generation: number; state: string; afterCreatedAt: Date | null; afterId: string | null }>(sql`
    SELECT generation, state, after_created_at AS "afterCreatedAt", after_id AS "afterId"
    FROM attribute_remap_jobs WHERE directory_id = ${directoryId}::uuid FOR UPDATE`);
  const row = rows[0];
  if (!row) return undefined;
  return {
    generation: row.generation,
    state: row.state,
    after: row.afterCreatedAt && row.afterId ? { createdAt: row.afterCreatedAt, id: row.afterId } : undefined,
  };
}

export interface RemapBatch {
  directoryId: string;
  generation: number;
  /** Rows whose stored attributes differ from the computed ones. */
  rows: { id: string; attributes: unknown }[];
  /** user.updated for the users whose attribute values changed. */
  events: NewEvent[];
  warnings: MappingWarning[];
  processed: number;
  last: { createdAt: Date; id: string } | undefined;
  done: boolean;
  leaseMs: number;
}

/** Writes a batch: its users' attributes, their events, the warnings and the job's progress, one statement. */
export async function writeRemapBatch(db: SqlRunner, b: RemapBatch): Promise<void> {
  const at = new Date();
  await db.execute(sql`
    WITH updated AS (${setUserAttributes(b.directoryId, b.rows)}),
    evented AS (${insertEvents(b.events)}),
    warned AS (${countWarnings(b.directoryId, b.warnings, at)})
    UPDATE attribute_remap_jobs SET processed = processed + ${b.processed}::int, changed = changed + ${b.events.length}::int,
      after_created_at = coalesce(${b.last?.createdAt ?? null}::timestamptz, after_created_at), after_id = coalesce(${b.last?.id ?? null}::uuid, after_id),
      lease_until = CASE WHEN ${b.done} THEN NULL ELSE now() + ${b.leaseMs} * interval '1 millisecond' END,
      state = CASE WHEN ${b.done} THEN 'done' ELSE 'running' END,
      finished_at = CASE WHEN ${b.done} THEN now() END, error = NULL
    WHERE directory_id = ${b.directoryId}::uuid AND generation = ${b.generation}::int`);
}

/** Records why a batch failed (the job is retried when its lease runs out). */
export async function recordRemapError(db: SqlRunner, job: ClaimedRemapJob, message: string): Promise<void> {
  await db.execute(sql`
    UPDATE attribute_remap_jobs SET error = ${message.slice(0, 500)}
    WHERE directory_id = ${job.directoryId}::uuid AND generation = ${job.generation}::int`);
}
