import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { checkDatabaseReachable } from "../startup/readiness.js";

const Status = Type.Object({ status: Type.String() }, { $id: "HealthStatus" });

export const healthRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get("/healthz", { schema: { tags: ["health"], summary: "Process is up", response: { 200: Status } } }, async () => ({
    status: "ok",
  }));

  app.get(
    "/readyz",
    {
      schema: {
        tags: ["health"],
        summary: "Database is reachable",
        response: { 200: Status, 503: Status },
      },
    },
    async (_request, reply) => {
      try {
        await checkDatabaseReachable(app.db);
        return { status: "ready" };
      } catch (err) {
        app.log.warn({ err }, "readiness check failed: database unreachable");
        return reply.code(503).send({ status: "database unavailable" });
      }
    },
  );
};
