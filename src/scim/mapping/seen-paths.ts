import { isPlainObject } from "../patch/safe-object.js";
import type { ScimJson } from "../resource/user-attributes.js";

// The mapping paths present in one stored User resource, each with the values found there: what an
// operator can choose from. Multi-valued attributes with a `type` appear in their value-filter form
// (`emails[type eq "work"].value`), which is how mappings usually select them.

/** Server-maintained or never mapped: not offered. */
const SKIPPED = new Set(["schemas", "id", "meta", "password", "groups"]);
/** Sub-attributes that only qualify an element. */
const QUALIFIERS = new Set(["type", "primary"]);

function isSimple(value: unknown): value is string | number | boolean {
  return typeof value === "string" || typeof value === "number" || typeof value === "boolean";
}

function add(out: Map<string, unknown[]>, path: string, value: unknown): void {
  if (value === "" || value === null || value === undefined) return;
  const values = out.get(path);
  if (values) values.push(value);
  else out.set(path, [value]);
}

function collectAttribute(out: Map<string, unknown[]>, prefix: string, name: string, value: unknown): void {
  const path = `${prefix}${name}`;
  if (isSimple(value)) {
    add(out, path, value);
    return;
  }
  if (isPlainObject(value)) {
    for (const [sub, v] of Object.entries(value)) if (isSimple(v)) add(out, `${path}.${sub}`, v);
    return;
  }
  if (!Array.isArray(value)) return;
  for (const element of value) {
    if (isSimple(element)) {
      add(out, path, element);
      continue;
    }
    if (!isPlainObject(element)) continue;
    const type = element.type ?? element.Type;
    const base = typeof type === "string" && type !== "" ? `${path}[type eq ${JSON.stringify(type)}]` : path;
    for (const [sub, v] of Object.entries(element)) if (!QUALIFIERS.has(sub.toLowerCase()) && isSimple(v)) add(out, `${base}.${sub}`, v);
  }
}

export function scimPathsOf(resource: ScimJson): Map<string, unknown[]> {
  const out = new Map<string, unknown[]>();
  for (const [key, value] of Object.entries(resource)) {
    if (SKIPPED.has(key)) continue;
    if (key.toLowerCase().startsWith("urn:") && isPlainObject(value)) {
      for (const [name, v] of Object.entries(value)) collectAttribute(out, `${key}:`, name, v);
    } else {
      collectAttribute(out, "", key, value);
    }
  }
  return out;
}
