import { randomUUID } from "node:crypto";

// Request bodies shaped like Microsoft Entra's (see test/fixtures/idp-requests and
// docs on Entra's SCIM behaviour): the same sizes and attributes the service stores for real.

export const USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User";
export const ENTERPRISE_SCHEMA = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
export const GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group";
export const PATCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

export function entraUser(userName: string, externalId: string = randomUUID(), displayName = `User ${userName}`) {
  return {
    schemas: [USER_SCHEMA, ENTERPRISE_SCHEMA],
    externalId,
    userName,
    active: true,
    displayName,
    emails: [{ primary: true, type: "work", value: userName }],
    meta: { resourceType: "User" },
    name: { formatted: displayName, familyName: "Bench", givenName: displayName.split(" ")[0] },
    roles: [],
    [ENTERPRISE_SCHEMA]: { department: "Engineering", employeeNumber: externalId.slice(0, 8) },
  };
}

export function entraGroup(displayName: string, externalId = randomUUID()) {
  return { schemas: [GROUP_SCHEMA], externalId, displayName, meta: { resourceType: "Group" } };
}

/** Entra disables with a string "False" (and re-enables with "True"). */
export function entraActivePatch(active: boolean) {
  return { schemas: [PATCH_SCHEMA], Operations: [{ op: "Replace", path: "active", value: active ? "True" : "False" }] };
}

export function entraAddMembers(userIds: string[]) {
  return { schemas: [PATCH_SCHEMA], Operations: [{ op: "Add", path: "members", value: userIds.map((value) => ({ value })) }] };
}

export function entraRemoveMember(userId: string) {
  return { schemas: [PATCH_SCHEMA], Operations: [{ op: "Remove", path: "members", value: [{ value: userId }] }] };
}
