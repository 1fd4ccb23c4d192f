import { isPlainObject } from "../patch/safe-object.js";
import { matchesValueFilter, type SubAttributeLookup } from "../patch/value-filter.js";
import { findSubAttribute } from "../schema/attribute.js";
import { getCaseless, type ScimJson } from "../resource/user-attributes.js";
import type { MappingPath } from "./mapping-path.js";

// Reads the values a mapping path selects in a stored User resource. Names match in any case (RFC 7643
// §2.1). The result is a list: one value for a singular attribute, every selected one for a multi-valued
// attribute (after its value filter), none when the resource has no value there.

function isPresent(value: unknown): boolean {
  return value !== undefined && value !== null && value !== "" && !(Array.isArray(value) && value.length === 0);
}

export function valuesAtPath(resource: ScimJson, path: MappingPath): unknown[] {
  const container = path.container === undefined ? resource : getCaseless(resource, path.container);
  if (!isPlainObject(container)) return [];
  const value = getCaseless(container, path.name);
  if (!isPresent(value)) return [];
  let items = Array.isArray(value) ? value : [value];
  if (path.filter) {
    const filter = path.filter;
    const lookup: SubAttributeLookup = (name) => {
      const sub = path.definition ? findSubAttribute(path.definition, name) : undefined;
      return sub ? { key: sub.name, caseExact: sub.caseExact } : { key: name, caseExact: false };
    };
    items = items.filter((item) => isPlainObject(item) && matchesValueFilter(filter, item, lookup));
  }
  if (path.subAttribute !== undefined) {
    const sub = path.subAttribute;
    // a bare string where a complex value is expected (Entra's older `"manager": "<id>"`) is its value
    items = items.map((item) => (isPlainObject(item) ? getCaseless(item, sub) : sub === "value" ? item : undefined));
  }
  return items.flatMap((item) => (Array.isArray(item) ? item : [item])).filter(isPresent);
}
