import type { SqlRunner } from "../db/database.js";
import { type Projection, projectResource, projectionIncludes } from "../scim/resource/projection.js";
import { memberOf, toScimGroup } from "../scim/resource/scim-resource.js";
import type { ScimJson } from "../scim/resource/user-attributes.js";
import type { GroupRecord } from "./group-store.js";
import { membersOfGroups } from "./membership-store.js";

// Group rows → SCIM Group resources. When the projection leaves `members` out (Entra's
// excludedAttributes=members), group_members is not read at all.

export async function scimGroups(db: SqlRunner, baseUrl: string, rows: GroupRecord[], projection: Projection): Promise<ScimJson[]> {
  const withMembers = rows.length > 0 && projectionIncludes("Group", projection, "members", true);
  const members = withMembers
    ? await membersOfGroups(
        db,
        rows.map((r) => r.id),
      )
    : undefined;
  return rows.map((row) => {
    const list = members ? (members.get(row.id) ?? []).map((m) => memberOf(baseUrl, m.userId, m.display)) : undefined;
    return projectResource("Group", toScimGroup(row, baseUrl, list), projection);
  });
}
