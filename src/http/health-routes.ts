import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { readinessCheck } from "../startup/readiness.js";

const Status = Type.Object(
  {
    status: Type.String({ description: "ok / ready, or why not ready: draining, database unavailable, migrations pending" }),
    detail: Type.Optional(Type.String()),
  },
  { $id: "HealthStatus" },
);

export const healthRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const ready = readinessCheck(app.db);

  app.get("/healthz", { schema: { tags: ["health"], summary: "Process is up", response: { 200: Status } } }, async () => ({
    status: "ok",
  }));

  app.get(
    "/readyz",
    {
      schema: {
        tags: ["health"],
        summary: "Ready for traffic: not shutting down, database reachable, every shipped migration applied",
        response: { 200: Status, 503: Status },
      },
    },
    async (_request, reply) => {
      // first, and without touching the database: a load balancer must see a draining replica at once
      if (app.drain.draining) return reply.code(503).send({ status: "draining" });
      const answer = await ready();
      if (answer.ready) return { status: "ready" };
      app.log.warn({ reason: answer.status, detail: answer.detail }, `readiness check failed: ${answer.status}`);
      return reply.code(503).send({ status: answer.status, detail: answer.status === "migrations pending" ? answer.detail : undefined });
    },
  );
};
