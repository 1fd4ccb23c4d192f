import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { assertDirectoryExists, DirectoryNotFound } from "../../directories/directory-service.js";
import { issueAdditionalToken, listTokens, revokeToken } from "../../directories/directory-tokens.js";
import { ADMIN_SECURITY, DirectoryParams, problems, ref, TokenIssued, TokenList } from "./schemas.js";

export const tokenRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const tags = ["directories"];

  app.post(
    "/directories/:id/tokens",
    {
      schema: {
        tags,
        summary: "Issue an additional SCIM secret token (rotation; shown once)",
        description: "Existing tokens keep working until revoked, so the IdP can be switched over without downtime.",
        operationId: "createToken",
        security: ADMIN_SECURITY,
        params: DirectoryParams,
        response: { 201: ref(TokenIssued), ...problems(400, 404, 409) },
      },
    },
    async (request, reply) => {
      const issued = await issueAdditionalToken(app.db, app.config, request.params.id);
      if (!issued) throw new DirectoryNotFound(request.params.id);
      return reply.code(201).send(issued);
    },
  );

  app.get(
    "/directories/:id/tokens",
    {
      schema: {
        tags,
        summary: "List a directory's tokens (metadata only, never the secret)",
        operationId: "listTokens",
        security: ADMIN_SECURITY,
        params: DirectoryParams,
        response: { 200: ref(TokenList), ...problems(400, 404) },
      },
    },
    async (request) => {
      await assertDirectoryExists(app.db, request.params.id);
      return { data: await listTokens(app.db, request.params.id) };
    },
  );

  app.delete(
    "/directories/:id/tokens/:tokenId",
    {
      schema: {
        tags,
        summary: "Revoke a token (takes effect immediately)",
        operationId: "revokeToken",
        security: ADMIN_SECURITY,
        params: Type.Object({ id: Type.String({ format: "uuid" }), tokenId: Type.String({ format: "uuid" }) }),
        response: { 204: Type.Null({ description: "Revoked" }), ...problems(400, 404) },
      },
    },
    async (request, reply) => {
      await assertDirectoryExists(app.db, request.params.id);
      await revokeToken(app.db, request.params.id, request.params.tokenId);
      app.secretTokens.evict({ tokenId: request.params.tokenId });
      return reply.code(204).send(null);
    },
  );
};
