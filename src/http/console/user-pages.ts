import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { newestEvents } from "../../events/event-service.js";
import { decodeBigintCursor, encodeBigintCursor } from "../../pagination/keyset-position.js";
import { ScimError } from "../../scim/errors.js";
import { toAppUser } from "../../users/app-user.js";
import { listUsers } from "../../users/user-listing.js";
import { scimUsers } from "../../users/user-resources.js";
import { getUser } from "../../users/user-service.js";
import { userNotFound } from "../admin/user-routes.js";
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
import { eventTable } from "./event-pages.js";

// A directory's synced users: the list with a SCIM filter box (the admin API's listing, same engine as the
// SCIM endpoint), and one user as SCIM returns it, as the app sees it, its groups and its event history.

const UserParams = Type.Object({ id: Type.String(), userId: Type.String() });
const UserQuery = Type.Object({ events: Type.Optional(Type.String()) });

const USER_EVENTS_PER_PAGE = 20;

export function userPath(directoryId: string, userId: string): string {
  return `${directoryPath(directoryId, "users")}/${encodeURIComponent(userId)}`;
}

export const userPages: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    "/console/directories/:id/users",
    { schema: { hide: true, params: DirectoryParams, querystring: FilteredPageQuery } },
    async (request, reply) => {
      const directory = await directoryOf(app, request.params.id);
      const filter = queryValue(request.query.filter);
      const limit = pageLimit(request.query.limit);
      const cursor = queryValue(request.query.cursor);
      const { page, problem } = await readFiltered(() =>
        listUsers(app.db, directory.id, { filter, cursor, limit, maxBytes: app.config.adminPageMaxBytes }),
      );
      const path = directoryPath(directory.id, "users");
      const form = scimFilterForm(
        path,
        filter,
        "users",
        html`<code>userName sw "a"</code>, <code>emails.value eq "ada@example.com"</code>, <code>active eq false</code>`,
      );
      const table = page
        ? page.data.length === 0
          ? html`<p>${filter ? "No users match this filter." : "No users synced yet."}</p>`
          : html`<table>
<caption class="sr-only">Users</caption>
<thead><tr><th scope="col">userName</th><th scope="col">displayName</th><th scope="col">Email</th><th scope="col">Active</th><th scope="col">Updated</th></tr></thead>
<tbody>${page.data.map(
              (
                u,
              ) => html`<tr><td><a href="${userPath(directory.id, u.id)}">${u.userName}</a></td><td>${u.displayName ?? ""}</td><td>${u.email ?? ""}</td>
<td>${u.active ? html`<span class="badge ok">active</span>` : html`<span class="badge off">inactive</span>`}</td><td>${timeOf(u.updatedAt)}</td></tr>`,
            )}</tbody></table>
${pager(path, { filter, limit: request.query.limit }, page.nextCursor, !cursor)}`
        : "";
      return sendSection(reply, {
        directory,
        tab: "users",
        session: sessionOf(request),
        status: problem ? 400 : 200,
        body: html`<h2>Users</h2>${form}${filterProblem(problem)}${table}`,
      });
    },
  );

  app.get(
    "/console/directories/:id/users/:userId",
    { schema: { hide: true, params: UserParams, querystring: UserQuery } },
    async (request, reply) => {
      const directory = await directoryOf(app, request.params.id);
      const user = await getUser(app.db, directory.id, request.params.userId, { groups: true }).catch((err) => {
        throw err instanceof ScimError && err.status === 404 ? userNotFound() : err;
      });
      const groups = user.groups ?? [];
      const [resource] = await scimUsers(app.db, directory.scim.tenantUrl, [user], {}, true);
      const appUser = toAppUser(user, { groups });
      const eventsCursor = queryValue(request.query.events);
      const history = await newestEvents(app.db, {
        directoryId: directory.id,
        userId: user.id,
        limit: USER_EVENTS_PER_PAGE,
        beforeId: eventsCursor === undefined ? undefined : decodeBigintCursor("b", eventsCursor),
      });
      const here = userPath(directory.id, user.id);
      const last = history.events.at(-1);
      const olderEvents = history.more && last ? `${here}?events=${encodeURIComponent(encodeBigintCursor("b", last.id))}#events` : null;
      const body = html`<section class="card" aria-labelledby="facts"><h2 id="facts">User</h2><dl class="facts">
<dt>id</dt><dd class="mono">${user.id}</dd>
<dt>userName</dt><dd>${user.userName}</dd>
<dt>displayName</dt><dd>${user.displayName ?? ""}</dd>
<dt>externalId</dt><dd>${user.externalId ?? ""}</dd>
<dt>Active</dt><dd>${user.active ? "yes" : "no"}</dd>
<dt>Roles</dt><dd id="user-roles">${user.roles.length ? user.roles.join(", ") : "none"} (<a href="${directoryPath(directory.id, "mapping")}#roles">role mapping</a>)</dd>
<dt>Created</dt><dd>${timeOf(user.createdAt)}</dd>
<dt>Updated</dt><dd>${timeOf(user.updatedAt)}</dd>
</dl></section>
<section class="card" aria-labelledby="groups"><h2 id="groups">Groups</h2>
${
  groups.length === 0
    ? html`<p>Not a member of any group.</p>`
    : html`<ul>${groups.map((g) => html`<li><a href="${directoryPath(directory.id, "groups")}/${encodeURIComponent(g.id)}">${g.displayName}</a></li>`)}</ul>`
}</section>
<div class="grid2">
<section class="card" aria-labelledby="scim"><h2 id="scim">SCIM resource</h2><p class="hint">As a SCIM GET of this user returns it.</p>${jsonBlock(resource, "SCIM resource")}</section>
<section class="card" aria-labelledby="app"><h2 id="app">App-facing user</h2><p class="hint">As the admin API and webhook events carry it.</p>${jsonBlock(appUser, "App-facing user")}</section>
</div>
<section class="card" id="events" aria-labelledby="events-heading"><h2 id="events-heading">Event history</h2>
${history.events.length === 0 ? html`<p>No events about this user are kept.</p>` : eventTable(directory.id, history.events)}
<nav class="pager" aria-label="Event pages">${eventsCursor ? html`<a href="${here}#events">Newest events</a>` : ""}${
        olderEvents ? html`<a href="${olderEvents}" rel="next">Older events</a>` : ""
      }</nav>
</section>`;
      return sendSection(reply, {
        directory,
        tab: "users",
        session: sessionOf(request),
        title: `User ${user.userName}`,
        crumbs: [["Users", directoryPath(directory.id, "users")]],
        body,
      });
    },
  );
};
