import type { Logger } from "pino";
import type { Config } from "../config.js";
import type { SqlRunner } from "../db/database.js";
import type { RequestLogWriter } from "./request-log-writer.js";
import { pruneScimRequestsByAge, pruneScimRequestsByCount } from "./request-log-store.js";

// Keeps scim_requests bounded: rows older than SCIM_REQUEST_LOG_RETENTION_DAYS go, and each directory
// keeps at most SCIM_REQUEST_LOG_MAX_ROWS. The count check only visits directories this process wrote
// to since the last run, so an idle deployment with many directories costs nothing.

export interface RequestLogPruningJob {
  stop(): Promise<void>;
}

async function pruneRequestLog(db: SqlRunner, config: Config, directoryIds: string[]): Promise<{ byAge: number; byCount: number }> {
  const byAge = await pruneScimRequestsByAge(db, config.requestLog.retentionDays);
  const byCount = await pruneScimRequestsByCount(db, directoryIds, config.requestLog.maxRowsPerDirectory);
  return { byAge, byCount };
}

export function startRequestLogPruning(
  db: SqlRunner,
  config: Config,
  writer: RequestLogWriter,
  logger: Logger,
  everyMs = 60_000,
): RequestLogPruningJob {
  let running: Promise<void> | undefined;
  const run = () => {
    if (running) return;
    const directoryIds = writer.takeTouchedDirectories();
    running = pruneRequestLog(db, config, directoryIds)
      .then((r) => {
        if (r.byAge + r.byCount > 0) logger.info(r, "pruned the SCIM request log");
      })
      .catch((err) => logger.warn({ err }, "SCIM request log pruning failed; retrying next run"))
      .finally(() => {
        running = undefined;
      });
  };
  const timer = setInterval(run, everyMs);
  timer.unref();
  run();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
