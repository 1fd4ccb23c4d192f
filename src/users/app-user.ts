import type { AppAttributes } from "../scim/mapping/attribute-mapping.js";
import { enterpriseOf, extensionsOf, getCaseless, managerIdOf, pickEmail, type ScimJson } from "../scim/resource/user-attributes.js";

// The User as the SaaS app sees it (admin API, webhook event data). The one mapping from a stored
// SCIM User to that shape.

/** What the mapping needs of a scim_users row (the store's UserRecord; resource typed loosely). */
export interface UserRow {
  id: string;
  directoryId: string;
  userName: string;
  externalId: string | null;
  active: boolean;
  displayName: string | null;
  givenName: string | null;
  familyName: string | null;
  createdAt: Date | string;
  updatedAt: Date | string;
  resource: unknown;
  /** scim_users.attributes: the declared app attributes as last mapped. */
  attributes?: unknown;
}

export interface AppUserGroup {
  id: string;
  displayName: string;
}

export interface AppUser {
  id: string;
  directoryId: string;
  externalId: string | null;
  userName: string;
  email: string | null;
  givenName: string | null;
  familyName: string | null;
  displayName: string | null;
  active: boolean;
  title: string | null;
  department: string | null;
  manager: { id: string } | null;
  groups?: AppUserGroup[];
  /** The app's declared attributes (GET /api/v1/attributes), typed as declared; null when the directory sent no usable value. */
  attributes: AppAttributes;
  customAttributes: Record<string, ScimJson>;
  raw: ScimJson;
  createdAt: string;
  updatedAt: string;
}

export interface AppUserOptions {
  /** Included as `groups` only when given (the admin API's `?include=groups`). */
  groups?: AppUserGroup[];
}

function stringOrNull(v: unknown): string | null {
  return typeof v === "string" && v !== "" ? v : null;
}

function iso(d: Date | string): string {
  return typeof d === "string" ? new Date(d).toISOString() : d.toISOString();
}

export function toAppUser(row: UserRow, opts: AppUserOptions = {}): AppUser {
  const resource = (row.resource ?? {}) as ScimJson;
  const managerId = managerIdOf(resource);
  return {
    id: row.id,
    directoryId: row.directoryId,
    externalId: row.externalId,
    userName: row.userName,
    email: pickEmail(resource),
    givenName: row.givenName,
    familyName: row.familyName,
    displayName: row.displayName,
    active: row.active,
    title: stringOrNull(getCaseless(resource, "title")),
    department: stringOrNull(getCaseless(enterpriseOf(resource), "department")),
    manager: managerId ? { id: managerId } : null,
    ...(opts.groups ? { groups: opts.groups } : {}),
    attributes: (row.attributes ?? {}) as AppAttributes,
    customAttributes: extensionsOf(resource),
    raw: resource,
    createdAt: iso(row.createdAt),
    updatedAt: iso(row.updatedAt),
  };
}
