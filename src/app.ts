import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from "fastify";
import type { Logger } from "pino";
import type { Config } from "./config.js";
import { createDatabase, type Database } from "./db/database.js";
import { attributeMappingsOf } from "./attributes/attribute-mapping-cache.js";
import { type AuthChangeListener, startAuthChangeListener } from "./directories/auth-change-listener.js";
import { adminRoutes } from "./http/admin/index.js";
import { consoleRoutes } from "./http/console/index.js";
import { renderError, renderNotFound } from "./http/error-handler.js";
import { healthRoutes } from "./http/health-routes.js";
import { registerOpenApi } from "./http/plugins/openapi.js";
import { OneLinePerRequest } from "./http/plugins/request-logging.js";
import { AJV_OPTIONS } from "./http/plugins/request-validation.js";
import { registerScimContentType } from "./http/plugins/content-types.js";
import { registerAuthFailureLimiter } from "./http/plugins/rate-limit.js";
import { registerSecurityHeaders } from "./http/plugins/security-headers.js";
import { requestIdFrom } from "./http/request-id.js";
import { canonicalScimUrl } from "./http/scim/canonical-url.js";
import { scimRoutes } from "./http/scim/index.js";
import { setupRoutes } from "./http/setup/index.js";
import { decorateSecretTokens } from "./http/scim/scim-auth.js";
import { createLogger } from "./logger.js";
import { registerMetrics } from "./metrics/metrics-plugin.js";
import { registerScimRequestLog } from "./request-log/scim-request-capture.js";
import { decorateShutdownDrain } from "./startup/shutdown-drain.js";

declare module "fastify" {
  interface FastifyInstance {
    config: Config;
    db: Database;
    /** The LISTEN connection that evicts revoked tokens (absent when the app was given a database handle only). */
    authChanges?: AuthChangeListener;
  }
}

export interface AppOptions {
  logger?: Logger;
  /** An existing database handle; by default one is created from config.databaseUrl and closed with the app. */
  db?: Database;
}

/** Builds the HTTP app on an already-migrated database. Starting and stopping live in server.ts. */
export async function buildApp(config: Config, options: AppOptions = {}): Promise<FastifyInstance> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const app = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    genReqId: requestIdFrom,
    // one line per request, at the response, instead of Fastify's two
    logController: new OneLinePerRequest(),
    bodyLimit: config.scim.maxBodyBytes,
    trustProxy: config.trustProxy,
    return503OnClosing: true,
    forceCloseConnections: "idle",
    // malformed URLs get the same SCIM / problem+json error bodies as every other error
    frameworkErrors: (error, request, reply) => {
      app.recordRefusedUrl(request, reply);
      return renderError(error, request, reply);
    },
    // SCIM resource types in any case, with or without a trailing slash (canonical-url.ts)
    rewriteUrl: (req) => canonicalScimUrl(req.url ?? "/"),
    ajv: { customOptions: { ...AJV_OPTIONS } },
  }).withTypeProvider<TypeBoxTypeProvider>() as unknown as FastifyInstance;

  if (!options.db && !config.databaseUrl) throw new Error("buildApp needs config.databaseUrl or options.db");
  const db =
    options.db ??
    createDatabase({
      url: config.databaseUrl!,
      poolSize: config.dbPoolSize,
      statementTimeoutMs: config.statementTimeoutMs,
      preparedStatements: config.dbPreparedStatements,
      sessionTimeouts: config.databaseUrl === config.databaseDirectUrl,
      onPoolError: (err) => logger.warn({ err }, "database connection lost"),
    });
  app.decorate("config", config);
  app.decorate("db", db);
  decorateSecretTokens(app);
  decorateShutdownDrain(app);
  if (!options.db) app.addHook("onClose", async () => db.close());
  // revocations and directory disables made on other replicas evict this process's token cache
  const directUrl = config.databaseDirectUrl ?? config.databaseUrl;
  if (directUrl) {
    const authChanges = startAuthChangeListener({
      url: directUrl,
      verifier: app.secretTokens,
      attributeMappings: attributeMappingsOf(db),
      logger,
    });
    app.decorate("authChanges", authChanges);
    app.addHook("onClose", async () => authChanges.stop());
  }

  registerScimRequestLog(app);
  registerMetrics(app);

  // While draining and during shutdown, responses close their keep-alive connection, so clients move to
  // another replica and the server can finish closing instead of waiting for idle IdP connections.
  let closing = false;
  app.addHook("preClose", async () => {
    closing = true;
  });
  app.addHook("onSend", async (request, reply) => {
    reply.header("x-request-id", request.id);
    if (closing || app.drain.draining) reply.header("connection", "close");
  });
  app.setErrorHandler(renderError);
  app.setNotFoundHandler(renderNotFound);
  registerScimContentType(app);
  registerAuthFailureLimiter(app);
  registerSecurityHeaders(app);
  await registerOpenApi(app);

  await app.register(healthRoutes);
  await app.register(scimRoutes, { prefix: "/scim/v2" });
  await app.register(adminRoutes, { prefix: "/api/v1" });
  await app.register(setupRoutes);
  await app.register(consoleRoutes);
  return app;
}
