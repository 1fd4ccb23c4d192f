import { type Static, type TSchema, Type } from "typebox";
import { ATTRIBUTE_COMPONENTS } from "./attribute-schemas.js";
import { EVENT_COMPONENTS } from "./event-schemas.js";

// Named components of the admin API (OpenAPI `components.schemas`). Each is registered once with
// app.addSchema (see plugins/openapi.ts) and used in routes through ref(), which keeps the static type.

/** A `$ref` to a registered component that still carries the component's TypeScript type. */
export function ref<T extends TSchema & { $id?: string }>(schema: T) {
  return Type.Unsafe<Static<T>>({ $ref: `${schema.$id}#` });
}

// Services hand out Date objects; the serializer writes them as ISO 8601.
const DateTime = (description?: string) =>
  Type.Unsafe<Date | string>({ type: "string", format: "date-time", ...(description ? { description } : {}) });
const NullableDateTime = (description?: string) =>
  Type.Unsafe<Date | string | null>({ type: ["string", "null"], format: "date-time", ...(description ? { description } : {}) });
const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

const EXAMPLE_DIRECTORY_ID = "7d3c1f5e-2a4b-4c6d-8e9f-0a1b2c3d4e5f";
const EXAMPLE_TENANT_URL = `https://scim.example.com/scim/v2/${EXAMPLE_DIRECTORY_ID}`;

export const Problem = Type.Object(
  {
    type: Type.String({ format: "uri" }),
    title: Type.String(),
    status: Type.Integer(),
    code: Type.String({ description: "Stable machine-readable error code" }),
    detail: Type.Optional(Type.String()),
    instance: Type.Optional(Type.String()),
    errors: Type.Optional(Type.Array(Type.Unknown())),
  },
  {
    $id: "Problem",
    description: "RFC 9457 problem details",
    examples: [
      {
        type: "https://scimbridge.dev/problems/not_found",
        title: "Not Found",
        status: 404,
        code: "not_found",
        detail: "directory not found",
      },
    ],
  },
);

export const Provider = Type.Union(
  [Type.Literal("entra"), Type.Literal("okta"), Type.Literal("onelogin"), Type.Literal("jumpcloud"), Type.Literal("generic")],
  { $id: "Provider", description: "The identity provider that syncs into the directory (tunes its quirks)" },
);

const WebhookInput = Type.Object(
  {
    url: Type.String({ minLength: 1, maxLength: 2048, description: "Where events for this directory are POSTed" }),
    secret: Type.Optional(Type.String({ description: "Standard Webhooks secret (whsec_ + base64, ≥ 24 bytes); generated when omitted" })),
  },
  { additionalProperties: false },
);

export const DirectoryCreate = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    tenant: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 200, description: "Your own customer/tenant id" }))),
    product: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 200 }))),
    provider: Type.Optional(ref(Provider)),
    webhook: Type.Optional(WebhookInput),
  },
  {
    $id: "DirectoryCreate",
    additionalProperties: false,
    examples: [
      { name: "Acme Corp", tenant: "acme", product: "crm", provider: "entra", webhook: { url: "https://app.example.com/hooks/scim" } },
    ],
  },
);

export const DirectoryUpdate = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    disabled: Type.Optional(Type.Boolean({ description: "A disabled directory refuses SCIM requests (401)" })),
    webhook: Type.Optional(Nullable(WebhookInput)),
  },
  { $id: "DirectoryUpdate", additionalProperties: false, examples: [{ name: "Acme Corporation", disabled: false, webhook: null }] },
);

const directoryProperties = {
  id: Type.String({ format: "uuid" }),
  name: Type.String(),
  tenant: Nullable(Type.String()),
  product: Nullable(Type.String()),
  provider: Type.String(),
  disabled: Type.Boolean(),
  createdAt: DateTime(),
  updatedAt: DateTime(),
};

const directoryExample = {
  id: EXAMPLE_DIRECTORY_ID,
  name: "Acme Corp",
  tenant: "acme",
  product: "crm",
  provider: "entra",
  disabled: false,
  createdAt: "2026-11-30T09:00:00.000Z",
  updatedAt: "2026-11-30T09:00:00.000Z",
};

export const Directory = Type.Object(
  {
    ...directoryProperties,
    scim: Type.Object({ tenantUrl: Type.String({ description: "Paste into the IdP as Tenant URL" }) }),
    webhook: Nullable(
      Type.Object({
        url: Type.String(),
        secret: Type.Optional(Type.String({ description: "Only in the response of the PATCH that set a new secret" })),
      }),
    ),
  },
  {
    $id: "Directory",
    examples: [{ ...directoryExample, scim: { tenantUrl: EXAMPLE_TENANT_URL }, webhook: { url: "https://app.example.com/hooks/scim" } }],
  },
);

export const DirectoryCreated = Type.Object(
  {
    ...directoryProperties,
    scim: Type.Object({
      tenantUrl: Type.String(),
      secretToken: Type.String({ description: "Shown only in this response; paste into the IdP as Secret Token" }),
    }),
    webhook: Nullable(Type.Object({ url: Type.String(), secret: Type.String({ description: "Shown only in this response" }) })),
  },
  {
    $id: "DirectoryCreated",
    examples: [
      {
        ...directoryExample,
        scim: { tenantUrl: EXAMPLE_TENANT_URL, secretToken: "scim_q5Xr0mJ3yWQ8p0c0bVhM1oZkq2h9Lr7xT4nA6sD2fGg" },
        webhook: { url: "https://app.example.com/hooks/scim", secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw2Ff6Y7Xk1mE=" },
      },
    ],
  },
);

export const DirectoryList = Type.Object(
  { data: Type.Array(ref(Directory)), nextCursor: Nullable(Type.String({ description: "Pass as ?cursor= for the next page" })) },
  { $id: "DirectoryList" },
);

export const TokenMetadata = Type.Object(
  {
    id: Type.String({ format: "uuid" }),
    prefix: Type.String({ description: "First characters of the token, to tell tokens apart" }),
    createdAt: DateTime(),
    lastUsedAt: NullableDateTime("Updated at most once a minute"),
    expiresAt: NullableDateTime(),
    revokedAt: NullableDateTime(),
  },
  {
    $id: "TokenMetadata",
    examples: [
      {
        id: "0b8e6a52-64f4-4d39-9f3e-0e5d1c9b7a11",
        prefix: "scim_q5Xr0m",
        createdAt: "2026-11-30T09:00:00.000Z",
        lastUsedAt: "2026-11-30T09:40:00.000Z",
        expiresAt: null,
        revokedAt: null,
      },
    ],
  },
);

export const TokenList = Type.Object({ data: Type.Array(ref(TokenMetadata)) }, { $id: "TokenList" });

export const TokenIssued = Type.Object(
  {
    id: Type.String({ format: "uuid" }),
    secretToken: Type.String({ description: "Shown only in this response" }),
    createdAt: DateTime(),
    expiresAt: NullableDateTime(),
  },
  {
    $id: "TokenIssued",
    examples: [
      {
        id: "0b8e6a52-64f4-4d39-9f3e-0e5d1c9b7a11",
        secretToken: "scim_q5Xr0mJ3yWQ8p0c0bVhM1oZkq2h9Lr7xT4nA6sD2fGg",
        createdAt: "2026-11-30T09:00:00.000Z",
        expiresAt: null,
      },
    ],
  },
);

const JsonObject = Type.Record(Type.String(), Type.Unknown());

export const GroupRef = Type.Object({ id: Type.String({ format: "uuid" }), displayName: Type.String() }, { $id: "GroupRef" });

export const AppUser = Type.Object(
  {
    id: Type.String({ format: "uuid" }),
    directoryId: Type.String({ format: "uuid" }),
    externalId: Nullable(Type.String()),
    userName: Type.String(),
    email: Nullable(Type.String({ description: "Primary, else work email" })),
    givenName: Nullable(Type.String()),
    familyName: Nullable(Type.String()),
    displayName: Nullable(Type.String()),
    active: Type.Boolean(),
    title: Nullable(Type.String()),
    department: Nullable(Type.String()),
    manager: Nullable(Type.Object({ id: Type.String() })),
    groups: Type.Optional(Type.Array(ref(GroupRef), { description: "Only with ?include=groups" })),
    attributes: Type.Unsafe<Record<string, string | number | boolean | string[] | null>>({
      type: "object",
      additionalProperties: { type: ["string", "number", "boolean", "array", "null"], items: { type: "string" } },
      description:
        "The app's declared attributes (GET /api/v1/attributes), typed as declared, mapped from the directory's SCIM paths; null when the IdP sent no usable value",
    }),
    customAttributes: Type.Unsafe<Record<string, unknown>>({ ...JsonObject, description: "Extension attributes by schema URN" }),
    raw: Type.Unsafe<Record<string, unknown>>({ ...JsonObject, description: "The stored SCIM resource" }),
    createdAt: DateTime(),
    updatedAt: DateTime(),
  },
  {
    $id: "AppUser",
    examples: [
      {
        id: "5f0c3e7a-1b2d-4e8f-9a6b-7c5d4e3f2a10",
        directoryId: EXAMPLE_DIRECTORY_ID,
        externalId: "b7a4c0d2-4a1f-4c1e-9d0f-3f0e8d2c1b9a",
        userName: "ada@acme.example",
        email: "ada@acme.example",
        givenName: "Ada",
        familyName: "Lovelace",
        displayName: "Ada Lovelace",
        active: true,
        title: "Engineer",
        department: "R&D",
        manager: null,
        attributes: { employeeNumber: 1024, costCenter: "CC-1234", startDate: "2024-03-01T00:00:00.000Z" },
        customAttributes: {},
        raw: { schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"], userName: "ada@acme.example" },
        createdAt: "2026-11-30T09:05:00.000Z",
        updatedAt: "2026-11-30T09:05:00.000Z",
      },
    ],
  },
);

export const AppUserList = Type.Object({ data: Type.Array(ref(AppUser)), nextCursor: Nullable(Type.String()) }, { $id: "AppUserList" });

export const AppGroup = Type.Object(
  {
    id: Type.String({ format: "uuid" }),
    directoryId: Type.String({ format: "uuid" }),
    externalId: Nullable(Type.String()),
    displayName: Type.String(),
    memberCount: Type.Integer(),
    raw: Type.Unsafe<Record<string, unknown>>({ ...JsonObject, description: "The stored SCIM resource, without members" }),
    createdAt: DateTime(),
    updatedAt: DateTime(),
  },
  {
    $id: "AppGroup",
    examples: [
      {
        id: "9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b",
        directoryId: EXAMPLE_DIRECTORY_ID,
        externalId: "e1f2a3b4-c5d6-4e7f-8a9b-0c1d2e3f4a5b",
        displayName: "Engineering",
        memberCount: 42,
        raw: { schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"], displayName: "Engineering" },
        createdAt: "2026-11-30T09:05:00.000Z",
        updatedAt: "2026-11-30T09:05:00.000Z",
      },
    ],
  },
);

export const AppGroupList = Type.Object({ data: Type.Array(ref(AppGroup)), nextCursor: Nullable(Type.String()) }, { $id: "AppGroupList" });

export const GroupRefList = Type.Object({ data: Type.Array(ref(GroupRef)) }, { $id: "GroupRefList" });

export const DirectoryStats = Type.Object(
  {
    users: Type.Object({ total: Type.Integer(), active: Type.Integer(), inactive: Type.Integer() }),
    groups: Type.Integer(),
    memberships: Type.Integer(),
    lastScimRequest: Nullable(
      Type.Object(
        {
          at: DateTime(),
          method: Type.String(),
          path: Type.String(),
          status: Type.Integer(),
          outcome: Type.Union([Type.Literal("success"), Type.Literal("failure")]),
          scimType: Nullable(Type.String()),
          detail: Nullable(Type.String()),
        },
        { description: "The latest SCIM request made with a valid token (requests without one are not the IdP's)." },
      ),
    ),
  },
  {
    $id: "DirectoryStats",
    examples: [
      {
        users: { total: 120, active: 118, inactive: 2 },
        groups: 9,
        memberships: 310,
        lastScimRequest: {
          at: "2026-11-30T09:40:00.000Z",
          method: "PATCH",
          path: `/scim/v2/${EXAMPLE_DIRECTORY_ID}/Users/5f0c3e7a-1b2d-4e8f-9a6b-7c5d4e3f2a10`,
          status: 200,
          outcome: "success",
          scimType: null,
          detail: null,
        },
      },
    ],
  },
);

/** Every component, in registration order (referenced components first). */
export const ADMIN_COMPONENTS: TSchema[] = [
  Problem,
  Provider,
  DirectoryCreate,
  DirectoryUpdate,
  Directory,
  DirectoryCreated,
  DirectoryList,
  TokenMetadata,
  TokenList,
  TokenIssued,
  GroupRef,
  GroupRefList,
  AppUser,
  AppUserList,
  AppGroup,
  AppGroupList,
  DirectoryStats,
  ...EVENT_COMPONENTS,
  ...ATTRIBUTE_COMPONENTS,
];

// Shared route pieces.
export const DirectoryParams = Type.Object({ id: Type.String({ format: "uuid", description: "Directory id" }) });
export const PageQuery = {
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
  cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 1000, description: "nextCursor of the previous page" })),
};

const PROBLEM_DESCRIPTIONS: Record<number, string> = {
  400: "Invalid request (problem+json; see `code`)",
  401: "Missing or wrong admin API key",
  404: "Not found",
  409: "Conflict",
  429: "Rate limited; see Retry-After",
};

/** Error responses every admin route can give: problem+json bodies referencing the Problem component. */
export function problems(...statuses: number[]) {
  const out: Record<
    number,
    { description: string; content: { "application/problem+json": { schema: ReturnType<typeof ref<typeof Problem>> } } }
  > = {};
  for (const s of [401, 429, ...statuses]) {
    out[s] = { description: PROBLEM_DESCRIPTIONS[s] ?? "Error", content: { "application/problem+json": { schema: ref(Problem) } } };
  }
  return out;
}

export const ADMIN_SECURITY = [{ adminApiKey: [] }];
