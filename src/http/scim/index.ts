import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
import { JSON_CONTENT_TYPES, jsonBodyParser } from "../plugins/content-types.js";
import { bulkRoutes } from "./bulk-routes.js";
import { discoveryRoutes } from "./discovery-routes.js";
import { groupRoutes } from "./group-routes.js";
import { authenticateScimRequest } from "./scim-auth.js";
import { userRoutes } from "./user-routes.js";

/**
 * SCIM 2.0 endpoints under /scim/v2/{directoryId}. Every route authenticates the directory's bearer
 * token in onRequest — before the body is even parsed — and is scoped to the token's directory.
 */
export const scimRoutes: FastifyPluginAsyncTypebox = async (app) => {
  await app.register(
    async (directory) => {
      directory.addHook("onRequest", authenticateScimRequest);
      acceptEmptyDeleteBodies(directory);
      await directory.register(userRoutes);
      await directory.register(groupRoutes);
      await directory.register(discoveryRoutes);
      await directory.register(bulkRoutes);
    },
    { prefix: "/:directoryId" },
  );
};

/** Some clients send Content-Type on a bodiless DELETE; that is not a malformed request. */
function acceptEmptyDeleteBodies(app: FastifyInstance): void {
  app.removeContentTypeParser(JSON_CONTENT_TYPES);
  app.addContentTypeParser(JSON_CONTENT_TYPES, { parseAs: "buffer" }, jsonBodyParser(app, { emptyDelete: true }));
}
