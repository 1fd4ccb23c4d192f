import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
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

const JSON_TYPES = ["application/json", "application/scim+json"];

/** Some clients send Content-Type on a bodiless DELETE; that is not a malformed request. */
function acceptEmptyDeleteBodies(app: FastifyInstance): void {
  const json = app.getDefaultJsonParser("error", "error");
  app.removeContentTypeParser(JSON_TYPES);
  app.addContentTypeParser(JSON_TYPES, { parseAs: "string" }, (request, body, done) => {
    if (request.method === "DELETE" && body === "") return done(null, undefined);
    return json(request, body as string, done);
  });
}
