import type { SqlRunner } from "../db/database.js";
import { type Projection, projectResource, projectionIncludes } from "../scim/resource/projection.js";
import { memberOf, toScimGroup } from "../scim/resource/scim-resource.js";
import type { ScimJson } from "../scim/resource/user-attributes.js";
import type { GroupRecord } from "./group-store.js";
import { type MemberRow, membersOfGroups } from "./membership-store.js";

// Group rows → SCIM Group resources. When the projection leaves `members` out (Entra's
// excludedAttributes=members), group_members is not read at all.
//
// A list page carries at most `memberBudget` member values (SCIM_LIST_MAX_MEMBERS): it keeps the leading
// groups whose member counts fit and drops the rest (RFC 7644 lets itemsPerPage fall short of count;
// totalResults is unchanged and the client pages on with startIndex), so each group returned has all its
// members. The first group of a page is always returned, however large, so paging always moves on; a
// response therefore holds at most max(budget, the members of one group). Single-resource reads are not cut.

/** The leading rows whose member counts fit the budget; at least the first. */
function rowsWithinBudget(rows: GroupRecord[], budget: number): GroupRecord[] {
  let used = 0;
  let n = 0;
  for (const row of rows) {
    if (n > 0 && used + row.memberCount > budget) break;
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
    // one group is read whole; several are read under the budget, so no more member rows than it are loaded
    let loaded = await membersOfGroups(
      db,
      page.map((r) => r.id),
      page.length > 1 ? memberBudget : undefined,
    );
    if (loaded.truncated) {
      // member_count drifted below the real count: keep the leading groups whose members all loaded
      const complete = page.findIndex((r) => r.id === loaded.lastGroupId);
      page = page.slice(0, Math.max(1, complete));
      if (complete < 1) loaded = await membersOfGroups(db, [page[0]!.id], undefined);
    }
    members = loaded.byGroup;
  }
  return page.map((row) => {
    const list = members ? (members.get(row.id) ?? []).map((m) => memberOf(baseUrl, m.userId, m.display)) : undefined;
    return projectResource("Group", toScimGroup(row, baseUrl, list), projection);
  });
}
