import { findSubAttribute, type AttributeDefinition } from "./attribute.js";
import { COMMON_ATTRIBUTES, RESOURCE_TYPES, type ScimResourceType } from "./core-schemas.js";

// Resolves an attribute path as clients write it — any case, optionally URN-qualified
// ("urn:...:enterprise:2.0:User:manager.value") — to its definition and canonical spelling.

export interface ResolvedAttribute {
  /** Schema URN the attribute belongs to (core schema for common attributes). */
  schema: string;
  /** true when the attribute lives in an extension (stored under resource[schema]). */
  extension: boolean;
  attribute: AttributeDefinition;
  subAttribute?: AttributeDefinition;
  /** Canonical names, e.g. ["name", "givenName"]. */
  path: string[];
}

/** Splits "urn:...:User:name.givenName" into the URN and the rest; the URN match is case-insensitive. */
export function splitSchemaUrn(resourceType: ScimResourceType, fullPath: string): { schema?: string; rest: string } {
  const type = RESOURCE_TYPES[resourceType];
  const lower = fullPath.toLowerCase();
  for (const s of [type.schema, ...type.extensions.map((e) => e.schema)]) {
    const prefix = `${s.id.toLowerCase()}:`;
    if (lower.startsWith(prefix)) return { schema: s.id, rest: fullPath.slice(prefix.length) };
  }
  return { rest: fullPath };
}

export function resolveAttributePath(resourceType: ScimResourceType, fullPath: string): ResolvedAttribute | undefined {
  const type = RESOURCE_TYPES[resourceType];
  const { schema, rest } = splitSchemaUrn(resourceType, fullPath);
  const [name, sub, ...more] = rest.split(".");
  if (!name || more.length > 0) return undefined;
  const candidates = schema ? [type.schema, ...type.extensions.map((e) => e.schema)].filter((s) => s.id === schema) : [type.schema];
  for (const s of candidates) {
    const pool = s.id === type.schema.id ? [...COMMON_ATTRIBUTES, ...s.attributes] : s.attributes;
    const attribute = pool.find((a) => a.name.toLowerCase() === name.toLowerCase());
    if (!attribute) continue;
    if (sub === undefined) return { schema: s.id, extension: s.id !== type.schema.id, attribute, path: [attribute.name] };
    const subAttribute = findSubAttribute(attribute, sub);
    if (!subAttribute) return undefined;
    return { schema: s.id, extension: s.id !== type.schema.id, attribute, subAttribute, path: [attribute.name, subAttribute.name] };
  }
  return undefined;
}
