import { resolveAttributePath } from "../schema/attribute-path.js";
import { RESOURCE_TYPES, type ScimResourceType } from "../schema/core-schemas.js";
import type { ScimJson } from "./user-attributes.js";

// RFC 7644 §3.4.2.5 `attributes` / `excludedAttributes` on every read. `id` and `schemas` are
// returned always; unknown attribute names select nothing rather than failing the read.

export interface Projection {
  attributes?: string[];
  excludedAttributes?: string[];
}

/** Accepts the query form ("a,b.c") and the .search body form (["a","b.c"]). */
export function parseAttributeList(value: unknown): string[] | undefined {
  const parts = Array.isArray(value) ? value : typeof value === "string" ? value.split(",") : [];
  const names = parts
    .filter((p): p is string => typeof p === "string")
    .map((p) => p.trim())
    .filter(Boolean);
  return names.length > 0 ? names : undefined;
}

/** Where a path lives in the resource JSON: ["name","givenName"], ["urn:…:User","manager"]. */
function locate(resourceType: ScimResourceType, path: string, resource: ScimJson): string[] {
  const resolved = resolveAttributePath(resourceType, path);
  if (resolved) return resolved.extension ? [resolved.schema, ...resolved.path] : resolved.path;
  const lower = path.toLowerCase();
  const type = RESOURCE_TYPES[resourceType];
  const extension = type.extensions.find((e) => e.schema.id.toLowerCase() === lower);
  if (extension) return [extension.schema.id];
  // custom extension URNs: the longest stored key that prefixes the path
  const urnKey = Object.keys(resource)
    .filter((k) => k.includes(":") && (lower === k.toLowerCase() || lower.startsWith(`${k.toLowerCase()}:`)))
    .sort((a, b) => b.length - a.length)[0];
  if (urnKey) {
    const rest = path.slice(urnKey.length + 1);
    return rest ? [urnKey, ...rest.split(".")] : [urnKey];
  }
  return path.split(".");
}

function keyOf(obj: ScimJson, name: string): string | undefined {
  if (name in obj) return name;
  const lower = name.toLowerCase();
  return Object.keys(obj).find((k) => k.toLowerCase() === lower);
}

function isObject(v: unknown): v is ScimJson {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function pick(src: ScimJson, location: string[], dst: ScimJson): void {
  const [head, ...rest] = location;
  const key = head === undefined ? undefined : keyOf(src, head);
  if (key === undefined) return;
  const value = src[key];
  if (rest.length === 0 || dst[key] === value) {
    dst[key] = value;
    return;
  }
  if (Array.isArray(value)) {
    const target = Array.isArray(dst[key]) ? (dst[key] as ScimJson[]) : value.map(() => ({}));
    value.forEach((item, i) => {
      if (isObject(item) && target[i]) pick(item, rest, target[i]!);
    });
    dst[key] = target;
  } else if (isObject(value)) {
    const target = isObject(dst[key]) ? (dst[key] as ScimJson) : {};
    pick(value, rest, target);
    dst[key] = target;
  }
}

function drop(obj: ScimJson, location: string[]): void {
  const [head, ...rest] = location;
  const key = head === undefined ? undefined : keyOf(obj, head);
  if (key === undefined) return;
  if (rest.length === 0) {
    delete obj[key];
    return;
  }
  const value = obj[key];
  if (Array.isArray(value)) {
    obj[key] = value.map((item) => {
      if (!isObject(item)) return item;
      const copy = { ...item };
      drop(copy, rest);
      return copy;
    });
  } else if (isObject(value)) {
    const copy = { ...value };
    drop(copy, rest);
    obj[key] = copy;
  }
}

const ALWAYS = ["schemas", "id"];

export function projectResource(resourceType: ScimResourceType, resource: ScimJson, projection: Projection): ScimJson {
  if (projection.attributes) {
    const out: ScimJson = {};
    for (const name of ALWAYS) if (name in resource) out[name] = resource[name];
    for (const path of projection.attributes) pick(resource, locate(resourceType, path, resource), out);
    return out;
  }
  if (projection.excludedAttributes) {
    const out: ScimJson = { ...resource };
    for (const path of projection.excludedAttributes) {
      const location = locate(resourceType, path, resource);
      if (location.length === 1 && ALWAYS.includes(location[0]!)) continue;
      drop(out, location);
    }
    return out;
  }
  return resource;
}

/**
 * Whether a read must produce `attribute` (e.g. "members", "groups"): lets the caller skip the
 * query that computes it. `byDefault` says whether it is returned when no projection is given.
 */
export function projectionIncludes(resourceType: ScimResourceType, projection: Projection, attribute: string, byDefault: boolean): boolean {
  const top = (path: string) => locate(resourceType, path, {})[0]?.toLowerCase();
  const name = attribute.toLowerCase();
  if (projection.attributes) return projection.attributes.some((p) => top(p) === name);
  if (projection.excludedAttributes?.some((p) => top(p) === name && !p.includes("."))) return false;
  return byDefault;
}
