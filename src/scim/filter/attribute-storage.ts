// Where each filterable/sortable SCIM attribute lives in the database: a promoted column, a JSONB
// path inside `resource`, or the group_members relation. Used by the filter and the sort compilers.
//
// Assumption (contract with the resource mapping): `resource` holds the SCIM resource under canonical
// attribute names (as in core-schemas.ts), extensions under their schema URN; `members` of groups
// and `groups` of users are not in `resource` but in group_members.

import { type Sql, sql, raw } from "../../db/sql.js";
import { invalidFilter } from "../errors.js";
import type { AttributeDefinition } from "../schema/attribute.js";
import { resolveAttributePath } from "../schema/attribute-path.js";
import { RESOURCE_TYPES, type ScimResourceType } from "../schema/core-schemas.js";
import type { AttributePath } from "./filter-ast.js";

/** A scalar SQL value a comparison can run on. `attribute` undefined = custom extension (typed by the literal). */
export interface Operand {
  label: string;
  attribute?: AttributeDefinition;
  sql: Sql;
  storage: "text" | "boolean" | "timestamptz" | "uuid" | "jsonb";
  /** the text column already holds lower(value) */
  lowered?: boolean;
}

/** The elements of a multi-valued attribute; conditions run per element inside EXISTS. */
export interface ElementSource {
  label: string;
  attribute?: AttributeDefinition;
  exists(condition: Sql): Sql;
  nonEmpty(): Sql;
  /** The operand for one element's sub-attribute (or the element itself when `sub` is omitted). */
  element(sub: string | undefined): Operand;
  /** Sort key: the primary element's value, else the first (RFC 7644 §3.4.2.3); undefined = not sortable. */
  sortKey?(sub: string | undefined): Operand;
}

export type Target =
  | { kind: "scalar"; operand: Operand }
  | { kind: "complex"; label: string; present: Sql }
  | { kind: "elements"; source: ElementSource; sub?: string };

/** jsonb → jsonb array: arrays as-is, missing/null as empty, any other value as one element. */
export function asJsonArray(json: Sql): Sql {
  return sql`(SELECT CASE WHEN s.j IS NULL OR jsonb_typeof(s.j) = 'null' THEN '[]'::jsonb WHEN jsonb_typeof(s.j) = 'array' THEN s.j ELSE jsonb_build_array(s.j) END FROM (SELECT ${json} AS j) AS s)`;
}

/**
 * `object -> name`, falling back to a case-insensitive key match: resources are stored as the IdP
 * sent them and attribute names are case-insensitive (RFC 7643 §2.1). The fallback only runs when
 * the canonical spelling is absent. It is a jsonpath function call rather than a jsonb_each
 * subquery: subqueries inflate the plan cost enough to trigger JIT compilation (seconds per query).
 */
function jsonMember(object: Sql, name: string): Sql {
  // Names come from our schemas or the parser's [A-Za-z0-9_:.$+-] token; escape all but letters/digits.
  const pattern = name.replace(/[^A-Za-z0-9]/g, (c) => `\\\\${c}`);
  const path = `strict $.keyvalue() ? (@.key like_regex "^${pattern}$" flag "i").value`;
  return sql`COALESCE(${object} -> ${name}::text, jsonb_path_query_first(${object}, ${path}::jsonpath, '{}'::jsonb, true))`;
}

/** RFC 7644 `pr`: a value that is not null, "", [] or {}. */
export function jsonPresent(e: Sql): Sql {
  return sql`(SELECT CASE jsonb_typeof(s.j) WHEN 'string' THEN s.j <> '""'::jsonb WHEN 'array' THEN jsonb_array_length(s.j) > 0 WHEN 'object' THEN s.j <> '{}'::jsonb ELSE s.j IS NOT NULL AND jsonb_typeof(s.j) <> 'null' END FROM (SELECT ${e} AS j) AS s)`;
}

function jsonElements(label: string, json: Sql, attribute: AttributeDefinition | undefined, custom: boolean): ElementSource {
  const member = (sub: string | undefined): Sql => {
    if (sub === undefined) return sql`felem.v`;
    return jsonMember(sql`felem.v`, sub);
  };
  const subAttribute = (sub: string | undefined) => (sub === undefined ? attribute : attribute?.subAttributes?.find((a) => a.name === sub));
  return {
    label,
    attribute,
    exists: (condition) => sql`EXISTS (SELECT 1 FROM jsonb_array_elements(${asJsonArray(json)}) AS felem(v) WHERE ${condition})`,
    nonEmpty: () =>
      custom
        ? sql`EXISTS (SELECT 1 FROM jsonb_array_elements(${asJsonArray(json)}) AS felem(v) WHERE ${jsonPresent(sql`felem.v`)})`
        : sql`(jsonb_array_length(${asJsonArray(json)}) > 0)`,
    element: (sub) => ({ label: sub ? `${label}.${sub}` : label, attribute: subAttribute(sub), sql: member(sub), storage: "jsonb" }),
    sortKey: (sub) => ({
      label: sub ? `${label}.${sub}` : label,
      attribute: subAttribute(sub),
      storage: "jsonb",
      sql: sql`(SELECT ${member(sub)} FROM jsonb_array_elements(${asJsonArray(json)}) WITH ORDINALITY AS felem(v, n) ORDER BY (felem.v -> 'primary') = 'true'::jsonb DESC NULLS LAST, felem.n LIMIT 1)`,
    }),
  };
}

/** users.groups and groups.members: rows of group_members, not JSON. */
function membershipElements(resourceType: ScimResourceType, attribute: AttributeDefinition): ElementSource {
  const isUser = resourceType === "User";
  const label = attribute.name;
  const scope = isUser
    ? sql`FROM group_members fgm JOIN scim_groups fother ON fother.id = fgm.group_id WHERE fgm.user_id = u.id`
    : sql`FROM group_members fgm JOIN scim_users fother ON fother.id = fgm.user_id WHERE fgm.group_id = g.id`;
  const sub = (name: string) => attribute.subAttributes!.find((a) => a.name === name)!;
  return {
    label,
    attribute,
    exists: (condition) => sql`EXISTS (SELECT 1 ${scope} AND ${condition})`,
    nonEmpty: () =>
      isUser
        ? sql`EXISTS (SELECT 1 FROM group_members fgm WHERE fgm.user_id = u.id)`
        : sql`EXISTS (SELECT 1 FROM group_members fgm WHERE fgm.group_id = g.id)`,
    element: (name) => {
      const n = name ?? "value";
      if (n === "value")
        return { label: `${label}.value`, attribute: sub("value"), sql: isUser ? sql`fgm.group_id` : sql`fgm.user_id`, storage: "uuid" };
      if (n === "display") return { label: `${label}.display`, attribute: sub("display"), sql: sql`fother.display_name`, storage: "text" };
      if (n === "type")
        return { label: `${label}.type`, attribute: sub("type"), sql: sql`${isUser ? "direct" : "User"}::text`, storage: "text" };
      throw invalidFilter(`${label}.${n} is not filterable`);
    },
  };
}

function column(label: string, attribute: AttributeDefinition, sqlText: string, storage: Operand["storage"], lowered = false): Target {
  return { kind: "scalar", operand: { label, attribute, sql: raw(sqlText), storage, lowered } };
}

function knownSchemaIds(resourceType: ScimResourceType): string[] {
  const type = RESOURCE_TYPES[resourceType];
  return [type.schema.id, ...type.extensions.map((e) => e.schema.id)];
}

function pathText(path: AttributePath): string {
  return `${path.uri ? `${path.uri}:` : ""}${path.name}${path.subAttribute ? `.${path.subAttribute}` : ""}`;
}

/**
 * Resolves a top-level attribute path to where it is stored. Unknown names → 400 invalidFilter.
 * Custom extension URNs (any `urn:` outside urn:ietf:params:scim:) are looked up in `resource`.
 */
export function resolveTarget(resourceType: ScimResourceType, path: AttributePath): Target {
  const text = pathText(path);
  const alias = resourceType === "User" ? "u" : "g";
  const resource = raw(`${alias}.resource`);
  if (path.uri && !knownSchemaIds(resourceType).some((id) => id.toLowerCase() === path.uri!.toLowerCase())) {
    if (path.uri.toLowerCase().startsWith("urn:ietf:params:scim:")) {
      throw invalidFilter(`Unknown schema ${JSON.stringify(path.uri)} for ${resourceType} in attribute path ${JSON.stringify(text)}`);
    }
    const value = jsonMember(jsonMember(resource, path.uri), path.name);
    return { kind: "elements", source: jsonElements(`${path.uri}:${path.name}`, value, undefined, true), sub: path.subAttribute };
  }
  const resolved = resolveAttributePath(resourceType, text);
  if (!resolved) throw invalidFilter(`Unknown attribute ${JSON.stringify(text)} for ${resourceType}`);
  const { attribute, subAttribute } = resolved;
  const label = resolved.path.join(".");
  if (attribute.returned === "never" || subAttribute?.returned === "never") throw invalidFilter(`${label} is not filterable`);

  const promoted = promotedTarget(resourceType, alias, label, attribute, subAttribute);
  if (promoted) return promoted;

  const base = resolved.extension ? jsonMember(resource, resolved.schema) : resource;
  const json = jsonMember(base, attribute.name);
  if (attribute.multiValued) {
    const source = jsonElements(attribute.name, json, attribute, false);
    // RFC 7644 §3.4.2.2: `emails co "x"` on a multi-valued complex attribute means its `value`.
    const sub = subAttribute?.name ?? (attribute.subAttributes?.some((a) => a.name === "value") ? "value" : undefined);
    return { kind: "elements", source, sub };
  }
  if (subAttribute) {
    return { kind: "scalar", operand: { label, attribute: subAttribute, sql: jsonMember(json, subAttribute.name), storage: "jsonb" } };
  }
  if (attribute.type === "complex") {
    return { kind: "complex", label, present: sql`(jsonb_typeof(${json}) = 'object' AND ${json} <> '{}'::jsonb)` };
  }
  return { kind: "scalar", operand: { label, attribute, sql: json, storage: "jsonb" } };
}

function promotedTarget(
  resourceType: ScimResourceType,
  alias: string,
  label: string,
  attribute: AttributeDefinition,
  sub: AttributeDefinition | undefined,
): Target | undefined {
  const a = `${alias}.`;
  switch (label) {
    case "id":
      return column(label, attribute, `${a}id`, "uuid");
    case "externalId":
      return column(label, attribute, `${a}external_id`, "text");
    case "meta":
      return { kind: "complex", label, present: sql`TRUE` };
    case "meta.created":
      return column(label, sub!, `${a}created_at`, "timestamptz");
    case "meta.lastModified":
      return column(label, sub!, `${a}updated_at`, "timestamptz");
    case "meta.resourceType":
      return { kind: "scalar", operand: { label, attribute: sub, sql: sql`${resourceType}::text`, storage: "text" } };
    case "meta.location":
    case "meta.version":
      throw invalidFilter(`${label} is not filterable`);
  }
  if (resourceType === "User") {
    switch (label) {
      case "userName":
        return column(label, attribute, "u.user_name_norm", "text", true);
      case "displayName":
        return column(label, attribute, "u.display_name", "text");
      case "name.givenName":
        return column(label, sub!, "u.given_name", "text");
      case "name.familyName":
        return column(label, sub!, "u.family_name", "text");
      case "active":
        return column(label, attribute, "u.active", "boolean");
    }
    if (attribute.name === "groups")
      return { kind: "elements", source: membershipElements(resourceType, attribute), sub: sub?.name ?? "value" };
  } else {
    if (label === "displayName") return column(label, attribute, "g.display_name_norm", "text", true);
    if (attribute.name === "members")
      return { kind: "elements", source: membershipElements(resourceType, attribute), sub: sub?.name ?? "value" };
  }
  return undefined;
}

/** Resolves a sub-attribute name inside `attr[...]` against the value path's source. */
export function resolveElementSource(resourceType: ScimResourceType, path: AttributePath): ElementSource {
  if (path.subAttribute) throw invalidFilter(`A value path needs a plain attribute before "[": got ${JSON.stringify(pathText(path))}`);
  const target = resolveTarget(resourceType, path);
  if (target.kind === "elements") return target.source;
  if (target.kind === "complex" && target.label === "meta") throw invalidFilter(`meta[...] is not supported; use meta.created etc.`);
  if (target.kind === "complex") {
    // A single-valued complex attribute (name, manager) is treated as a one-element list.
    const resolved = resolveAttributePath(resourceType, pathText(path))!;
    const alias = resourceType === "User" ? "u" : "g";
    const resource = raw(`${alias}.resource`);
    const base = resolved.extension ? jsonMember(resource, resolved.schema) : resource;
    return jsonElements(resolved.attribute.name, jsonMember(base, resolved.attribute.name), resolved.attribute, false);
  }
  throw invalidFilter(`${target.operand.label} is not a complex attribute; "[...]" needs one`);
}

/** Canonical sub-attribute name inside a value path, or invalidFilter. */
export function canonicalSubAttribute(source: ElementSource, name: string): string {
  if (!source.attribute) return name; // custom extension: any key
  const found = source.attribute.subAttributes?.find((a) => a.name.toLowerCase() === name.toLowerCase());
  if (!found) throw invalidFilter(`Unknown sub-attribute ${JSON.stringify(name)} of ${source.label}`);
  if (found.returned === "never") throw invalidFilter(`${source.label}.${found.name} is not filterable`);
  return found.name;
}
