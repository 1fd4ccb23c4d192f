import type { Logger } from "pino";
import type { SqlRunner } from "../db/database.js";
import { pruneAuthFailures } from "./auth-failure-store.js";

// Keeps auth_failures to the windows still open. Every process runs it; deleting closed windows is idempotent.

export interface AuthFailurePruningJob {
  stop(): Promise<void>;
}

export function startAuthFailurePruning(db: SqlRunner, logger: Pick<Logger, "warn">, everyMs = 60_000): AuthFailurePruningJob {
  let running: Promise<void> | undefined;
  const run = () => {
    if (running) return;
    running = pruneAuthFailures(db)
      .then(() => undefined)
      .catch((err) => logger.warn({ err }, "pruning closed auth failure windows failed; retrying next run"))
      .finally(() => {
        running = undefined;
      });
  };
  const timer = setInterval(run, everyMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
