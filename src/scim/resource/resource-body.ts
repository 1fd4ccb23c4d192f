import { invalidSyntax, invalidValue, ScimError } from "../errors.js";
import { cloneRequestValue } from "../patch/safe-object.js";
import type { AttributeDefinition } from "../schema/attribute.js";
import { COMMON_ATTRIBUTES, RESOURCE_TYPES, type ScimResourceType } from "../schema/core-schemas.js";
import { getCaseless, type ScimJson } from "./user-attributes.js";
import { assertStorableJson } from "./storable-json.js";

// Validation of POST/PUT bodies and their reduction to what is stored: the resource as sent,
// minus server-maintained (id, meta), read-only (groups) and never-returned (password) attributes,
// with null values dropped (RFC 7643 §2.5: null means unassigned). Unknown attributes and custom
// extension URNs are kept.

function isObject(v: unknown): v is ScimJson {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Attributes the client may not set; they are ignored, as Entra and Okta send some of them. */
const IGNORED: Record<ScimResourceType, string[]> = {
  User: ["id", "meta", "groups", "password"],
  Group: ["id", "meta", "members"],
};

function checkSchemas(resourceType: ScimResourceType, body: ScimJson): void {
  const core = RESOURCE_TYPES[resourceType].schema.id;
  const schemas = getCaseless(body, "schemas");
  if (!Array.isArray(schemas) || !schemas.every((s) => typeof s === "string")) {
    throw invalidSyntax(`"schemas" must be an array of schema URIs including ${core}`);
  }
  // extra URIs (Entra's ADSCIM Group schema, custom extensions) are accepted and kept
  if (!schemas.some((s) => (s as string).toLowerCase() === core.toLowerCase())) {
    throw invalidSyntax(`"schemas" must include ${core}`);
  }
}

function typeMatches(def: AttributeDefinition, value: unknown): boolean {
  switch (def.type) {
    case "boolean":
      return typeof value === "boolean" || (typeof value === "string" && /^(true|false)$/i.test(value));
    case "integer":
    case "decimal":
      return typeof value === "number";
    case "complex":
      return isObject(value);
    default:
      return typeof value === "string";
  }
}

/** Checks the declared type of each known top-level attribute; unknown ones pass through. */
function checkTypes(defs: AttributeDefinition[], body: ScimJson, prefix = ""): void {
  for (const [key, value] of Object.entries(body)) {
    if (value === null) continue;
    const def = defs.find((d) => d.name.toLowerCase() === key.toLowerCase());
    if (!def || def.mutability === "readOnly") continue;
    const where = `${prefix}${def.name}`;
    if (def.multiValued) {
      if (!Array.isArray(value)) throw invalidValue(`"${where}" must be an array`);
      for (const item of value) {
        if (def.type === "complex" ? !isObject(item) : !typeMatches(def, item)) {
          throw invalidValue(`"${where}" has an element of the wrong type`);
        }
      }
      continue;
    }
    if (!typeMatches(def, value)) throw invalidValue(`"${where}" must be of type ${def.type}`);
    if (def.type === "complex" && def.subAttributes) checkTypes(def.subAttributes, value as ScimJson, `${where}.`);
  }
}

function withoutNulls(body: ScimJson): ScimJson {
  const out: ScimJson = {};
  for (const [key, value] of Object.entries(body)) {
    if (value === null) continue;
    out[key] = isObject(value) ? withoutNulls(value) : value;
  }
  return out;
}

function stripIgnored(resourceType: ScimResourceType, body: ScimJson): ScimJson {
  const ignored = IGNORED[resourceType].map((n) => n.toLowerCase());
  const out: ScimJson = {};
  for (const [key, value] of Object.entries(body)) if (!ignored.includes(key.toLowerCase())) out[key] = value;
  return out;
}

/**
 * The stored size limit of one resource (SCIM_MAX_RESOURCE_BYTES), checked on what would be stored after
 * POST, PUT and PATCH: responses, events and admin API pages repeat a resource, so none may grow unbounded.
 */
export function checkResourceSize(resource: ScimJson, maxBytes: number | undefined): void {
  if (maxBytes === undefined) return;
  const bytes = Buffer.byteLength(JSON.stringify(resource));
  if (bytes > maxBytes) {
    throw new ScimError(413, undefined, `the resource would be stored as ${bytes} bytes, over SCIM_MAX_RESOURCE_BYTES (${maxBytes})`);
  }
}

/** A cleartext password is never stored or returned (changePassword is not supported). */
export function withoutPassword(resource: ScimJson): ScimJson {
  const key = Object.keys(resource).find((k) => k.toLowerCase() === "password");
  if (key === undefined) return resource;
  const { [key]: _dropped, ...rest } = resource;
  return rest;
}

function requireObject(body: unknown): ScimJson {
  if (!isObject(body)) throw invalidSyntax("request body must be a JSON object");
  // bounded nesting and no prototype keys, as for PATCH values (deep JSON would fail in Postgres as a 500)
  return cloneRequestValue(body) as ScimJson;
}

function normaliseActive(resource: ScimJson): ScimJson {
  for (const key of Object.keys(resource)) {
    if (key.toLowerCase() === "active" && typeof resource[key] === "string") {
      // Entra (without aadOptscim062020) sends "True"/"False"; store the boolean the schema declares
      resource[key] = (resource[key] as string).toLowerCase() === "true";
    }
  }
  return resource;
}

export function parseUserBody(body: unknown): ScimJson {
  const json = requireObject(body);
  assertStorableJson(json);
  checkSchemas("User", json);
  const type = RESOURCE_TYPES.User;
  checkTypes([...COMMON_ATTRIBUTES, ...type.schema.attributes], json);
  for (const ext of type.extensions) {
    const value = getCaseless(json, ext.schema.id);
    if (value === undefined || value === null) continue;
    if (!isObject(value)) throw invalidValue(`"${ext.schema.id}" must be an object`);
    checkTypes(ext.schema.attributes, value, `${ext.schema.id}:`);
  }
  const userName = getCaseless(json, "userName");
  if (typeof userName !== "string" || userName.trim() === "") throw invalidValue('"userName" is required');
  return normaliseActive(withoutNulls(stripIgnored("User", json)));
}

export interface GroupBody {
  resource: ScimJson;
  /** Member user ids given in the body (Okta sends them); undefined when `members` was absent. */
  memberIds: string[] | undefined;
}

export function parseGroupBody(body: unknown, maxMembers: number): GroupBody {
  const json = requireObject(body);
  assertStorableJson(json);
  checkSchemas("Group", json);
  checkTypes([...COMMON_ATTRIBUTES, ...RESOURCE_TYPES.Group.schema.attributes], json);
  const displayName = getCaseless(json, "displayName");
  if (typeof displayName !== "string" || displayName.trim() === "") throw invalidValue('"displayName" is required');
  const members = getCaseless(json, "members");
  let memberIds: string[] | undefined;
  if (Array.isArray(members)) {
    if (members.length > maxMembers) throw invalidValue(`at most ${maxMembers} members per request`);
    memberIds = members.map((m) => {
      const value = isObject(m) ? getCaseless(m, "value") : undefined;
      if (typeof value !== "string" || value === "") throw invalidValue('each member needs a string "value"');
      const type = getCaseless(m as ScimJson, "type");
      if (typeof type === "string" && type.toLowerCase() === "group") throw invalidValue("nested groups are not supported");
      return value;
    });
  }
  return { resource: withoutNulls(stripIgnored("Group", json)), memberIds: memberIds && [...new Set(memberIds)] };
}
