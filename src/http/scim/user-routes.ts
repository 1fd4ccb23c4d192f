import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { etagOf } from "../../scim/resource/etag.js";
import { listResponse } from "../../scim/resource/list-query.js";
import { parseAttributeList, type Projection } from "../../scim/resource/projection.js";
import { tenantUrl } from "../../scim/resource/scim-resource.js";
import { scimUsers } from "../../users/user-resources.js";
import { createUser, deleteUser, getUser, patchUser, queryUsers, replaceUser } from "../../users/user-service.js";
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

// /Users: RFC 7644 §3.3–3.6 over the user service. Auth and directory scope come from the
// parent plugin (request.scimDirectory).

function projectionOf(q: { attributes?: unknown; excludedAttributes?: unknown }): Projection {
  return { attributes: parseAttributeList(q.attributes), excludedAttributes: parseAttributeList(q.excludedAttributes) };
}

export const userRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { scim } = app.config;
  const patchLimits = { maxOperations: scim.patchMaxOperations, maxMembers: scim.maxMembersPerRequest };
  const base = (directoryId: string) => tenantUrl(app.config.publicUrl, directoryId);

  app.post(
    "/Users",
    {
      schema: {
        tags: SCIM_TAGS,
        security: SCIM_SECURITY,
        summary: "Create a user",
        params: DirectoryParams,
        querystring: ProjectionQuery,
        body: ScimResourceBody,
        response: { 201: ScimResource, 409: ScimErrorResponse, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { directoryId } = request.scimDirectory;
      const user = await createUser(app.db, directoryId, request.body);
      const [resource] = await scimUsers(app.db, base(directoryId), [user], projectionOf(request.query), false);
      return reply
        .code(201)
        .type(SCIM_CONTENT_TYPE)
        .header("etag", etagOf(user.version))
        .header("location", `${base(directoryId)}/Users/${user.id}`)
        .send(resource);
    },
  );

  app.get(
    "/Users",
    {
      schema: {
        tags: SCIM_TAGS,
        security: SCIM_SECURITY,
        summary: "List or query users",
        params: DirectoryParams,
        querystring: ListQuery,
        response: { 200: ListResponse, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { directoryId } = request.scimDirectory;
      const result = await queryUsers(app.db, directoryId, request.query, scim.maxResults);
      const resources = await scimUsers(app.db, base(directoryId), result.rows, projectionOf(request.query), false);
      return reply.type(SCIM_CONTENT_TYPE).send(listResponse(result.totalResults, result.page, resources));
    },
  );

  app.post(
    "/Users/.search",
    {
      schema: {
        tags: SCIM_TAGS,
        security: SCIM_SECURITY,
        summary: "Query users with a SearchRequest body (RFC 7644 §3.4.3)",
        params: DirectoryParams,
        body: SearchRequest,
        response: { 200: ListResponse, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { directoryId } = request.scimDirectory;
      const result = await queryUsers(app.db, directoryId, request.body, scim.maxResults);
      const resources = await scimUsers(app.db, base(directoryId), result.rows, projectionOf(request.body), false);
      return reply.code(200).type(SCIM_CONTENT_TYPE).send(listResponse(result.totalResults, result.page, resources));
    },
  );

  app.get(
    "/Users/:id",
    {
      schema: {
        tags: SCIM_TAGS,
        security: SCIM_SECURITY,
        summary: "Get a user",
        params: ResourceParams,
        querystring: ProjectionQuery,
        response: { 200: ScimResource, 404: ScimErrorResponse, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { directoryId } = request.scimDirectory;
      const user = await getUser(app.db, directoryId, request.params.id);
      const [resource] = await scimUsers(app.db, base(directoryId), [user], projectionOf(request.query), true);
      return reply.type(SCIM_CONTENT_TYPE).header("etag", etagOf(user.version)).send(resource);
    },
  );

  app.put(
    "/Users/:id",
    {
      schema: {
        tags: SCIM_TAGS,
        security: SCIM_SECURITY,
        summary: "Replace a user",
        params: ResourceParams,
        querystring: ProjectionQuery,
        headers: IfMatchHeaders,
        body: ScimResourceBody,
        response: { 200: ScimResource, 404: ScimErrorResponse, 409: ScimErrorResponse, 412: ScimErrorResponse, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { directoryId } = request.scimDirectory;
      const user = await replaceUser(app.db, directoryId, request.params.id, request.body, request.headers["if-match"]);
      const [resource] = await scimUsers(app.db, base(directoryId), [user], projectionOf(request.query), false);
      return reply.type(SCIM_CONTENT_TYPE).header("etag", etagOf(user.version)).send(resource);
    },
  );

  app.patch(
    "/Users/:id",
    {
      schema: {
        tags: SCIM_TAGS,
        security: SCIM_SECURITY,
        summary: "Modify a user with PATCH operations; answers 200 with the resource",
        params: ResourceParams,
        querystring: ProjectionQuery,
        headers: IfMatchHeaders,
        body: PatchBody,
        response: { 200: ScimResource, 404: ScimErrorResponse, 409: ScimErrorResponse, 412: ScimErrorResponse, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { directoryId } = request.scimDirectory;
      const user = await patchUser(app.db, directoryId, request.params.id, request.body, patchLimits, request.headers["if-match"]);
      const [resource] = await scimUsers(app.db, base(directoryId), [user], projectionOf(request.query), false);
      return reply.type(SCIM_CONTENT_TYPE).header("etag", etagOf(user.version)).send(resource);
    },
  );

  app.delete(
    "/Users/:id",
    {
      schema: {
        tags: SCIM_TAGS,
        security: SCIM_SECURITY,
        summary: "Delete a user (and its group memberships)",
        params: ResourceParams,
        headers: IfMatchHeaders,
        response: { 204: Type.Null(), 404: ScimErrorResponse, 412: ScimErrorResponse, ...errorResponses },
      },
    },
    async (request, reply) => {
      await deleteUser(app.db, request.scimDirectory.directoryId, request.params.id, request.headers["if-match"]);
      return reply.code(204).send(null);
    },
  );
};
