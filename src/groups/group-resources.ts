import type { SqlRunner } from "../db/database.js";
import { ScimError } from "../scim/errors.js";
import { type Projection, projectResource, projectionIncludes } from "../scim/resource/projection.js";
import { memberOf, toScimGroup } from "../scim/resource/scim-resource.js";
import type { ScimJson } from "../scim/resource/user-attributes.js";
import type { GroupRecord } from "./group-store.js";
import { type MemberRow, membersOfGroups } from "./membership-store.js";

// Group rows → SCIM Group resources. When the projection leaves `members` out (Entra's
// excludedAttributes=members), group_members is not read at all.
//
// A read carries at most `memberBudget` member values (SCIM_LIST_MAX_MEMBERS): a list page keeps the
// leading groups whose member counts fit and drops the rest (RFC 7644 lets itemsPerPage fall short of
// count; totalResults is unchanged and the client pages on with startIndex), so each group returned has
// all its members. A group that alone exceeds the budget is refused with 400 tooMany naming the limit.

function tooManyMembers(group: GroupRecord, budget: number): ScimError {
  return new ScimError(
    400,
    "tooMany",
    `group ${group.id} has ${group.memberCount} members, more than SCIM_LIST_MAX_MEMBERS (${budget}) one response carries; ` +
      "read it with excludedAttributes=members and page its members through the admin API (GET /api/v1/directories/{id}/groups/{groupId}/members)",
  );
}

/** The leading rows whose member counts fit the budget. */
function rowsWithinBudget(rows: GroupRecord[], budget: number): GroupRecord[] {
  let used = 0;
  let n = 0;
  for (const row of rows) {
    if (used + row.memberCount > budget) break;
    used += row.memberCount;
    n++;
  }
  return rows.slice(0, n);
}

export async function scimGroups(
  db: SqlRunner,
  baseUrl: string,
  rows: GroupRecord[],
  projection: Projection,
  memberBudget?: number,
): Promise<ScimJson[]> {
  const withMembers = rows.length > 0 && projectionIncludes("Group", projection, "members", true);
  let page = rows;
  let members: Map<string, MemberRow[]> | undefined;
  if (withMembers) {
    page = memberBudget === undefined ? rows : rowsWithinBudget(rows, memberBudget);
    const loaded = await membersOfGroups(
      db,
      page.map((r) => r.id),
      memberBudget,
    );
    // member_count drifted below the real count: keep the leading groups whose members all loaded
    if (loaded.truncated)
      page = page.slice(
        0,
        Math.max(
          0,
          page.findIndex((r) => r.id === loaded.lastGroupId),
        ),
      );
    if (page.length === 0 && memberBudget !== undefined) throw tooManyMembers(rows[0]!, memberBudget);
    members = loaded.byGroup;
  }
  return page.map((row) => {
    const list = members ? (members.get(row.id) ?? []).map((m) => memberOf(baseUrl, m.userId, m.display)) : undefined;
    return projectResource("Group", toScimGroup(row, baseUrl, list), projection);
  });
}
