import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { isResourceId } from "../../scim/resource/resource-id.js";
import { findGroup, groupMembersPage, listGroups } from "../../groups/group-listing.js";
import { groupNotFound } from "../admin/group-routes.js";
import { html } from "../html.js";
import { directoryPath, pager } from "./console-layout.js";
import { sessionOf } from "./console-reply.js";
import {
  directoryOf,
  filterProblem,
  jsonBlock,
  pageLimit,
  queryValue,
  readFiltered,
  scimFilterForm,
  sendSection,
  timeOf,
  DirectoryParams,
  FilteredPageQuery,
} from "./directory-section.js";
import { userPath } from "./user-pages.js";

// A directory's synced groups (the admin API's listing, with its SCIM filter) and one group with its members
// paged by cursor.

const GroupParams = Type.Object({ id: Type.String(), groupId: Type.String() });

export function groupPath(directoryId: string, groupId: string): string {
  return `${directoryPath(directoryId, "groups")}/${encodeURIComponent(groupId)}`;
}

export const groupPages: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    "/console/directories/:id/groups",
    { schema: { hide: true, params: DirectoryParams, querystring: FilteredPageQuery } },
    async (request, reply) => {
      const directory = await directoryOf(app, request.params.id);
      const filter = queryValue(request.query.filter);
      const cursor = queryValue(request.query.cursor);
      const { page, problem } = await readFiltered(() =>
        listGroups(app.db, directory.id, { filter, cursor, limit: pageLimit(request.query.limit) }),
      );
      const path = directoryPath(directory.id, "groups");
      const form = scimFilterForm(path, filter, "groups", html`<code>displayName sw "Eng"</code> or <code>externalId eq "g-1"</code>`);
      const table = page
        ? page.data.length === 0
          ? html`<p>${filter ? "No groups match this filter." : "No groups synced yet."}</p>`
          : html`<table>
<caption class="sr-only">Groups</caption>
<thead><tr><th scope="col">displayName</th><th scope="col">externalId</th><th scope="col" class="num">Members</th><th scope="col">Updated</th></tr></thead>
<tbody>${page.data.map(
              (g) => html`<tr><td><a href="${groupPath(directory.id, g.id)}">${g.displayName}</a></td><td>${g.externalId ?? ""}</td>
<td class="num">${g.memberCount}</td><td>${timeOf(g.updatedAt)}</td></tr>`,
            )}</tbody></table>
${pager(path, { filter, limit: request.query.limit }, page.nextCursor, !cursor)}`
        : "";
      return sendSection(reply, {
        directory,
        tab: "groups",
        session: sessionOf(request),
        status: problem ? 400 : 200,
        body: html`<h2>Groups</h2>${form}${filterProblem(problem)}${table}`,
      });
    },
  );

  app.get(
    "/console/directories/:id/groups/:groupId",
    { schema: { hide: true, params: GroupParams, querystring: FilteredPageQuery } },
    async (request, reply) => {
      const directory = await directoryOf(app, request.params.id);
      const { groupId } = request.params;
      const group = isResourceId(groupId) ? await findGroup(app.db, directory.id, groupId) : null;
      if (!group) throw groupNotFound();
      const cursor = queryValue(request.query.cursor);
      const members = await groupMembersPage(app.db, directory.id, group.id, { limit: pageLimit(request.query.limit), cursor });
      if (!members) throw groupNotFound();
      const here = groupPath(directory.id, group.id);
      const body = html`<section class="card" aria-labelledby="facts"><h2 id="facts">Group</h2><dl class="facts">
<dt>id</dt><dd class="mono">${group.id}</dd>
<dt>displayName</dt><dd>${group.displayName}</dd>
<dt>externalId</dt><dd>${group.externalId ?? ""}</dd>
<dt>Members</dt><dd>${group.memberCount}</dd>
<dt>Created</dt><dd>${timeOf(group.createdAt)}</dd>
<dt>Updated</dt><dd>${timeOf(group.updatedAt)}</dd>
</dl>
<details><summary>Stored SCIM resource</summary>${jsonBlock(group.raw, "Stored SCIM resource")}</details>
</section>
<section class="card" id="members" aria-labelledby="members-heading"><h2 id="members-heading">Members</h2>
${
  members.data.length === 0
    ? html`<p>${cursor ? "No more members." : "This group has no members."}</p>`
    : html`<table>
<caption class="sr-only">Members</caption>
<thead><tr><th scope="col">userName</th><th scope="col">displayName</th><th scope="col">Email</th><th scope="col">Active</th></tr></thead>
<tbody>${members.data.map(
        (
          u,
        ) => html`<tr><td><a href="${userPath(directory.id, u.id)}">${u.userName}</a></td><td>${u.displayName ?? ""}</td><td>${u.email ?? ""}</td>
<td>${u.active ? "yes" : "no"}</td></tr>`,
      )}</tbody></table>`
}
${pager(here, { limit: request.query.limit }, members.nextCursor, !cursor)}
</section>`;
      return sendSection(reply, {
        directory,
        tab: "groups",
        session: sessionOf(request),
        title: `Group ${group.displayName}`,
        crumbs: [["Groups", directoryPath(directory.id, "groups")]],
        body,
      });
    },
  );
};
