import type { Database } from "../db/database.js";
import { pgSqlClient } from "./scim-transaction.js";
import { type Projection, projectResource, projectionIncludes } from "../scim/resource/projection.js";
import { toScimUser, userGroupOf } from "../scim/resource/scim-resource.js";
import type { ScimJson } from "../scim/resource/user-attributes.js";
import { groupsOfUsers, type UserRecord } from "./user-store.js";

// User rows → SCIM User resources as a read returns them. The read-only `groups` attribute costs a
// query, so it is computed only when the projection asks for it (by default on GET by id).

export async function scimUsers(db: Database, baseUrl: string, rows: UserRecord[], projection: Projection, groupsByDefault: boolean): Promise<ScimJson[]> {
  const withGroups = rows.length > 0 && projectionIncludes("User", projection, "groups", groupsByDefault);
  const groups = withGroups ? await groupsOfUsers(pgSqlClient(db.pool), rows.map((r) => r.id)) : undefined;
  return rows.map((row) => {
    const userGroups = groups ? (groups.get(row.id) ?? []).map((g) => userGroupOf(baseUrl, g.id, g.displayName)) : undefined;
    return projectResource("User", toScimUser(row, baseUrl, userGroups), projection);
  });
}
