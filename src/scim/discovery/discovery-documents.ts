import type { Config } from "../../config.js";
import type { AttributeDefinition, SchemaDefinition } from "../schema/attribute.js";
import { ALL_SCHEMAS, RESOURCE_TYPES, type ScimResourceType } from "../schema/core-schemas.js";

// RFC 7643 §5–7 discovery documents, built from the schema definitions and the configured limits so
// they describe exactly what this server does.

const SPC_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig";
const RESOURCE_TYPE_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:ResourceType";
const SCHEMA_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Schema";

export function serviceProviderConfig(config: Config, baseUrl: string) {
  return {
    schemas: [SPC_SCHEMA],
    documentationUri: "https://github.com/scimbridge/scimbridge/blob/main/docs/entra.md",
    patch: { supported: true },
    bulk: { supported: true, maxOperations: config.scim.bulkMaxOperations, maxPayloadSize: config.scim.bulkMaxPayloadBytes },
    filter: { supported: true, maxResults: config.scim.maxResults },
    changePassword: { supported: false },
    sort: { supported: true },
    etag: { supported: true },
    authenticationSchemes: [
      {
        type: "oauthbearertoken",
        name: "OAuth Bearer Token",
        description: "The directory's Secret Token, sent as Authorization: Bearer <token>",
        specUri: "https://www.rfc-editor.org/info/rfc6750",
        primary: true,
      },
    ],
    meta: { resourceType: "ServiceProviderConfig", location: `${baseUrl}/ServiceProviderConfig` },
  };
}

export function resourceTypeDocument(name: ScimResourceType, baseUrl: string) {
  const type = RESOURCE_TYPES[name];
  return {
    schemas: [RESOURCE_TYPE_SCHEMA],
    id: type.name,
    name: type.name,
    endpoint: type.endpoint,
    description: type.schema.description,
    schema: type.schema.id,
    ...(type.extensions.length > 0
      ? { schemaExtensions: type.extensions.map((e) => ({ schema: e.schema.id, required: e.required })) }
      : {}),
    meta: { resourceType: "ResourceType", location: `${baseUrl}/ResourceTypes/${type.name}` },
  };
}

export function resourceTypeDocuments(baseUrl: string) {
  return (Object.keys(RESOURCE_TYPES) as ScimResourceType[]).map((name) => resourceTypeDocument(name, baseUrl));
}

function attributeDocument(a: AttributeDefinition): Record<string, unknown> {
  return {
    name: a.name,
    type: a.type,
    multiValued: a.multiValued,
    description: a.description,
    required: a.required,
    caseExact: a.caseExact,
    mutability: a.mutability,
    returned: a.returned,
    uniqueness: a.uniqueness,
    ...(a.canonicalValues && a.canonicalValues.length > 0 ? { canonicalValues: a.canonicalValues } : {}),
    ...(a.referenceTypes ? { referenceTypes: a.referenceTypes } : {}),
    ...(a.subAttributes ? { subAttributes: a.subAttributes.map(attributeDocument) } : {}),
  };
}

export function schemaDocument(schema: SchemaDefinition, baseUrl: string) {
  return {
    schemas: [SCHEMA_SCHEMA],
    id: schema.id,
    name: schema.name,
    description: schema.description,
    attributes: schema.attributes.map(attributeDocument),
    meta: { resourceType: "Schema", location: `${baseUrl}/Schemas/${schema.id}` },
  };
}

export function schemaDocuments(baseUrl: string) {
  return ALL_SCHEMAS.map((s) => schemaDocument(s, baseUrl));
}

export function findSchema(urn: string): SchemaDefinition | undefined {
  return ALL_SCHEMAS.find((s) => s.id.toLowerCase() === urn.toLowerCase());
}

export function findResourceType(name: string): ScimResourceType | undefined {
  return (Object.keys(RESOURCE_TYPES) as ScimResourceType[]).find((n) => n.toLowerCase() === name.toLowerCase());
}
