import { invalidFilter, invalidPath, invalidValue } from "../errors.js";
import type { PatchOpName } from "./patch-request.js";
import { isUnassigned } from "./attribute-value.js";
import { findKey, isPlainObject } from "./safe-object.js";
import type { ValueFilter } from "./value-filter.js";

// Group members live in their own table, so a PATCH on `members` does not touch the stored resource:
// it becomes an ordered list of changes the caller applies in SQL.

export type MemberChange =
  | { kind: "add"; ids: string[] }
  | { kind: "remove"; ids: string[] }
  /** Replace the whole member list (Okta group push). */
  | { kind: "replace"; ids: string[] }
  | { kind: "removeAll" };

export interface MemberTarget {
  filter?: ValueFilter;
  subAttribute?: string;
}

export function memberChange(op: PatchOpName, target: MemberTarget, value: unknown, raw: string): MemberChange | undefined {
  if (target.subAttribute !== undefined) throw invalidPath(`"${raw}": members can only be changed as whole values`);
  if (target.filter) {
    if (op !== "remove") throw invalidPath(`"${raw}": a members filter is only supported with "remove"`);
    return { kind: "remove", ids: idsFromFilter(target.filter) };
  }
  const unassigned = isUnassigned(value);
  switch (op) {
    case "add":
      return unassigned ? undefined : { kind: "add", ids: memberIds(value) };
    case "replace":
      return unassigned ? { kind: "removeAll" } : { kind: "replace", ids: memberIds(value) };
    case "remove":
      return unassigned ? { kind: "removeAll" } : { kind: "remove", ids: memberIds(value) };
  }
}

/** `[{"value": "<id>", "$ref": null, "display": …}, …]` → distinct ids, in order. */
function memberIds(value: unknown): string[] {
  const items = Array.isArray(value) ? value : [value];
  const ids = new Set<string>();
  for (const item of items) {
    const key = isPlainObject(item) ? findKey(item, "value") : undefined;
    const id = key === undefined ? undefined : (item as Record<string, unknown>)[key];
    if (typeof id !== "string" || id.trim() === "") throw invalidValue('each member must be an object with a non-empty string "value"');
    ids.add(id);
  }
  return [...ids];
}

/** `members[value eq "a"]`, or several joined by `or`; other member filters cannot be evaluated without the rows. */
function idsFromFilter(filter: ValueFilter): string[] {
  if (filter.kind === "or") return [...new Set([...idsFromFilter(filter.left), ...idsFromFilter(filter.right)])];
  if (filter.kind === "compare" && filter.operator === "eq" && filter.attribute.toLowerCase() === "value") {
    if (typeof filter.value !== "string" || filter.value.trim() === "") throw invalidValue("a member id must be a non-empty string");
    return [filter.value];
  }
  throw invalidFilter('a members filter may only select members by `value eq "<id>"`');
}
