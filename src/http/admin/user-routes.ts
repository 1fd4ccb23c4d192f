import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { assertDirectoryExists } from "../../directories/directory-service.js";
import { groupsOfUser } from "../../groups/group-listing.js";
import { findUser, listUsers } from "../../users/user-listing.js";
import { ApiProblem } from "../problem.js";
import { ADMIN_SECURITY, AppUser, AppUserList, DirectoryParams, GroupRefList, PageQuery, problems, ref } from "./schemas.js";

const UserParams = Type.Object({ id: Type.String({ format: "uuid" }), userId: Type.String({ format: "uuid" }) });
const Include = Type.Optional(Type.Literal("groups", { description: "`groups` adds each user's groups" }));

export const userNotFound = () => new ApiProblem(404, "user_not_found", "Not Found", "user not found in this directory");

export const userRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const tags = ["users"];

  app.get(
    "/directories/:id/users",
    {
      schema: {
        tags,
        summary: "List synced users",
        description:
          '`filter` takes the SCIM filter grammar (same engine as the SCIM endpoint), e.g. `emails.value ew "@acme.com"`. ' +
          "A page may hold fewer than `limit` users with a non-null `nextCursor`: it ends once the stored users on it reach " +
          "ADMIN_PAGE_MAX_BYTES (default 1 MiB). Follow `nextCursor` until it is null.",
        operationId: "listUsers",
        security: ADMIN_SECURITY,
        params: DirectoryParams,
        querystring: Type.Object({
          filter: Type.Optional(Type.String({ maxLength: 10240, examples: ['userName eq "ada@acme.example"'] })),
          active: Type.Optional(Type.Boolean()),
          groupId: Type.Optional(Type.String({ format: "uuid", description: "Only members of this group" })),
          include: Include,
          ...PageQuery,
        }),
        response: { 200: ref(AppUserList), ...problems(400, 404) },
      },
    },
    async (request) => {
      await assertDirectoryExists(app.db, request.params.id);
      const { include, limit, ...rest } = request.query;
      return listUsers(app.db, request.params.id, {
        ...rest,
        limit: limit ?? 50,
        includeGroups: include === "groups",
        maxBytes: app.config.adminPageMaxBytes,
      });
    },
  );

  app.get(
    "/directories/:id/users/:userId",
    {
      schema: {
        tags,
        summary: "Get a synced user",
        operationId: "getUser",
        security: ADMIN_SECURITY,
        params: UserParams,
        querystring: Type.Object({ include: Include }),
        response: { 200: ref(AppUser), ...problems(400, 404) },
      },
    },
    async (request) => {
      await assertDirectoryExists(app.db, request.params.id);
      const user = await findUser(app.db, request.params.id, request.params.userId, { includeGroups: request.query.include === "groups" });
      if (!user) throw userNotFound();
      return user;
    },
  );

  app.get(
    "/directories/:id/users/:userId/groups",
    {
      schema: {
        tags,
        summary: "Groups a user belongs to",
        operationId: "listUserGroups",
        security: ADMIN_SECURITY,
        params: UserParams,
        response: { 200: ref(GroupRefList), ...problems(400, 404) },
      },
    },
    async (request) => {
      await assertDirectoryExists(app.db, request.params.id);
      const groups = await groupsOfUser(app.db, request.params.id, request.params.userId);
      if (!groups) throw userNotFound();
      return { data: groups };
    },
  );
};
