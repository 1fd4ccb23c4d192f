import { Type } from "typebox";

// TypeBox schemas shared by the SCIM routes: they validate params/querystrings and describe the
// endpoints in the OpenAPI document. SCIM resources are open objects (extensions, unknown attributes).

export const SCIM_TAGS = ["scim"];
export const SCIM_SECURITY = [{ scimToken: [] }];

export const DirectoryParams = Type.Object({
  directoryId: Type.String({ description: "The directory id from the Tenant URL" }),
});

export const ResourceParams = Type.Object({
  directoryId: Type.String({ description: "The directory id from the Tenant URL" }),
  id: Type.String({ description: "The resource id assigned by scimbridge" }),
});

export const ProjectionQuery = Type.Object({
  attributes: Type.Optional(Type.String({ description: "Comma-separated attributes to return (RFC 7644 §3.4.2.5)" })),
  excludedAttributes: Type.Optional(Type.String({ description: "Comma-separated attributes to leave out" })),
});

export const ListQuery = Type.Object({
  filter: Type.Optional(Type.String({ description: 'RFC 7644 §3.4.2.2 filter, e.g. userName eq "a@example.com"' })),
  sortBy: Type.Optional(Type.String()),
  sortOrder: Type.Optional(Type.String({ description: "ascending or descending" })),
  startIndex: Type.Optional(Type.Integer({ description: "1-based index of the first result; values below 1 mean 1" })),
  count: Type.Optional(Type.Integer({ description: "Page size; negative means 0, capped at the advertised maximum" })),
  attributes: Type.Optional(Type.String()),
  excludedAttributes: Type.Optional(Type.String()),
});

export const SearchRequest = Type.Object(
  {
    schemas: Type.Optional(Type.Array(Type.String())),
    filter: Type.Optional(Type.String()),
    sortBy: Type.Optional(Type.String()),
    sortOrder: Type.Optional(Type.String()),
    startIndex: Type.Optional(Type.Integer()),
    count: Type.Optional(Type.Integer()),
    attributes: Type.Optional(Type.Union([Type.Array(Type.String()), Type.String()])),
    excludedAttributes: Type.Optional(Type.Union([Type.Array(Type.String()), Type.String()])),
  },
  { additionalProperties: true, description: "RFC 7644 §3.4.3 SearchRequest" },
);

export const ScimResource = Type.Object(
  {},
  { additionalProperties: true, description: "A SCIM resource (RFC 7643): schemas, id, meta, core and extension attributes" },
);

// Request bodies are described, not validated, by the route schema: the SCIM services validate them
// so that a non-object body is 400 invalidSyntax (RFC 7644 §3.12), not a generic validation error.
export const ScimResourceBody = Type.Unsafe<unknown>({ description: "A SCIM resource as the client sends it (JSON object)" });

export const PatchBody = Type.Unsafe<unknown>({
  description: 'RFC 7644 §3.5.2 PatchOp: {"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[…]}',
});

export const ListResponse = Type.Object(
  {
    schemas: Type.Array(Type.String()),
    totalResults: Type.Integer(),
    startIndex: Type.Integer(),
    itemsPerPage: Type.Integer(),
    Resources: Type.Array(Type.Object({}, { additionalProperties: true })),
  },
  { description: "RFC 7644 §3.4.2 ListResponse" },
);

export const ScimErrorResponse = Type.Object(
  {
    schemas: Type.Array(Type.String()),
    status: Type.String(),
    scimType: Type.Optional(Type.String()),
    detail: Type.Optional(Type.String()),
  },
  { description: "RFC 7644 §3.12 error" },
);

export const IfMatchHeaders = Type.Object({
  "if-match": Type.Optional(Type.String({ description: "Weak ETag from meta.version; 412 when it no longer matches" })),
});

export const errorResponses = {
  400: ScimErrorResponse,
  401: ScimErrorResponse,
  403: ScimErrorResponse,
};
