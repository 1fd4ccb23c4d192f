import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { etagOf } from "../../scim/resource/etag.js";
import { listResponse } from "../../scim/resource/list-query.js";
import { parseAttributeList, type Projection } from "../../scim/resource/projection.js";
import { tenantUrl } from "../../scim/resource/scim-resource.js";
import { scimGroups } from "../../groups/group-resources.js";
import { createGroup, deleteGroup, getGroup, patchGroup, queryGroups, replaceGroup } from "../../groups/group-service.js";
import { SCIM_CONTENT_TYPE } from "../error-handler.js";
import {
  errorResponses,
  IfMatchHeaders,
  ListQuery,
  ListResponse,
  PatchBody,
  ProjectionQuery,
  ResourceParams,
  DirectoryParams,
  SCIM_SECURITY,
  SCIM_TAGS,
  ScimErrorResponse,
  ScimResource,
  ScimResourceBody,
  SearchRequest,
} from "./scim-schemas.js";

// /Groups: RFC 7644 §3.3–3.6 over the group service. Auth and directory scope come from the
// parent plugin (request.scimDirectory).

function projectionOf(q: { attributes?: unknown; excludedAttributes?: unknown }): Projection {
  return { attributes: parseAttributeList(q.attributes), excludedAttributes: parseAttributeList(q.excludedAttributes) };
}

export const groupRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { scim } = app.config;
  const patchLimits = { maxOperations: scim.patchMaxOperations, maxMembers: scim.maxMembersPerRequest };
  const base = (directoryId: string) => tenantUrl(app.config.publicUrl, directoryId);

  app.post(
    "/Groups",
    {
      schema: {
        tags: SCIM_TAGS,
        security: SCIM_SECURITY,
        summary: "Create a group",
        params: DirectoryParams,
        querystring: ProjectionQuery,
        body: ScimResourceBody,
        response: { 201: ScimResource, 409: ScimErrorResponse, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { directoryId } = request.scimDirectory;
      const group = await createGroup(app.db, directoryId, request.body, scim.maxMembersPerRequest);
      const [resource] = await scimGroups(app.db, base(directoryId), [group], projectionOf(request.query));
      return reply
        .code(201)
        .type(SCIM_CONTENT_TYPE)
        .header("etag", etagOf(group.version))
        .header("location", `${base(directoryId)}/Groups/${group.id}`)
        .send(resource);
    },
  );

  app.get(
    "/Groups",
    {
      schema: {
        tags: SCIM_TAGS,
        security: SCIM_SECURITY,
        summary: "List or query groups",
        params: DirectoryParams,
        querystring: ListQuery,
        response: { 200: ListResponse, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { directoryId } = request.scimDirectory;
      const result = await queryGroups(app.db, directoryId, request.query, scim.maxResults);
      const resources = await scimGroups(app.db, base(directoryId), result.rows, projectionOf(request.query));
      return reply.type(SCIM_CONTENT_TYPE).send(listResponse(result.totalResults, result.page, resources));
    },
  );

  app.post(
    "/Groups/.search",
    {
      schema: {
        tags: SCIM_TAGS,
        security: SCIM_SECURITY,
        summary: "Query groups with a SearchRequest body (RFC 7644 §3.4.3)",
        params: DirectoryParams,
        body: SearchRequest,
        response: { 200: ListResponse, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { directoryId } = request.scimDirectory;
      const result = await queryGroups(app.db, directoryId, request.body, scim.maxResults);
      const resources = await scimGroups(app.db, base(directoryId), result.rows, projectionOf(request.body));
      return reply.code(200).type(SCIM_CONTENT_TYPE).send(listResponse(result.totalResults, result.page, resources));
    },
  );

  app.get(
    "/Groups/:id",
    {
      schema: {
        tags: SCIM_TAGS,
        security: SCIM_SECURITY,
        summary: "Get a group",
        params: ResourceParams,
        querystring: ProjectionQuery,
        response: { 200: ScimResource, 404: ScimErrorResponse, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { directoryId } = request.scimDirectory;
      const group = await getGroup(app.db, directoryId, request.params.id);
      const [resource] = await scimGroups(app.db, base(directoryId), [group], projectionOf(request.query));
      return reply.type(SCIM_CONTENT_TYPE).header("etag", etagOf(group.version)).send(resource);
    },
  );

  app.put(
    "/Groups/:id",
    {
      schema: {
        tags: SCIM_TAGS,
        security: SCIM_SECURITY,
        summary: "Replace a group",
        params: ResourceParams,
        querystring: ProjectionQuery,
        headers: IfMatchHeaders,
        body: ScimResourceBody,
        response: { 200: ScimResource, 404: ScimErrorResponse, 409: ScimErrorResponse, 412: ScimErrorResponse, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { directoryId } = request.scimDirectory;
      const group = await replaceGroup(app.db, directoryId, request.params.id, request.body, scim.maxMembersPerRequest, request.headers["if-match"]);
      const [resource] = await scimGroups(app.db, base(directoryId), [group], projectionOf(request.query));
      return reply.type(SCIM_CONTENT_TYPE).header("etag", etagOf(group.version)).send(resource);
    },
  );

  app.patch(
    "/Groups/:id",
    {
      schema: {
        tags: SCIM_TAGS,
        security: SCIM_SECURITY,
        summary: "Modify a group (members, displayName); answers 204, or 200 with the resource when attributes/excludedAttributes is given",
        params: ResourceParams,
        querystring: ProjectionQuery,
        headers: IfMatchHeaders,
        body: PatchBody,
        response: { 200: ScimResource, 204: Type.Null(), 404: ScimErrorResponse, 409: ScimErrorResponse, 412: ScimErrorResponse, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { directoryId } = request.scimDirectory;
      const group = await patchGroup(app.db, directoryId, request.params.id, request.body, patchLimits, request.headers["if-match"]);
      reply.header("etag", etagOf(group.version));
      const projection = projectionOf(request.query);
      // Entra expects 204 from group PATCH; the resource is returned only when asked for (attributes)
      if (!projection.attributes && !projection.excludedAttributes) return reply.code(204).send(null);
      const [resource] = await scimGroups(app.db, base(directoryId), [group], projection);
      return reply.type(SCIM_CONTENT_TYPE).send(resource);
    },
  );

  app.delete(
    "/Groups/:id",
    {
      schema: {
        tags: SCIM_TAGS,
        security: SCIM_SECURITY,
        summary: "Delete a group (its memberships go with it)",
        params: ResourceParams,
        headers: IfMatchHeaders,
        response: { 204: Type.Null(), 404: ScimErrorResponse, 412: ScimErrorResponse, ...errorResponses },
      },
    },
    async (request, reply) => {
      await deleteGroup(app.db, request.scimDirectory.directoryId, request.params.id, request.headers["if-match"]);
      return reply.code(204).send(null);
    },
  );
};
