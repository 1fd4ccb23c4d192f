import { startAttributeRemapJob } from "./attributes/attribute-remap-job.js";
import { ConfigError, loadConfig } from "./config.js";
import { createDatabase } from "./db/database.js";
import { migrate } from "./db/migrate.js";
import { resolveDatabase } from "./db/resolve-database.js";
import { createLogger } from "./logger.js";
import { resolveSecrets } from "./startup/generated-secrets.js";
import { startWebhookWorker } from "./webhooks/delivery-worker.js";

// `npm run worker`: webhook delivery as its own process (run the service with WEBHOOK_WORKER=false, or
// keep both: any number of workers share the queue). Stops gracefully on SIGTERM/SIGINT: in-flight
// sends finish and are recorded, leases are released.

let config: ReturnType<typeof loadConfig>;
try {
  config = loadConfig();
  if (!config.databaseUrl)
    throw new ConfigError("DATABASE_URL", "is required for a separate worker (the embedded database belongs to the server process)");
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(`scimbridge worker: invalid configuration: ${err.message}`);
    process.exit(1);
  }
  throw err;
}

const logger = createLogger(config.logLevel);
const database = await resolveDatabase(config, "command", (line) => logger.info(line));
// migrations hold a session (advisory lock): over the direct URL, never through a pooler
await migrate(database.directUrl);
const secrets = await resolveSecrets(config);
const runtimeConfig = { ...config, databaseUrl: database.url, secretsKey: secrets.secretsKey };
const db = createDatabase({
  url: database.url,
  poolSize: Math.min(config.dbPoolSize, config.webhooks.concurrency + 4),
  statementTimeoutMs: config.statementTimeoutMs,
  sessionTimeouts: database.url === database.directUrl,
  preparedStatements: config.dbPreparedStatements,
  onPoolError: (err) => logger.warn({ err }, "database connection lost"),
});
const worker = startWebhookWorker({ db, config: runtimeConfig, logger });
// attribute remaps (one claim per directory across every process) run here too, as in the server
const remaps = startAttributeRemapJob({ db, logger });
logger.info({ concurrency: config.webhooks.concurrency }, "scimbridge webhook worker running");

let stopping = false;
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "webhook worker stopping: finishing in-flight deliveries");
    const force = setTimeout(() => process.exit(1), config.webhooks.timeoutMs + 15000);
    force.unref();
    void Promise.all([worker.stop(), remaps.stop()])
      .then(() => db.close())
      .then(() => database.stop())
      .then(() => process.exit(0));
  });
}
