import type { FastifyInstance } from "fastify";
import type { Logger } from "pino";
import { startAttributeRemapJob } from "../attributes/attribute-remap-job.js";
import { startAuthFailurePruning } from "../auth-failures/auth-failure-pruning.js";
import { startEventPruning } from "../events/event-retention.js";
import { startRequestLogPruning } from "../request-log/request-log-pruning.js";
import { startWebhookWorker } from "../webhooks/delivery-worker.js";

// Work that runs beside the HTTP server in the same process: webhook delivery, event pruning,
// request-log flushing, closed auth-failure windows, attribute remaps. Each job is started here and stopped on shutdown.

export interface BackgroundJobs {
  stop(): Promise<void>;
}

export function startBackgroundJobs(app: FastifyInstance): BackgroundJobs {
  const jobs: BackgroundJobs[] = [];
  const logger = app.log as unknown as Logger;
  if (app.config.webhooks.workerEnabled) jobs.push(startWebhookWorker({ db: app.db, config: app.config, logger }));
  jobs.push(startEventPruning(app.db, app.config, logger));
  // the request log flushes itself (RequestLogWriter) and on app close; this only bounds its size
  jobs.push(startRequestLogPruning(app.db, app.config, app.requestLog, logger));
  jobs.push(startAuthFailurePruning(app.db, logger));
  // every replica looks for remap work; one claims each directory's job
  jobs.push(startAttributeRemapJob({ db: app.db, logger }));
  return {
    async stop() {
      await Promise.all(jobs.map((j) => j.stop()));
    },
  };
}
