import { Prisma } from "../../generated/prisma/client.js";
import { invalidFilter, ScimError } from "../errors.js";
import type { ScimResourceType } from "../schema/core-schemas.js";
import type { ScimJson } from "./user-attributes.js";

// TEMPORARY stand-in for src/scim/filter and src/scim/patch (written in parallel); replaced by
// re-exports when they land.

export type ScimFilter = unknown;
export type PatchOperation = unknown;
export type MemberChange = { kind: "add" | "remove" | "replace"; ids: string[] } | { kind: "removeAll" };

export function parseScimFilter(_text: string): ScimFilter {
  throw invalidFilter("filtering is not available yet");
}
export function scimFilterToSql(_resourceType: ScimResourceType, _filter: ScimFilter): Prisma.Sql {
  return Prisma.sql`TRUE`;
}
export function scimSortToSql(_resourceType: ScimResourceType, _sortBy: string, _sortOrder?: string): Prisma.Sql {
  return Prisma.sql`u.created_at`;
}
export function parsePatchRequest(_body: unknown, _limits: { maxOperations: number; maxMembers: number }): PatchOperation[] {
  throw new ScimError(501, undefined, "PATCH is not available yet");
}
export function applyPatch(_resourceType: ScimResourceType, resource: ScimJson, _ops: PatchOperation[]): { resource: ScimJson; memberChanges: MemberChange[] } {
  return { resource, memberChanges: [] };
}
