import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { decodeBigintCursor, encodeBigintCursor } from "../../pagination/keyset-position.js";
import { directoryRequestLog, parseStatusFilter } from "../../request-log/request-log-service.js";
import { ApiProblem } from "../problem.js";

// The SCIM request log of a directory: where support looks when an admin says "Azure shows an error".

const ScimRequestView = Type.Object({
  id: Type.String(),
  at: Type.String({ format: "date-time" }),
  method: Type.String(),
  path: Type.String({ description: "Path below the directory's Tenant URL, e.g. /Users/{id}" }),
  query: Type.Union([Type.String(), Type.Null()], {
    description: "Decoded query string; filter values redacted unless SCIM_REQUEST_LOG_BODY=full",
  }),
  status: Type.Integer(),
  scimType: Type.Union([Type.String(), Type.Null()]),
  detail: Type.Union([Type.String(), Type.Null()], { description: "The SCIM error detail returned to the client" }),
  durationMs: Type.Number(),
  clientRequestId: Type.Union([Type.String(), Type.Null()]),
  body: Type.Union([Type.String(), Type.Null()], { description: "Request body per SCIM_REQUEST_LOG_BODY, cut to 4 KB" }),
});

const Query = Type.Object({
  cursor: Type.Optional(Type.String({ maxLength: 200 })),
  status: Type.Optional(Type.String({ description: "Exact status (401) or class (4xx)", maxLength: 3 })),
  limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
});

export const scimRequestRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    "/directories/:id/scim-requests",
    {
      schema: {
        tags: ["scim request log"],
        summary: "The directory's SCIM request log, newest first",
        security: [{ adminApiKey: [] }],
        params: Type.Object({ id: Type.String({ format: "uuid" }) }),
        querystring: Query,
        response: { 200: Type.Object({ data: Type.Array(ScimRequestView), nextCursor: Type.Union([Type.String(), Type.Null()]) }) },
      },
    },
    async (request) => {
      const { id } = request.params;
      const { cursor, limit } = request.query;
      const status = request.query.status === undefined ? undefined : parseStatusFilter(request.query.status);
      if (status === null)
        throw new ApiProblem(400, "invalid_status", "Bad Request", "status must be a status code (401) or a class (4xx)");
      const beforeId = cursor === undefined ? undefined : decodeBigintCursor("id", cursor);
      const { entries, hasMore } = await directoryRequestLog(app.db, id, { beforeId, status, limit });
      const last = entries.at(-1);
      return {
        data: entries.map((e) => ({ ...e, at: e.at.toISOString() })),
        nextCursor: hasMore && last ? encodeBigintCursor("id", last.id) : null,
      };
    },
  );
};
