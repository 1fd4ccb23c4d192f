import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { processBulk } from "../../bulk/bulk-service.js";
import { tenantUrl } from "../../scim/resource/scim-resource.js";
import { SCIM_CONTENT_TYPE } from "../error-handler.js";
import { DirectoryParams, errorResponses, SCIM_SECURITY, SCIM_TAGS, ScimErrorResponse } from "./scim-schemas.js";

// POST /Bulk (RFC 7644 §3.7); its limits are advertised in /ServiceProviderConfig.

const BulkBody = Type.Unsafe<unknown>({ description: "RFC 7644 §3.7 BulkRequest (JSON object)" });
const BulkResponseSchema = Type.Object(
  { schemas: Type.Array(Type.String()), Operations: Type.Array(Type.Object({}, { additionalProperties: true })) },
  { description: "RFC 7644 §3.7 BulkResponse" },
);

export const bulkRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    "/Bulk",
    {
      bodyLimit: app.config.scim.bulkMaxPayloadBytes,
      schema: {
        tags: SCIM_TAGS,
        security: SCIM_SECURITY,
        summary: "Several creates, replaces, patches and deletes in one request, with bulkId references",
        params: DirectoryParams,
        body: BulkBody,
        response: { 200: BulkResponseSchema, 413: ScimErrorResponse, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { directoryId } = request.scimDirectory;
      const result = await processBulk(
        { db: app.db, config: app.config, directoryId, baseUrl: tenantUrl(app.config.publicUrl, directoryId) },
        request.body,
      );
      return reply.type(SCIM_CONTENT_TYPE).send(result);
    },
  );
};
