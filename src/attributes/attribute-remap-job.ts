import type { Logger } from "pino";
import type { Database } from "../db/database.js";
import type { NewEvent } from "../events/event-writer.js";
import { type MappingWarning, mapAttributes, sameAttributes } from "../scim/mapping/attribute-mapping.js";
import { toAppUser } from "../users/app-user.js";
import { lockUsersAfter } from "../users/user-store.js";
import { compileMapping } from "./attribute-mapping-cache.js";
import { readDirectoryMapping } from "./attribute-mapping-store.js";
import { claimRemapJob, type ClaimedRemapJob, lockRemapPosition, recordRemapError, writeRemapBatch } from "./attribute-remap-store.js";

// Recomputes the mapped attributes of a directory's users after a mapping or declaration change, in
// keyset batches of (created_at, id). Each batch is one transaction: it locks the job row (the cursor
// lives there, so a crash resumes at the last committed batch and two replicas never write the same
// batch), reads the current mapping, rewrites only the users whose attributes differ and appends a
// user.updated for each whose values changed. Re-running a finished job changes nothing.

export interface RemapJobOptions {
  db: Database;
  logger: Pick<Logger, "info" | "warn">;
  /** How often an idle process looks for a job. */
  pollMs?: number;
  batchSize?: number;
  /** How long a claim holds without a batch before another process may take the job over. */
  leaseMs?: number;
}

export interface RemapJobRunner {
  /** Looks for work now (tests, and after a local change). */
  kick(): void;
  stop(): Promise<void>;
}

type BatchOutcome = "more" | "done" | "superseded";

async function runBatch(db: Database, job: ClaimedRemapJob, batchSize: number, leaseMs: number): Promise<BatchOutcome> {
  return db.transaction(async (tx) => {
    const position = await lockRemapPosition(tx, job.directoryId);
    if (!position || position.generation !== job.generation || position.state !== "running") return "superseded";
    const mapping = compileMapping(await readDirectoryMapping(tx, job.directoryId));
    const users = await lockUsersAfter(tx, job.directoryId, position.after, batchSize);
    const rows: { id: string; attributes: unknown }[] = [];
    const events: NewEvent[] = [];
    const warnings: MappingWarning[] = [];
    for (const user of users) {
      const mapped = mapAttributes(user.resource, mapping);
      warnings.push(...mapped.warnings);
      const sameValues = sameAttributes(user.attributes, mapped.attributes);
      const sameKeys = Object.keys(user.attributes).sort().join("\u0000") === Object.keys(mapped.attributes).sort().join("\u0000");
      if (sameValues && sameKeys) continue;
      rows.push({ id: user.id, attributes: mapped.attributes });
      if (!sameValues) {
        events.push({ type: "user.updated", directoryId: job.directoryId, data: toAppUser({ ...user, attributes: mapped.attributes }) });
      }
    }
    const last = users[users.length - 1];
    const done = users.length < batchSize;
    await writeRemapBatch(tx, {
      directoryId: job.directoryId,
      generation: job.generation,
      rows,
      events,
      warnings,
      processed: users.length,
      last: last ? { createdAt: last.createdAt, id: last.id } : undefined,
      done,
      leaseMs,
    });
    return done ? "done" : "more";
  });
}

/** Runs one claimed job to its end (or until superseded / stopped). */
async function runJob(
  db: Database,
  job: ClaimedRemapJob,
  opts: { batchSize: number; leaseMs: number; stopped: () => boolean },
): Promise<BatchOutcome> {
  for (;;) {
    if (opts.stopped()) return "more";
    const outcome = await runBatch(db, job, opts.batchSize, opts.leaseMs);
    if (outcome !== "more") return outcome;
  }
}

export function startAttributeRemapJob(options: RemapJobOptions): RemapJobRunner {
  const { db, logger } = options;
  const pollMs = options.pollMs ?? 1000;
  const batchSize = options.batchSize ?? 500;
  const leaseMs = options.leaseMs ?? 30_000;
  let stopped = false;
  let running: Promise<void> | undefined;
  let again = false;

  const work = async () => {
    for (;;) {
      if (stopped) return;
      const job = await claimRemapJob(db, leaseMs);
      if (!job) return;
      try {
        const started = Date.now();
        const outcome = await runJob(db, job, { batchSize, leaseMs, stopped: () => stopped });
        if (outcome === "done") logger.info({ directoryId: job.directoryId, ms: Date.now() - started }, "attribute remap finished");
      } catch (err) {
        logger.warn({ err, directoryId: job.directoryId }, "attribute remap batch failed; retried when its lease runs out");
        await recordRemapError(db, job, (err as Error).message).catch(() => {});
        return;
      }
    }
  };
  const run = () => {
    if (running) {
      again = true;
      return;
    }
    running = work()
      .catch((err) => logger.warn({ err }, "attribute remap: looking for work failed; retrying next poll"))
      .finally(() => {
        running = undefined;
        if (again && !stopped) {
          again = false;
          run();
        }
      });
  };
  const timer = setInterval(run, pollMs);
  timer.unref();
  run();
  return {
    kick: run,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
