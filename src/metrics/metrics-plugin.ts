import { createHash, timingSafeEqual } from "node:crypto";
import type { FastifyInstance } from "fastify";
import { requestErrors } from "../http/error-handler.js";
import { ApiProblem } from "../http/problem.js";
import { scimOperationOf, scimRequestTarget } from "../request-log/scim-request-target.js";
import { type AppMetrics, createAppMetrics, scimOutcome } from "./app-metrics.js";

// Prometheus metrics: counting hooks on every request and GET /metrics, guarded per METRICS
// (off: no route, 404; open; bearer: needs Authorization: Bearer METRICS_TOKEN).

declare module "fastify" {
  interface FastifyInstance {
    metrics: AppMetrics;
  }
}

const digest = (s: string) => createHash("sha256").update(s).digest();

export function registerMetrics(app: FastifyInstance): void {
  const metrics = createAppMetrics(app.db, { requestLogDropped: () => app.requestLog?.dropped ?? 0 });
  app.decorate("metrics", metrics);

  app.addHook("onResponse", async (request, reply) => {
    const status = String(reply.statusCode);
    // the route pattern, never the raw URL: ids in URLs would make a series per resource
    const labels = { method: request.method, route: request.routeOptions.url ?? "unmatched", status };
    metrics.httpRequests.inc(labels);
    metrics.httpDuration.observe(labels, reply.elapsedTime / 1000);
    const target = scimRequestTarget(request.url);
    if (target) {
      const { resource, operation } = scimOperationOf(request.method, target.path);
      const provider = request.scimDirectory?.provider ?? "unknown";
      const outcome = scimOutcome(reply.statusCode, requestErrors.get(request)?.scimType);
      metrics.scimOperations.inc({ provider, resource, operation, outcome });
    }
  });

  const { mode, token } = app.config.metrics;
  if (mode === "off") return;
  const expected = token ? digest(`Bearer ${token}`) : null;
  app.get("/metrics", { schema: { hide: true } }, async (request, reply) => {
    if (mode === "bearer") {
      const given = request.headers.authorization;
      if (!expected || typeof given !== "string" || !timingSafeEqual(digest(given), expected)) {
        reply.header("www-authenticate", 'Bearer realm="metrics"');
        throw new ApiProblem(401, "unauthorized", "Unauthorized", "metrics need Authorization: Bearer <METRICS_TOKEN>");
      }
    }
    const body = await metrics.registry.metrics();
    return reply.type(metrics.registry.contentType).send(body);
  });
}
