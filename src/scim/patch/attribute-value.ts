import { invalidValue } from "../errors.js";
import { findSubAttribute, type AttributeDefinition } from "../schema/attribute.js";
import { isPlainObject, setOwn, type JsonObject } from "./safe-object.js";

// Turns a PATCH value into what the schema says an attribute holds: canonical sub-attribute names,
// Entra's string booleans ("True"/"False") as booleans, `"<id>"` for manager as {value: "<id>"}.
// `undefined` means "unassigned": RFC 7643 §2.5 treats null and [] as no value, and Entra sends ""
// to clear an attribute because it cannot send null — so "" clears as well.

export function isUnassigned(value: unknown): boolean {
  return value === undefined || value === null || value === "" || (Array.isArray(value) && value.length === 0);
}

/** A simple (non-complex) value, coerced to the attribute's type; undefined when unassigned. */
export function simpleValue(definition: AttributeDefinition, value: unknown, where: string): unknown {
  if (isUnassigned(value)) return undefined;
  switch (definition.type) {
    case "boolean":
      if (typeof value === "boolean") return value;
      if (typeof value === "string" && /^(true|false)$/i.test(value)) return value.toLowerCase() === "true";
      throw invalidValue(`${where} must be a boolean`);
    case "integer":
      if (Number.isInteger(value)) return value;
      throw invalidValue(`${where} must be an integer`);
    case "decimal":
      if (typeof value === "number" && Number.isFinite(value)) return value;
      throw invalidValue(`${where} must be a number`);
    case "complex":
      throw invalidValue(`${where} cannot hold a nested complex value`);
    default:
      if (typeof value === "string") return value;
      throw invalidValue(`${where} must be a string`);
  }
}

/**
 * Sub-attributes of a complex value, canonically named. A key mapped to `undefined` asks to clear
 * that sub-attribute (merge semantics, RFC 7644 §3.5.2.3); readOnly sub-attributes are ignored as in PUT.
 */
export function complexValue(definition: AttributeDefinition, value: unknown, where: string): JsonObject | undefined {
  let object = value;
  if (Array.isArray(object)) {
    // Entra's older manager form wraps the single value in an array.
    if (object.length !== 1 || definition.multiValued) throw invalidValue(`${where} must be a single object`);
    object = object[0];
  }
  if (isUnassigned(object)) return undefined;
  if (typeof object === "string" && findSubAttribute(definition, "value")) object = { value: object };
  if (!isPlainObject(object)) throw invalidValue(`${where} must be an object`);
  const result: JsonObject = {};
  for (const key of Object.keys(object)) {
    const sub = findSubAttribute(definition, key);
    if (!sub) throw invalidValue(`${where} has no sub-attribute "${key}"`);
    if (sub.mutability === "readOnly") continue;
    setOwn(result, sub.name, simpleValue(sub, object[key], `${where}.${sub.name}`));
  }
  return result;
}

/** The elements of a multi-valued attribute value (a lone element is accepted as a list of one). */
export function multiValuedElements(definition: AttributeDefinition, value: unknown, where: string): unknown[] {
  if (isUnassigned(value)) return [];
  const items = Array.isArray(value) ? value : [value];
  const elements: unknown[] = [];
  for (const item of items) {
    const element =
      definition.type === "complex" ? withoutCleared(complexValue(definition, item, where)) : simpleValue(definition, item, where);
    if (element !== undefined) elements.push(element);
  }
  return elements;
}

/** Drops the "clear" markers, for values that create a new element rather than merge into one. */
export function withoutCleared(object: JsonObject | undefined): JsonObject | undefined {
  if (!object) return undefined;
  const result: JsonObject = {};
  for (const key of Object.keys(object)) if (object[key] !== undefined) setOwn(result, key, object[key]);
  return Object.keys(result).length === 0 ? undefined : result;
}

/** Applies merge semantics: set given sub-attributes, delete cleared ones, keep the rest. */
export function mergeInto(target: JsonObject, changes: JsonObject): void {
  for (const key of Object.keys(changes)) {
    if (changes[key] === undefined) delete target[key];
    else setOwn(target, key, changes[key]);
  }
}
