import closeWithGrace from "close-with-grace";
import type { FastifyInstance } from "fastify";
import { buildApp } from "./app.js";
import { ConfigError, loadConfig } from "./config.js";
import { migrate } from "./db/migrate.js";
import { DataDirInUse } from "./db/embedded-postgres.js";
import { type ResolvedDatabase, resolveDatabase } from "./db/resolve-database.js";
import { createLogger } from "./logger.js";
import { type BackgroundJobs, startBackgroundJobs } from "./startup/background-jobs.js";
import { resolveSecrets } from "./startup/generated-secrets.js";
import { nextStepMessage } from "./startup/next-step.js";
import { checkPooledStatementTimeout } from "./startup/pooled-statement-timeout.js";
import { drainFor } from "./startup/shutdown-drain.js";

let config: ReturnType<typeof loadConfig>;
try {
  config = loadConfig();
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(`scimbridge: invalid configuration: ${err.message}`);
    process.exit(1);
  }
  throw err;
}

const logger = createLogger(config.logLevel);

// Registered before anything starts, so a signal during start-up (e.g. while the embedded database
// initialises) still shuts down cleanly: whatever has started is stopped in reverse order.
let database: ResolvedDatabase | undefined;
let app: FastifyInstance | undefined;
let jobs: BackgroundJobs | undefined;
closeWithGrace({ delay: config.shutdownDrainMs + 15000, logger }, async ({ signal, err }) => {
  if (err) logger.error({ err }, "shutting down after an error");
  else logger.info({ signal }, "shutting down: finishing in-flight requests");
  // SIGTERM (orchestrators, rolling restarts): first drain, /readyz 503 while requests are still served, so the
  // load balancer moves traffic off before the listener closes. Ctrl-C (SIGINT) and errors skip it.
  if (app && signal === "SIGTERM" && config.shutdownDrainMs > 0) {
    logger.info({ drainMs: config.shutdownDrainMs }, "draining: /readyz answers 503 while requests are still served");
    await drainFor(app, config.shutdownDrainMs);
  }
  await jobs?.stop();
  await app?.close();
  await database?.stop();
});

try {
  // this process owns the embedded database; the CLI and db:migrate use it while it runs
  database = await resolveDatabase(config, "server", (line) => logger.info(line));
} catch (err) {
  if (!(err instanceof DataDirInUse)) throw err;
  console.error(`scimbridge: ${err.message}`);
  process.exit(1);
}
// migrations hold a session (advisory lock): over the direct URL, never through a pooler
const applied = await migrate(database.directUrl);
if (applied.length) logger.info({ applied }, "applied database migrations");

const secrets = await resolveSecrets(config);
if (secrets.newAdminApiKey) {
  // printed once, on the start that created it; it stays in DATA_DIR/admin-api-key
  process.stdout.write(
    `\nscimbridge admin API key (shown once, kept in ${config.dataDir}/admin-api-key):\n  ${secrets.newAdminApiKey}\n\n`,
  );
}
const runtimeConfig = {
  ...config,
  databaseUrl: database.url,
  databaseDirectUrl: database.directUrl,
  adminApiKeys: secrets.adminApiKeys,
  secretsKey: secrets.secretsKey,
};

app = await buildApp(runtimeConfig, { logger });
await checkPooledStatementTimeout(app.db, runtimeConfig, logger);
jobs = startBackgroundJobs(app);
await app.listen({ port: config.port, host: config.host });
logger.info({ publicUrl: config.publicUrl }, "scimbridge ready");
process.stdout.write(nextStepMessage(config, config.adminApiKeys.length > 0));
