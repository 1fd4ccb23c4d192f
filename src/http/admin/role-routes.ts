import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { deleteRole, getRoleMapping, listRoles, putRole, putRoleMapping } from "../../roles/role-service.js";
import { AppRole, AppRoleList, AppRolePut, RoleMapping, RoleMappingWritten, RoleName } from "./role-schemas.js";
import { ADMIN_SECURITY, DirectoryParams, problems, ref } from "./schemas.js";

// Declared app roles and each directory's mapping of IdP groups to them (src/roles).

export const roleRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const tags = ["roles"];
  const RoleParams = Type.Object({ name: RoleName });

  app.get(
    "/roles",
    {
      schema: {
        tags,
        summary: "List the app's declared roles",
        operationId: "listRoles",
        security: ADMIN_SECURITY,
        response: { 200: ref(AppRoleList), ...problems() },
      },
    },
    async () => ({ data: await listRoles(app.db) }),
  );

  app.put(
    "/roles/:name",
    {
      schema: {
        tags,
        summary: "Declare a role (201) or change its description (200)",
        operationId: "putRole",
        security: ADMIN_SECURITY,
        params: RoleParams,
        body: ref(AppRolePut),
        response: { 200: ref(AppRole), 201: ref(AppRole), ...problems(400) },
      },
    },
    async (request, reply) => {
      const { role, created } = await putRole(app.db, request.params.name, request.body);
      return reply.code(created ? 201 : 200).send(role);
    },
  );

  app.delete(
    "/roles/:name",
    {
      schema: {
        tags,
        summary: "Remove a declared role (409 while a directory's role mapping names it)",
        operationId: "deleteRole",
        security: ADMIN_SECURITY,
        params: RoleParams,
        response: { 204: Type.Null({ description: "Deleted" }), ...problems(400, 404, 409) },
      },
    },
    async (request, reply) => {
      await deleteRole(app.db, request.params.name);
      return reply.code(204).send(null);
    },
  );

  app.get(
    "/directories/:id/role-mapping",
    {
      schema: {
        tags,
        summary: "The directory's role mapping ({ defaultRole: null, rules: [] } when it has none)",
        operationId: "getRoleMapping",
        security: ADMIN_SECURITY,
        params: DirectoryParams,
        response: { 200: ref(RoleMapping), ...problems(400, 404) },
      },
    },
    async (request) => getRoleMapping(app.db, request.params.id),
  );

  app.put(
    "/directories/:id/role-mapping",
    {
      schema: {
        tags,
        summary: "Replace the directory's role mapping; recomputes every user's roles (user.roles_changed for those that change)",
        operationId: "putRoleMapping",
        security: ADMIN_SECURITY,
        params: DirectoryParams,
        body: ref(RoleMapping),
        response: { 200: ref(RoleMappingWritten), ...problems(400, 404) },
      },
    },
    async (request) => putRoleMapping(app.db, request.params.id, request.body),
  );
};
