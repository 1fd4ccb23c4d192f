import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import type { EventJson } from "../../events/event-json.js";
import { eventSubject, rolesText, type Subject } from "../../events/event-subject.js";
import { newestEvents } from "../../events/event-service.js";
import { EVENT_TYPES } from "../../events/event-writer.js";
import { decodeBigintCursor, encodeBigintCursor } from "../../pagination/keyset-position.js";
import { parseEventTypes } from "../admin/event-routes.js";
import { html, raw, type SafeHtml } from "../html.js";
import { directoryPath, pager } from "./console-layout.js";
import { sessionOf } from "./console-reply.js";
import { directoryOf, pageLimit, queryValue, sendSection, timeOf, DirectoryParams } from "./directory-section.js";

// A directory's event log, newest first, with a type filter. The first page is a live tail: its section
// is a `data-live` region the console script re-fetches every 2 s; without JavaScript, "Refresh" does it.

const Query = Type.Object({
  type: Type.Optional(Type.String()),
  cursor: Type.Optional(Type.String()),
  limit: Type.Optional(Type.String()),
});

export const LIVE_REFRESH_MS = 2000;

function resourceLink(directoryId: string, tab: "users" | "groups", about: Subject, fallback: string): SafeHtml {
  const name = about.name ?? about.id ?? fallback;
  return about.id ? html`<a href="${directoryPath(directoryId, tab)}/${encodeURIComponent(about.id)}">${name}</a>` : html`${name}`;
}

/** What an event is about, linked to its user or group page (event data is IdP data: escaped by `html`). */
function eventSummary(directoryId: string, event: EventJson): SafeHtml {
  const about = eventSubject(event);
  const userLink = (u: Subject) => resourceLink(directoryId, "users", u, "a user");
  const groupLink = (g: Subject) => resourceLink(directoryId, "groups", g, "a group");
  switch (about.kind) {
    case "roles":
      return html`${userLink(about.user)}: roles ${rolesText(about.previousRoles)} → ${rolesText(about.roles)}`;
    case "membership":
      return html`${userLink(about.user)} ${about.change} ${groupLink(about.group)}`;
    case "group":
      return groupLink(about.group);
    case "user":
      return userLink(about.user);
  }
}

/** Events as a table: id, type, time, what it is about, and its JSON (as the events API and webhooks carry it) in a <details>. */
export function eventTable(directoryId: string, events: EventJson[]): SafeHtml {
  return html`<table>
<caption class="sr-only">Events</caption>
<thead><tr><th scope="col">Event id</th><th scope="col">Type</th><th scope="col">Time</th><th scope="col">About</th><th scope="col">Data</th></tr></thead>
<tbody>${events.map(
    (
      e,
    ) => html`<tr><td class="mono">${e.id}</td><td><code>${e.type}</code></td><td>${timeOf(e.occurredAt)}</td><td>${eventSummary(directoryId, e)}</td>
<td><details><summary>JSON of event ${e.id}</summary><pre tabindex="0"><code>${JSON.stringify(e, null, 2)}</code></pre></details></td></tr>`,
  )}</tbody></table>`;
}

export const eventPages: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    "/console/directories/:id/events",
    { schema: { hide: true, params: DirectoryParams, querystring: Query } },
    async (request, reply) => {
      const directory = await directoryOf(app, request.params.id);
      const type = queryValue(request.query.type);
      const types = parseEventTypes(type);
      const cursor = queryValue(request.query.cursor);
      const limit = pageLimit(request.query.limit);
      const page = await newestEvents(app.db, {
        directoryId: directory.id,
        types,
        limit,
        beforeId: cursor === undefined ? undefined : decodeBigintCursor("b", cursor),
      });
      const path = directoryPath(directory.id, "events");
      const query = { type, limit: request.query.limit };
      const params = new URLSearchParams(Object.entries(query).filter((e): e is [string, string] => Boolean(e[1])));
      const firstPage = params.size ? `${path}?${params}` : path;
      const last = page.events.at(-1);
      const form = html`<form method="get" action="${path}" class="inline card" aria-label="Filter events">
  <div class="field"><label for="type">Event type</label>
  <select id="type" name="type"><option value="">All types</option>${EVENT_TYPES.map(
    (t) => html`<option value="${t}"${t === type ? raw(" selected") : ""}>${t}</option>`,
  )}</select></div>
  <button type="submit" class="primary">Show events</button>
</form>`;
      const list = html`${page.events.length === 0 ? html`<p>No events${type ? " of this type" : ""} yet.</p>` : eventTable(directory.id, page.events)}
${pager(path, query, page.more && last ? encodeBigintCursor("b", last.id) : null, !cursor)}`;
      const section = cursor
        ? html`<section class="card" aria-labelledby="events-heading"><h2 id="events-heading">Older events</h2>${list}</section>`
        : html`<section class="card" id="live-events" data-live="${firstPage}" data-live-ms="${LIVE_REFRESH_MS}" aria-labelledby="events-heading">
<h2 id="events-heading">Newest events</h2>
<p class="hint">Updates every ${LIVE_REFRESH_MS / 1000} seconds while JavaScript is on. <a href="${firstPage}">Refresh</a></p>
${list}</section>`;
      return sendSection(reply, { directory, tab: "events", session: sessionOf(request), body: html`<h2>Events</h2>${form}${section}` });
    },
  );
};
