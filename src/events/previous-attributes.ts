import type { PreviousAttributes } from "./event-writer.js";

// `previousAttributes` of user.updated / group.updated (and user.deactivated / user.reactivated): the
// app-facing fields (toAppUser / toAppGroup) whose values changed, with their OLD values. Generic over the
// shape, so a field added to the app-facing user or group is covered without touching this file.
//
// - Top-level fields are compared whole (deep equality): `manager`, `roles` and the like carry their whole old value.
// - `attributes` and `customAttributes` (maps the app reads key by key) are diffed one level deep: only the
//   keys that changed, with their old values (null for a key that did not exist before).
// - Bookkeeping that moves on every write is left out: `updatedAt`, and `raw` (the whole SCIM resource).
//   A change that only touches SCIM attributes no app-facing field shows still emits its event, with `{}`.

const IGNORED = new Set(["updatedAt", "raw"]);
const PER_KEY = new Set(["attributes", "customAttributes"]);

/** JSON with object keys sorted, so equal values compare equal whatever their key order. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

/** Deep equality of JSON values, key order ignored (a PATCH that rewrites a value as it was is a no-op). */
export function sameJson(a: unknown, b: unknown): boolean {
  return canonical(a) === canonical(b);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

function changedKeys(before: Record<string, unknown>, after: Record<string, unknown>): PreviousAttributes {
  const out: PreviousAttributes = {};
  for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
    if (canonical(before[key] ?? null) !== canonical(after[key] ?? null)) out[key] = before[key] ?? null;
  }
  return out;
}

/** The fields of `before` whose values differ in `after`, with their old values. */
export function previousAttributes(before: object, after: object): PreviousAttributes {
  const b = before as Record<string, unknown>;
  const a = after as Record<string, unknown>;
  const out: PreviousAttributes = {};
  for (const key of new Set([...Object.keys(b), ...Object.keys(a)])) {
    if (IGNORED.has(key)) continue;
    if (PER_KEY.has(key) && isPlainObject(b[key] ?? {}) && isPlainObject(a[key] ?? {})) {
      const keys = changedKeys((b[key] ?? {}) as Record<string, unknown>, (a[key] ?? {}) as Record<string, unknown>);
      if (Object.keys(keys).length > 0) out[key] = keys;
    } else if (canonical(b[key] ?? null) !== canonical(a[key] ?? null)) {
      out[key] = b[key] ?? null;
    }
  }
  return out;
}
