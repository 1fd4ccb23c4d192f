import type { ScimJson } from "../scim/resource/user-attributes.js";

// The Group as the SaaS app sees it (admin API, webhook event data). Members are not inlined:
// groups can have 100k members; they are listed separately.

/** What the mapping needs of a scim_groups row (the store's GroupRecord; resource typed loosely). */
export interface GroupRow {
  id: string;
  directoryId: string;
  displayName: string;
  externalId: string | null;
  memberCount: number;
  createdAt: Date | string;
  updatedAt: Date | string;
  resource: unknown;
}

export interface AppGroup {
  id: string;
  directoryId: string;
  externalId: string | null;
  displayName: string;
  memberCount: number;
  raw: ScimJson;
  createdAt: string;
  updatedAt: string;
}

function iso(d: Date | string): string {
  return typeof d === "string" ? new Date(d).toISOString() : d.toISOString();
}

export function toAppGroup(row: GroupRow): AppGroup {
  return {
    id: row.id,
    directoryId: row.directoryId,
    externalId: row.externalId,
    displayName: row.displayName,
    memberCount: row.memberCount,
    raw: (row.resource ?? {}) as ScimJson,
    createdAt: iso(row.createdAt),
    updatedAt: iso(row.updatedAt),
  };
}
