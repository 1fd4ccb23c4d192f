import { invalidPath } from "../errors.js";
import { findSubAttribute, type AttributeDefinition, type SchemaDefinition } from "../schema/attribute.js";
import { COMMON_ATTRIBUTES, RESOURCE_TYPES, type ScimResourceType } from "../schema/core-schemas.js";
import type { PatchPath } from "./patch-path.js";
import { findKey, isPlainObject, type JsonObject } from "./safe-object.js";
import type { ValueFilter } from "./value-filter.js";

// Where a parsed path points in a stored resource: the root (core attributes), an extension object
// (resource["urn:…"]), or a whole extension. Attributes without a definition — anything under a custom
// extension URN, or an undeclared name under a known extension URN — are kept as sent (schema-less).

export type PatchTarget =
  /** A whole schema by URN: an extension object, or (only to set attributes) the core schema. */
  | { kind: "extension"; urn: string }
  | {
      kind: "attribute";
      /** Extension URN holding the attribute; undefined for core attributes at the resource root. */
      container?: string;
      /** Storage key: the canonical name, or for schema-less attributes the name as sent / as stored. */
      name: string;
      definition?: AttributeDefinition;
      filter?: ValueFilter;
      subAttribute?: string;
      subDefinition?: AttributeDefinition;
    };

export function schemasOf(resourceType: ScimResourceType): { core: SchemaDefinition; extensions: SchemaDefinition[] } {
  const type = RESOURCE_TYPES[resourceType];
  return { core: type.schema, extensions: type.extensions.map((e) => e.schema) };
}

export function resolvePatchTarget(resourceType: ScimResourceType, resource: JsonObject, path: PatchPath, raw: string): PatchTarget {
  const { core, extensions } = schemasOf(resourceType);
  const urnLower = path.urn?.toLowerCase();
  if (path.attribute === undefined) {
    if (urnLower === core.id.toLowerCase()) return { kind: "extension", urn: core.id };
    return { kind: "extension", urn: canonicalUrn(resource, path.urn!, extensions) };
  }

  let schema: SchemaDefinition | undefined;
  let definition: AttributeDefinition | undefined;
  if (urnLower === undefined || urnLower === core.id.toLowerCase()) {
    schema = core;
    definition = findAttribute([...COMMON_ATTRIBUTES, ...core.attributes], path.attribute);
    if (!definition && urnLower === undefined) {
      // Unqualified extension names ("manager", "department"), as in Entra's older tutorial examples.
      for (const extension of extensions) {
        const found = findAttribute(extension.attributes, path.attribute);
        if (found) [schema, definition] = [extension, found];
      }
    }
    if (!definition) throw invalidPath(`"${raw}" is not an attribute of ${resourceType}`);
  } else {
    schema = extensions.find((e) => e.id.toLowerCase() === urnLower);
    definition = schema ? findAttribute(schema.attributes, path.attribute) : undefined;
  }

  const container = schema === core ? undefined : schema ? schema.id : canonicalUrn(resource, path.urn!, extensions);
  if (!definition) {
    const stored = getContainer(resource, container);
    return {
      kind: "attribute",
      container,
      name: (stored && findKey(stored, path.attribute)) ?? path.attribute,
      filter: path.filter,
      subAttribute: path.subAttribute,
    };
  }

  let subDefinition: AttributeDefinition | undefined;
  if (path.subAttribute !== undefined) {
    subDefinition = findSubAttribute(definition, path.subAttribute);
    if (!subDefinition) throw invalidPath(`"${raw}": ${definition.name} has no sub-attribute "${path.subAttribute}"`);
  }
  if (path.filter && !definition.multiValued) throw invalidPath(`"${raw}": ${definition.name} is not multi-valued`);
  return {
    kind: "attribute",
    container,
    name: definition.name,
    definition,
    filter: path.filter,
    subAttribute: subDefinition?.name,
    subDefinition,
  };
}

/** The object holding a target's attributes, if it exists. */
export function getContainer(resource: JsonObject, container: string | undefined): JsonObject | undefined {
  if (container === undefined) return resource;
  const value = Object.hasOwn(resource, container) ? resource[container] : undefined;
  return isPlainObject(value) ? value : undefined;
}

function findAttribute(pool: AttributeDefinition[], name: string): AttributeDefinition | undefined {
  const lower = name.toLowerCase();
  return pool.find((a) => a.name.toLowerCase() === lower);
}

/** Known schemas get their canonical spelling; a custom URN reuses the spelling already stored, if any. */
function canonicalUrn(resource: JsonObject, urn: string, extensions: SchemaDefinition[]): string {
  const lower = urn.toLowerCase();
  const known = extensions.find((e) => e.id.toLowerCase() === lower);
  if (known) return known.id;
  const storedKey = Object.keys(resource).find((k) => k.toLowerCase() === lower);
  if (storedKey) return storedKey;
  const schemas = Object.hasOwn(resource, "schemas") ? resource.schemas : undefined;
  const listed = Array.isArray(schemas) ? schemas.find((s) => typeof s === "string" && s.toLowerCase() === lower) : undefined;
  return typeof listed === "string" ? listed : urn;
}
