import type { SqlRunner } from "../db/database.js";
import { groupsOfUsers } from "../groups/membership-store.js";
import { type Projection, projectResource, projectionIncludes } from "../scim/resource/projection.js";
import { toScimUser, userGroupOf } from "../scim/resource/scim-resource.js";
import type { ScimJson } from "../scim/resource/user-attributes.js";
import type { UserRecord } from "./user-store.js";

// User rows → SCIM User resources as a read returns them. The read-only `groups` attribute costs a
// query, so it is computed only when the projection asks for it (by default on GET by id, where the
// user's read brings them in the same statement).

/** Whether the projection returns `groups` (by default only on GET by id). */
export function wantsUserGroups(projection: Projection, groupsByDefault: boolean): boolean {
  return projectionIncludes("User", projection, "groups", groupsByDefault);
}

export async function scimUsers(
  db: SqlRunner,
  baseUrl: string,
  rows: UserRecord[],
  projection: Projection,
  groupsByDefault: boolean,
): Promise<ScimJson[]> {
  const withGroups = rows.length > 0 && wantsUserGroups(projection, groupsByDefault);
  const loaded = withGroups && rows.every((r) => r.groups !== undefined);
  const groups =
    withGroups && !loaded
      ? await groupsOfUsers(
          db,
          rows.map((r) => r.id),
        )
      : undefined;
  return rows.map((row) => {
    const list = withGroups ? (loaded ? row.groups! : (groups!.get(row.id) ?? [])) : undefined;
    const userGroups = list?.map((g) => userGroupOf(baseUrl, g.id, g.displayName));
    return projectResource("User", toScimUser(row, baseUrl, userGroups), projection);
  });
}
