import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import type { Database } from "../../db/database.js";
import type { PatchLimits } from "../../scim/patch/index.js";
import { etagOf } from "../../scim/resource/etag.js";
import { type ListRequest, type ListResult, listResponse } from "../../scim/resource/list-query.js";
import { parseAttributeList, type Projection } from "../../scim/resource/projection.js";
import { tenantUrl } from "../../scim/resource/scim-resource.js";
import type { ScimJson } from "../../scim/resource/user-attributes.js";
import { SCIM_CONTENT_TYPE } from "../error-handler.js";
import {
  DirectoryParams,
  errorResponses,
  IfMatchHeaders,
  ListQuery,
  ListResponse,
  PatchBody,
  ProjectionQuery,
  ResourceParams,
  SCIM_SECURITY,
  SCIM_TAGS,
  ScimErrorResponse,
  ScimResource,
  ScimResourceBody,
  SearchRequest,
} from "./scim-schemas.js";

// RFC 7644 §3.3–3.6 for one resource type (/Users, /Groups) over its service. Auth and directory
// scope come from the parent plugin (request.scimDirectory). Bodies go out pre-serialised
// (serialised()): SCIM resources are open objects, for which the response schemas only describe the
// OpenAPI document and fast-json-stringify would do the same work slower.

/** What a resource type brings to the shared routes: its endpoint, OpenAPI summaries and service. */
export interface ScimResourceType<R extends { id: string; version: number }> {
  /** The endpoint below the tenant URL, e.g. "Users". */
  endpoint: string;
  summaries: Record<"create" | "list" | "search" | "get" | "replace" | "patch" | "delete", string>;
  create(db: Database, directoryId: string, body: unknown, limits: PatchLimits): Promise<R>;
  /** GET by id; the projection lets a store read what the resource returns in the same statement. */
  get(db: Database, directoryId: string, id: string, projection: Projection): Promise<R>;
  replace(db: Database, directoryId: string, id: string, body: unknown, limits: PatchLimits, ifMatch?: string): Promise<R>;
  patch(db: Database, directoryId: string, id: string, body: unknown, limits: PatchLimits, ifMatch?: string): Promise<R>;
  remove(db: Database, directoryId: string, id: string, ifMatch?: string): Promise<void>;
  query(db: Database, directoryId: string, req: ListRequest, maxResults: number): Promise<ListResult<R>>;
  /**
   * Rows → SCIM resources under the projection; `byId` is true for GET /{endpoint}/{id}. `memberBudget` (reads only)
   * bounds the member values a response carries: a list page may come back with fewer resources than rows.
   */
  toScim(db: Database, baseUrl: string, rows: R[], projection: Projection, byId: boolean, memberBudget?: number): Promise<ScimJson[]>;
  /** PATCH answers 204 unless attributes/excludedAttributes ask for the resource (Entra expects it of groups). */
  patchAnswersNoContent: boolean;
}

/** A body sent as its JSON text (typed for the route's schema, which only the OpenAPI document reads here). */
function serialised(body: unknown): never {
  return JSON.stringify(body) as never;
}

function projectionOf(q: { attributes?: unknown; excludedAttributes?: unknown }): Projection {
  return { attributes: parseAttributeList(q.attributes), excludedAttributes: parseAttributeList(q.excludedAttributes) };
}

export function scimResourceRoutes<R extends { id: string; version: number }>(type: ScimResourceType<R>): FastifyPluginAsyncTypebox {
  const collection = `/${type.endpoint}`;
  const item = `/${type.endpoint}/:id`;
  const patchNoContent = type.patchAnswersNoContent ? { 204: Type.Null() } : {};

  return async (app) => {
    const { scim } = app.config;
    const limits = {
      maxOperations: scim.patchMaxOperations,
      maxMembers: scim.maxMembersPerRequest,
      maxResourceBytes: scim.maxResourceBytes,
    };
    const base = (directoryId: string) => tenantUrl(app.config.publicUrl, directoryId);

    app.post(
      collection,
      {
        schema: {
          tags: SCIM_TAGS,
          security: SCIM_SECURITY,
          summary: type.summaries.create,
          params: DirectoryParams,
          querystring: ProjectionQuery,
          body: ScimResourceBody,
          response: { 201: ScimResource, 409: ScimErrorResponse, ...errorResponses },
        },
      },
      async (request, reply) => {
        const { directoryId } = request.scimDirectory;
        const record = await type.create(app.db, directoryId, request.body, limits);
        const [resource] = await type.toScim(app.db, base(directoryId), [record], projectionOf(request.query), false);
        return reply
          .code(201)
          .type(SCIM_CONTENT_TYPE)
          .header("etag", etagOf(record.version))
          .header("location", `${base(directoryId)}${collection}/${record.id}`)
          .send(serialised(resource));
      },
    );

    app.get(
      collection,
      {
        schema: {
          tags: SCIM_TAGS,
          security: SCIM_SECURITY,
          summary: type.summaries.list,
          params: DirectoryParams,
          querystring: ListQuery,
          response: { 200: ListResponse, ...errorResponses },
        },
      },
      async (request, reply) => {
        const { directoryId } = request.scimDirectory;
        const result = await type.query(app.db, directoryId, request.query, scim.maxResults);
        const resources = await type.toScim(
          app.db,
          base(directoryId),
          result.rows,
          projectionOf(request.query),
          false,
          scim.listMaxMembers,
        );
        return reply.type(SCIM_CONTENT_TYPE).send(serialised(listResponse(result.totalResults, result.page, resources)));
      },
    );

    app.post(
      `${collection}/.search`,
      {
        schema: {
          tags: SCIM_TAGS,
          security: SCIM_SECURITY,
          summary: type.summaries.search,
          params: DirectoryParams,
          body: SearchRequest,
          response: { 200: ListResponse, ...errorResponses },
        },
      },
      async (request, reply) => {
        const { directoryId } = request.scimDirectory;
        const result = await type.query(app.db, directoryId, request.body, scim.maxResults);
        const resources = await type.toScim(app.db, base(directoryId), result.rows, projectionOf(request.body), false, scim.listMaxMembers);
        return reply
          .code(200)
          .type(SCIM_CONTENT_TYPE)
          .send(serialised(listResponse(result.totalResults, result.page, resources)));
      },
    );

    app.get(
      item,
      {
        schema: {
          tags: SCIM_TAGS,
          security: SCIM_SECURITY,
          summary: type.summaries.get,
          params: ResourceParams,
          querystring: ProjectionQuery,
          response: { 200: ScimResource, 404: ScimErrorResponse, ...errorResponses },
        },
      },
      async (request, reply) => {
        const { directoryId } = request.scimDirectory;
        const projection = projectionOf(request.query);
        const record = await type.get(app.db, directoryId, request.params.id, projection);
        const [resource] = await type.toScim(app.db, base(directoryId), [record], projection, true);
        return reply.type(SCIM_CONTENT_TYPE).header("etag", etagOf(record.version)).send(serialised(resource));
      },
    );

    app.put(
      item,
      {
        schema: {
          tags: SCIM_TAGS,
          security: SCIM_SECURITY,
          summary: type.summaries.replace,
          params: ResourceParams,
          querystring: ProjectionQuery,
          headers: IfMatchHeaders,
          body: ScimResourceBody,
          response: { 200: ScimResource, 404: ScimErrorResponse, 409: ScimErrorResponse, 412: ScimErrorResponse, ...errorResponses },
        },
      },
      async (request, reply) => {
        const { directoryId } = request.scimDirectory;
        const record = await type.replace(app.db, directoryId, request.params.id, request.body, limits, request.headers["if-match"]);
        const [resource] = await type.toScim(app.db, base(directoryId), [record], projectionOf(request.query), false);
        return reply.type(SCIM_CONTENT_TYPE).header("etag", etagOf(record.version)).send(serialised(resource));
      },
    );

    app.patch(
      item,
      {
        schema: {
          tags: SCIM_TAGS,
          security: SCIM_SECURITY,
          summary: type.summaries.patch,
          params: ResourceParams,
          querystring: ProjectionQuery,
          headers: IfMatchHeaders,
          body: PatchBody,
          response: {
            200: ScimResource,
            ...patchNoContent,
            404: ScimErrorResponse,
            409: ScimErrorResponse,
            412: ScimErrorResponse,
            ...errorResponses,
          },
        },
      },
      async (request, reply) => {
        const { directoryId } = request.scimDirectory;
        const record = await type.patch(app.db, directoryId, request.params.id, request.body, limits, request.headers["if-match"]);
        reply.header("etag", etagOf(record.version));
        const projection = projectionOf(request.query);
        if (type.patchAnswersNoContent && !projection.attributes && !projection.excludedAttributes) return reply.code(204).send(null);
        const [resource] = await type.toScim(app.db, base(directoryId), [record], projection, false);
        return reply.type(SCIM_CONTENT_TYPE).send(serialised(resource));
      },
    );

    app.delete(
      item,
      {
        schema: {
          tags: SCIM_TAGS,
          security: SCIM_SECURITY,
          summary: type.summaries.delete,
          params: ResourceParams,
          headers: IfMatchHeaders,
          response: { 204: Type.Null(), 404: ScimErrorResponse, 412: ScimErrorResponse, ...errorResponses },
        },
      },
      async (request, reply) => {
        await type.remove(app.db, request.scimDirectory.directoryId, request.params.id, request.headers["if-match"]);
        return reply.code(204).send(null);
      },
    );
  };
}
