import type { FastifyInstance } from "fastify";

// Work that runs beside the HTTP server in the same process: webhook delivery, event pruning,
// request-log flushing. Each job is started here and stopped on shutdown.

export interface BackgroundJobs {
  stop(): Promise<void>;
}

export function startBackgroundJobs(_app: FastifyInstance): BackgroundJobs {
  const jobs: BackgroundJobs[] = [];
  return {
    async stop() {
      await Promise.all(jobs.map((j) => j.stop()));
    },
  };
}
