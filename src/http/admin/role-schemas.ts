import { type Static, type TSchema, Type } from "typebox";

// Named components of the roles API (declared app roles, per-directory role mapping), registered with the
// admin components (schemas.ts ADMIN_COMPONENTS). Kept apart from the routes so schemas.ts can list them.

function ref<T extends TSchema & { $id?: string }>(schema: T) {
  return Type.Unsafe<Static<T>>({ $ref: `${schema.$id}#` });
}

const ROLE_NAME_PATTERN = "^[A-Za-z0-9][A-Za-z0-9._:-]*$";
export const RoleName = Type.String({
  minLength: 1,
  maxLength: 64,
  pattern: ROLE_NAME_PATTERN,
  description: "Role name: letters, digits and . _ : - (not first); case-sensitive",
});

export const AppRole = Type.Object(
  {
    name: RoleName,
    description: Type.Union([Type.String(), Type.Null()]),
    createdAt: Type.String({ format: "date-time" }),
    updatedAt: Type.String({ format: "date-time" }),
  },
  {
    $id: "AppRole",
    examples: [{ name: "admin", description: "Full access", createdAt: "2026-12-02T09:00:00.000Z", updatedAt: "2026-12-02T09:00:00.000Z" }],
  },
);

export const AppRoleList = Type.Object({ data: Type.Array(ref(AppRole)) }, { $id: "AppRoleList" });

export const AppRolePut = Type.Object(
  // null first: with the admin API's type coercion, a String branch first would turn null into ""
  { description: Type.Optional(Type.Union([Type.Null(), Type.String({ maxLength: 1000 })])) },
  { $id: "AppRolePut", additionalProperties: false, examples: [{ description: "Full access" }] },
);

const RoleRule = Type.Object(
  {
    match: Type.Union(
      [
        Type.Object(
          { groupId: Type.String({ format: "uuid", description: "The group's id (as the admin API and events show it)" }) },
          { additionalProperties: false },
        ),
        Type.Object(
          { displayName: Type.String({ minLength: 1, maxLength: 1000, description: "The group's displayName, case-insensitive" }) },
          { additionalProperties: false },
        ),
      ],
      { description: "Which group: by id, or by displayName (case-insensitive)" },
    ),
    role: RoleName,
    priority: Type.Integer({
      minimum: -1000000,
      maximum: 1000000,
      description: "Higher first: a user's roles are ordered by it, roles[0] is the primary role",
    }),
  },
  { additionalProperties: false },
);

const roleMappingProperties = {
  defaultRole: Type.Union([Type.Null(), RoleName], { description: "The roles of a user in no mapped group: [defaultRole]; null = none" }),
  rules: Type.Array(RoleRule, { maxItems: 500 }),
};

const MAPPING_EXAMPLE = {
  defaultRole: "member",
  rules: [
    { match: { displayName: "Acme Admins" }, role: "admin", priority: 100 },
    { match: { groupId: "3f2a1b0c-9d8e-4f7a-8b6c-5d4e3f2a1b0c" }, role: "billing", priority: 50 },
  ],
};

export const RoleMapping = Type.Object(roleMappingProperties, {
  $id: "RoleMapping",
  additionalProperties: false,
  description: "How a directory's groups give app roles; the whole document is replaced at once",
  examples: [MAPPING_EXAMPLE],
});

export const RoleMappingWritten = Type.Object(
  {
    ...roleMappingProperties,
    usersChanged: Type.Integer({ description: "Users whose roles changed (each got a user.roles_changed event)" }),
  },
  { $id: "RoleMappingWritten", examples: [{ ...MAPPING_EXAMPLE, usersChanged: 12 }] },
);

export const ROLE_COMPONENTS: TSchema[] = [AppRole, AppRoleList, AppRolePut, RoleMapping, RoleMappingWritten];
