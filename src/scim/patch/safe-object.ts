import { invalidValue } from "../errors.js";

// Guards against prototype pollution: client-supplied keys never reach Object.prototype. The npm
// scim-patch package was vulnerable exactly here, so every key from a request passes through this file.

const FORBIDDEN_KEYS = new Set(["__proto__", "constructor", "prototype"]);
/** Deep request values beyond this nesting are refused rather than risking the stack. */
const MAX_DEPTH = 32;

export type JsonObject = Record<string, unknown>;

export function isForbiddenKey(key: string): boolean {
  return FORBIDDEN_KEYS.has(key.toLowerCase());
}

export function isPlainObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Reads an own property only, so "constructor" & co. never resolve to inherited members. */
export function getOwn(object: JsonObject, key: string): unknown {
  return Object.hasOwn(object, key) ? object[key] : undefined;
}

/** Finds the key of `object` equal to `name` ignoring case (attribute names are case-insensitive). */
export function findKey(object: JsonObject, name: string): string | undefined {
  if (Object.hasOwn(object, name)) return name;
  const lower = name.toLowerCase();
  return Object.keys(object).find((k) => k.toLowerCase() === lower);
}

/** Defines an own data property: unlike `object[key] = v`, this can never invoke the __proto__ setter. */
export function setOwn(object: JsonObject, key: string, value: unknown): void {
  if (isForbiddenKey(key)) throw invalidValue(`"${key}" is not an allowed attribute name`);
  Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
}

/** Copies a JSON value from a request, refusing forbidden keys at any depth and absurd nesting. */
export function cloneRequestValue(value: unknown, depth = 0): unknown {
  if (depth > MAX_DEPTH) throw invalidValue(`value is nested more than ${MAX_DEPTH} levels deep`);
  if (Array.isArray(value)) return value.map((item) => cloneRequestValue(item, depth + 1));
  if (isPlainObject(value)) {
    const copy: JsonObject = {};
    for (const key of Object.keys(value)) setOwn(copy, key, cloneRequestValue(value[key], depth + 1));
    return copy;
  }
  if (value === undefined || typeof value === "function" || typeof value === "symbol" || typeof value === "bigint") {
    throw invalidValue("value is not JSON");
  }
  return value;
}

/** Structural equality of JSON values (used to skip duplicates when appending multi-valued attributes). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item, i) => jsonEqual(item, b[i]));
  }
  if (!isPlainObject(a) || !isPlainObject(b)) return false;
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  return keys.every((k) => Object.hasOwn(b, k) && jsonEqual(a[k], b[k]));
}

/** A key equal for structurally equal JSON values whatever their key order, for linear-time de-duplication. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (isPlainObject(value)) {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}
