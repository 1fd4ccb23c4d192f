import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { createDirectory, deleteDirectory, getDirectory, listDirectories, updateDirectory } from "../../directories/directory-service.js";
import {
  ADMIN_SECURITY,
  Directory,
  DirectoryCreate,
  DirectoryCreated,
  DirectoryList,
  DirectoryParams,
  DirectoryUpdate,
  PageQuery,
  problems,
  ref,
} from "./schemas.js";

export const directoryRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const tags = ["directories"];

  app.post(
    "/directories",
    {
      schema: {
        tags,
        summary: "Create a directory (returns its Tenant URL and first Secret Token, shown once)",
        operationId: "createDirectory",
        security: ADMIN_SECURITY,
        body: ref(DirectoryCreate),
        response: { 201: ref(DirectoryCreated), ...problems(400) },
      },
    },
    async (request, reply) => {
      const created = await createDirectory(app.db, app.config, request.body);
      return reply.code(201).send(created);
    },
  );

  app.get(
    "/directories",
    {
      schema: {
        tags,
        summary: "List directories",
        operationId: "listDirectories",
        security: ADMIN_SECURITY,
        querystring: Type.Object({
          tenant: Type.Optional(Type.String({ maxLength: 200 })),
          product: Type.Optional(Type.String({ maxLength: 200 })),
          q: Type.Optional(Type.String({ maxLength: 200, description: "Part of the name or tenant, any case" })),
          ...PageQuery,
        }),
        response: { 200: ref(DirectoryList), ...problems(400) },
      },
    },
    async (request) => {
      const { q, ...query } = request.query;
      return listDirectories(app.db, app.config, { ...query, search: q, limit: query.limit ?? 50 });
    },
  );

  app.get(
    "/directories/:id",
    {
      schema: {
        tags,
        summary: "Get a directory",
        operationId: "getDirectory",
        security: ADMIN_SECURITY,
        params: DirectoryParams,
        response: { 200: ref(Directory), ...problems(400, 404) },
      },
    },
    async (request) => getDirectory(app.db, app.config, request.params.id),
  );

  app.patch(
    "/directories/:id",
    {
      schema: {
        tags,
        summary: "Rename, disable/enable, or set/remove the webhook of a directory",
        description:
          "A disabled directory answers SCIM requests with 403, on every replica within 1 s. `webhook: null` removes the webhook.",
        operationId: "updateDirectory",
        security: ADMIN_SECURITY,
        params: DirectoryParams,
        body: ref(DirectoryUpdate),
        response: { 200: ref(Directory), ...problems(400, 404) },
      },
    },
    async (request) => {
      const updated = await updateDirectory(app.db, app.config, request.params.id, request.body);
      if (request.body.disabled !== undefined) app.secretTokens.evict({ directoryId: request.params.id });
      return updated;
    },
  );

  app.delete(
    "/directories/:id",
    {
      schema: {
        tags,
        summary: "Delete a directory with all its users, groups, memberships, tokens and events",
        operationId: "deleteDirectory",
        security: ADMIN_SECURITY,
        params: DirectoryParams,
        response: { 204: Type.Null({ description: "Deleted" }), ...problems(400, 404) },
      },
    },
    async (request, reply) => {
      await deleteDirectory(app.db, request.params.id);
      app.secretTokens.evict({ directoryId: request.params.id });
      return reply.code(204).send(null);
    },
  );
};
