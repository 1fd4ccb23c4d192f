import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { directoryStats } from "../../directories/directory-stats.js";
import { ADMIN_SECURITY, DirectoryParams, DirectoryStats, problems, ref } from "./schemas.js";

export const statsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    "/directories/:id/stats",
    {
      schema: {
        tags: ["directories"],
        summary: "Counts of users, groups and memberships, and the last SCIM request",
        operationId: "getDirectoryStats",
        security: ADMIN_SECURITY,
        params: DirectoryParams,
        response: { 200: ref(DirectoryStats), ...problems(400, 404) },
      },
    },
    async (request) => directoryStats(app.db, request.params.id),
  );
};
