import { hasUnstorableText, storableText } from "../../db/storable-text.js";
import { invalidValue } from "../errors.js";

// A SCIM body whose strings hold a NUL or a lone UTF-16 surrogate cannot be stored (Postgres refuses both).
// Refused up front with the attribute named, so the IdP gets 400 invalidValue and nothing is half-written
// (in /Bulk: that operation fails, the others go on).

/** Throws invalidValue naming the first attribute (or attribute name) that holds unstorable text. */
export function assertStorableJson(body: unknown): void {
  // iterative: bodies can nest deeper than the call stack
  const pending: { value: unknown; path: string }[] = [{ value: body, path: "" }];
  while (pending.length > 0) {
    const { value, path } = pending.pop()!;
    if (typeof value === "string") {
      if (hasUnstorableText(value)) throw unstorable(path);
    } else if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) pending.push({ value: value[i], path: `${path}[${i}]` });
    } else if (value !== null && typeof value === "object") {
      for (const [key, item] of Object.entries(value)) {
        const itemPath = path ? `${path}.${key}` : key;
        if (hasUnstorableText(key)) throw unstorable(itemPath);
        pending.push({ value: item, path: itemPath });
      }
    }
  }
}

function unstorable(path: string) {
  const where = path ? `"${storableText(path)}"` : "the body";
  return invalidValue(`${where} contains a NUL character or a lone UTF-16 surrogate, which cannot be stored`);
}
