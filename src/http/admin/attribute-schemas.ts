import { type Static, type TSchema, Type } from "typebox";
import { APP_ATTRIBUTE_TYPES } from "../../scim/mapping/attribute-coercion.js";

// Named components of the attribute-mapping API, registered with the admin components (schemas.ts
// ADMIN_COMPONENTS). Kept apart from the routes so schemas.ts can list them without a cycle.

function ref<T extends TSchema & { $id?: string }>(schema: T) {
  return Type.Unsafe<Static<T>>({ $ref: `${schema.$id}#` });
}

const DateTime = () => Type.Unsafe<Date | string>({ type: "string", format: "date-time" });
const NullableDateTime = () => Type.Unsafe<Date | string | null>({ type: ["string", "null"], format: "date-time" });
const AttributeType = Type.Unsafe<(typeof APP_ATTRIBUTE_TYPES)[number]>({ type: "string", enum: [...APP_ATTRIBUTE_TYPES] });

export const AppAttributeInput = Type.Object(
  {
    type: Type.String({ maxLength: 20, description: `One of ${APP_ATTRIBUTE_TYPES.join(", ")}` }),
    required: Type.Optional(
      Type.Boolean({ description: "A user without a value gets null and the directory a warning (never a refused sync)" }),
    ),
  },
  { $id: "AppAttributeInput", additionalProperties: false, examples: [{ type: "number", required: true }] },
);

export const AppAttribute = Type.Object(
  { name: Type.String(), type: AttributeType, required: Type.Boolean(), createdAt: DateTime(), updatedAt: DateTime() },
  {
    $id: "AppAttribute",
    examples: [
      {
        name: "employeeNumber",
        type: "number",
        required: true,
        createdAt: "2026-12-02T10:00:00.000Z",
        updatedAt: "2026-12-02T10:00:00.000Z",
      },
    ],
  },
);

export const AppAttributeList = Type.Object({ data: Type.Array(ref(AppAttribute)) }, { $id: "AppAttributeList" });

export const AttributeMappingInput = Type.Object(
  {
    scimPath: Type.Union([Type.String({ minLength: 1, maxLength: 512 }), Type.Null()], {
      description: "A core, enterprise or custom-extension path, value filters allowed; null goes back to the provider default",
    }),
  },
  { $id: "AttributeMappingInput", additionalProperties: false, examples: [{ scimPath: 'phoneNumbers[type eq "work"].value' }] },
);

export const RemapJob = Type.Object(
  {
    state: Type.Unsafe<"pending" | "running" | "done">({ type: "string", enum: ["pending", "running", "done"] }),
    total: Type.Integer({ description: "Users in the directory when the job started" }),
    processed: Type.Integer(),
    changed: Type.Integer({ description: "Users whose attributes changed; each got a user.updated" }),
    requestedAt: DateTime(),
    startedAt: NullableDateTime(),
    finishedAt: NullableDateTime(),
    error: Type.Union([Type.String(), Type.Null()], { description: "Why the last batch failed (it is retried)" }),
  },
  {
    $id: "RemapJob",
    examples: [
      {
        state: "done",
        total: 10000,
        processed: 10000,
        changed: 9650,
        requestedAt: "2026-12-02T10:00:00.000Z",
        startedAt: "2026-12-02T10:00:00.300Z",
        finishedAt: "2026-12-02T10:00:09.100Z",
        error: null,
      },
    ],
  },
);

export const DirectoryAttributeMappings = Type.Object(
  {
    provider: Type.String(),
    data: Type.Array(
      Type.Object({
        attribute: Type.String(),
        type: AttributeType,
        required: Type.Boolean(),
        scimPath: Type.Union([Type.String(), Type.Null()], { description: "The path in effect; null: always null" }),
        source: Type.Unsafe<"directory" | "provider_default" | "none">({ type: "string", enum: ["directory", "provider_default", "none"] }),
      }),
    ),
    warnings: Type.Array(
      Type.Object({
        attribute: Type.String(),
        kind: Type.Unsafe<"type_mismatch" | "required_missing">({ type: "string", enum: ["type_mismatch", "required_missing"] }),
        scimPath: Type.String(),
        expectedType: AttributeType,
        example: Type.Union([Type.String(), Type.Null()], { description: "A value that did not convert, truncated to 100 characters" }),
        count: Type.Integer({ description: "SCIM writes and remapped users that met it" }),
        firstSeenAt: DateTime(),
        lastSeenAt: DateTime(),
      }),
    ),
    remap: Type.Union([ref(RemapJob), Type.Null()], { description: "The latest recomputation of the users; null before any" }),
  },
  {
    $id: "DirectoryAttributeMappings",
    examples: [
      {
        provider: "entra",
        data: [
          {
            attribute: "employeeNumber",
            type: "number",
            required: true,
            scimPath: "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber",
            source: "provider_default",
          },
          {
            attribute: "costCenter",
            type: "string",
            required: false,
            scimPath: "urn:ietf:params:scim:schemas:extension:Acme:2.0:User:costCenter",
            source: "directory",
          },
        ],
        warnings: [
          {
            attribute: "employeeNumber",
            kind: "type_mismatch",
            scimPath: "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber",
            expectedType: "number",
            example: "E-1024",
            count: 3,
            firstSeenAt: "2026-12-02T10:05:00.000Z",
            lastSeenAt: "2026-12-02T10:40:00.000Z",
          },
        ],
        remap: null,
      },
    ],
  },
);

export const SeenScimPaths = Type.Object(
  {
    sampledUsers: Type.Integer({ description: "Users read: the newest 1000 at most" }),
    totalUsers: Type.Integer(),
    data: Type.Array(
      Type.Object({
        path: Type.String({ description: "Usable as a mapping's scimPath" }),
        users: Type.Integer({ description: "Sampled users with a value there" }),
        share: Type.Number({ description: "users / sampledUsers" }),
        examples: Type.Array(Type.String(), { description: "Up to 3 values, truncated to 100 characters" }),
      }),
    ),
  },
  {
    $id: "SeenScimPaths",
    examples: [
      {
        sampledUsers: 120,
        totalUsers: 120,
        data: [
          { path: 'emails[type eq "work"].value', users: 120, share: 1, examples: ["ada@acme.example", "grace@acme.example"] },
          {
            path: "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber",
            users: 96,
            share: 0.8,
            examples: ["1024", "1025"],
          },
        ],
      },
    ],
  },
);

export const ATTRIBUTE_COMPONENTS: TSchema[] = [
  AppAttributeInput,
  AppAttribute,
  AppAttributeList,
  AttributeMappingInput,
  RemapJob,
  DirectoryAttributeMappings,
  SeenScimPaths,
];
