import { GROUP_SCHEMA, USER_SCHEMA } from "../schema/core-schemas.js";
import { etagOf } from "./etag.js";
import type { ScimJson } from "./user-attributes.js";

// Stored rows → SCIM resources as returned to clients: the stored JSON plus server-maintained
// id, meta and (for groups) members read from group_members.

/** What the mapping needs of a stored User or Group row (the stores' records satisfy it). */
export interface StoredResourceRow {
  id: string;
  version: number;
  createdAt: Date | string;
  updatedAt: Date | string;
  resource: unknown;
}
export type ScimUserRow = StoredResourceRow;
export type ScimGroupRow = StoredResourceRow;

export interface ScimMember {
  value: string;
  display?: string;
  $ref: string;
  type: "User";
}

export interface ScimUserGroup {
  value: string;
  display: string;
  $ref: string;
  type: "direct";
}

/** `{publicUrl}/scim/v2/{directoryId}`: the Tenant URL an admin pastes into the IdP. */
export function tenantUrl(publicUrl: string, directoryId: string): string {
  return `${publicUrl}/scim/v2/${directoryId}`;
}

function meta(resourceType: "User" | "Group", location: string, row: ScimUserRow | ScimGroupRow) {
  return {
    resourceType,
    created: new Date(row.createdAt).toISOString(),
    lastModified: new Date(row.updatedAt).toISOString(),
    location,
    version: etagOf(row.version),
  };
}

function withSchemas(resource: ScimJson, core: string): ScimJson {
  const schemas = Array.isArray(resource.schemas) ? (resource.schemas as unknown[]) : [];
  return schemas.includes(core) ? resource : { ...resource, schemas: [core, ...schemas.filter((s) => s !== core)] };
}

export function toScimUser(row: ScimUserRow, baseUrl: string, groups?: ScimUserGroup[]): ScimJson {
  const stored = withSchemas(row.resource as ScimJson, USER_SCHEMA);
  return {
    ...stored,
    id: row.id,
    ...(groups ? { groups } : {}),
    meta: meta("User", `${baseUrl}/Users/${row.id}`, row),
  };
}

export function toScimGroup(row: ScimGroupRow, baseUrl: string, members?: ScimMember[]): ScimJson {
  const stored = withSchemas(row.resource as ScimJson, GROUP_SCHEMA);
  return {
    ...stored,
    id: row.id,
    ...(members ? { members } : {}),
    meta: meta("Group", `${baseUrl}/Groups/${row.id}`, row),
  };
}

export function memberOf(baseUrl: string, userId: string, display: string | null): ScimMember {
  return { value: userId, ...(display ? { display } : {}), $ref: `${baseUrl}/Users/${userId}`, type: "User" };
}

export function userGroupOf(baseUrl: string, groupId: string, display: string): ScimUserGroup {
  return { value: groupId, display, $ref: `${baseUrl}/Groups/${groupId}`, type: "direct" };
}
