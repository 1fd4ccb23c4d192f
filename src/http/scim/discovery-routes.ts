import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import {
  findResourceType,
  findSchema,
  resourceTypeDocument,
  resourceTypeDocuments,
  schemaDocument,
  schemaDocuments,
  serviceProviderConfig,
} from "../../scim/discovery/discovery-documents.js";
import { notFound } from "../../scim/errors.js";
import { listResponse } from "../../scim/resource/list-query.js";
import { tenantUrl } from "../../scim/resource/scim-resource.js";
import { SCIM_CONTENT_TYPE } from "../error-handler.js";
import { DirectoryParams, errorResponses, ListResponse, SCIM_SECURITY, SCIM_TAGS, ScimErrorResponse } from "./scim-schemas.js";

// /ServiceProviderConfig, /ResourceTypes, /Schemas (RFC 7644 §4).

const Document = Type.Object({ schemas: Type.Array(Type.String()) }, { additionalProperties: true });

export const discoveryRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const base = (directoryId: string) => tenantUrl(app.config.publicUrl, directoryId);
  const all = <T extends object>(items: T[]) => listResponse(items.length, { startIndex: 1, count: items.length }, items);
  const common = { tags: SCIM_TAGS, security: SCIM_SECURITY };

  app.get(
    "/ServiceProviderConfig",
    {
      schema: {
        ...common,
        summary: "What this SCIM server supports",
        params: DirectoryParams,
        response: { 200: Document, ...errorResponses },
      },
    },
    async (request, reply) =>
      reply.type(SCIM_CONTENT_TYPE).send(serviceProviderConfig(app.config, base(request.scimDirectory.directoryId))),
  );

  app.get(
    "/ResourceTypes",
    {
      schema: {
        ...common,
        summary: "Resource types: User and Group",
        params: DirectoryParams,
        response: { 200: ListResponse, ...errorResponses },
      },
    },
    async (request, reply) => reply.type(SCIM_CONTENT_TYPE).send(all(resourceTypeDocuments(base(request.scimDirectory.directoryId)))),
  );

  app.get(
    "/ResourceTypes/:name",
    {
      schema: {
        ...common,
        summary: "One resource type",
        params: Type.Object({ directoryId: Type.String(), name: Type.String() }),
        response: { 200: Document, 404: ScimErrorResponse, ...errorResponses },
      },
    },
    async (request, reply) => {
      const name = findResourceType(request.params.name);
      if (!name) throw notFound(`resource type ${request.params.name} not found`);
      return reply.type(SCIM_CONTENT_TYPE).send(resourceTypeDocument(name, base(request.scimDirectory.directoryId)));
    },
  );

  app.get(
    "/Schemas",
    {
      schema: {
        ...common,
        summary: "Schemas: User, EnterpriseUser, Group",
        params: DirectoryParams,
        response: { 200: ListResponse, ...errorResponses },
      },
    },
    async (request, reply) => reply.type(SCIM_CONTENT_TYPE).send(all(schemaDocuments(base(request.scimDirectory.directoryId)))),
  );

  app.get(
    "/Schemas/:urn",
    {
      schema: {
        ...common,
        summary: "One schema by URN",
        params: Type.Object({ directoryId: Type.String(), urn: Type.String() }),
        response: { 200: Document, 404: ScimErrorResponse, ...errorResponses },
      },
    },
    async (request, reply) => {
      const schema = findSchema(request.params.urn);
      if (!schema) throw notFound(`schema ${request.params.urn} not found`);
      return reply.type(SCIM_CONTENT_TYPE).send(schemaDocument(schema, base(request.scimDirectory.directoryId)));
    },
  );
};
