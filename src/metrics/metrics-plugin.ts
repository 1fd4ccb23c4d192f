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

  // prom-client hashes the label values on every inc/observe; the series of a (method, route, status) are
  // looked up once and kept (a fixed, small set: route patterns, never raw URLs)
  const series = new Map<string, { requests: { inc(): void }; duration: { observe(v: number): void } }>();
  app.addHook("onResponse", (request, reply, done) => {
    const status = String(reply.statusCode);
    // the route pattern, never the raw URL: ids in URLs would make a series per resource
    const route = request.routeOptions.url ?? "unmatched";
    const key = `${request.method} ${route} ${status}`;
    let s = series.get(key);
    if (!s) {
      const labels = { method: request.method, route, status };
      s = { requests: metrics.httpRequests.labels(labels), duration: metrics.httpDuration.labels(labels) };
      series.set(key, s);
    }
    s.requests.inc();
    s.duration.observe(reply.elapsedTime / 1000);
    const target = route === "unmatched" || route.startsWith("/scim/") ? scimRequestTarget(request.url) : null;
    if (target) {
      const { resource, operation } = scimOperationOf(request.method, target.path);
      const provider = request.scimDirectory?.provider ?? "unknown";
      const outcome = scimOutcome(reply.statusCode, requestErrors.get(request)?.scimType);
      metrics.scimOperations.inc({ provider, resource, operation, outcome });
    }
    done();
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
