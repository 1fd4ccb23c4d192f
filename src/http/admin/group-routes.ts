import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { assertDirectoryExists } from "../../directories/directory-service.js";
import { findGroup, groupMembersPage, listGroups } from "../../groups/group-listing.js";
import { ApiProblem } from "../problem.js";
import { ADMIN_SECURITY, AppGroup, AppGroupList, AppUserList, DirectoryParams, PageQuery, problems, ref } from "./schemas.js";

const GroupParams = Type.Object({ id: Type.String({ format: "uuid" }), groupId: Type.String({ format: "uuid" }) });
export const groupNotFound = () => new ApiProblem(404, "group_not_found", "Not Found", "group not found in this directory");

export const groupRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const tags = ["groups"];

  app.get(
    "/directories/:id/groups",
    {
      schema: {
        tags,
        summary: "List synced groups",
        operationId: "listGroups",
        security: ADMIN_SECURITY,
        params: DirectoryParams,
        querystring: Type.Object({
          filter: Type.Optional(Type.String({ maxLength: 10240, examples: ['displayName eq "Engineering"'] })),
          ...PageQuery,
        }),
        response: { 200: ref(AppGroupList), ...problems(400, 404) },
      },
    },
    async (request) => {
      await assertDirectoryExists(app.db, request.params.id);
      return listGroups(app.db, request.params.id, { ...request.query, limit: request.query.limit ?? 50 });
    },
  );

  app.get(
    "/directories/:id/groups/:groupId",
    {
      schema: {
        tags,
        summary: "Get a synced group",
        operationId: "getGroup",
        security: ADMIN_SECURITY,
        params: GroupParams,
        response: { 200: ref(AppGroup), ...problems(400, 404) },
      },
    },
    async (request) => {
      await assertDirectoryExists(app.db, request.params.id);
      const group = await findGroup(app.db, request.params.id, request.params.groupId);
      if (!group) throw groupNotFound();
      return group;
    },
  );

  app.get(
    "/directories/:id/groups/:groupId/members",
    {
      schema: {
        tags,
        summary: "Members of a group (ordered by user id, cursor-paginated)",
        operationId: "listGroupMembers",
        security: ADMIN_SECURITY,
        params: GroupParams,
        querystring: Type.Object(PageQuery),
        response: { 200: ref(AppUserList), ...problems(400, 404) },
      },
    },
    async (request) => {
      await assertDirectoryExists(app.db, request.params.id);
      const page = await groupMembersPage(app.db, request.params.id, request.params.groupId, {
        limit: request.query.limit ?? 50,
        cursor: request.query.cursor,
      });
      if (!page) throw groupNotFound();
      return page;
    },
  );
};
