import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { decodeBigintCursor, encodeBigintCursor } from "../../pagination/keyset-position.js";
import { directoryRequest, directoryRequestLog, parseStatusFilter } from "../../request-log/request-log-service.js";
import { html, raw, type SafeHtml } from "../html.js";
import { ApiProblem } from "../problem.js";
import { directoryPath, pager } from "./console-layout.js";
import { sessionOf } from "./console-reply.js";
import { directoryOf, notice, pageLimit, queryValue, sendSection, timeOf, DirectoryParams } from "./directory-section.js";

// The directory's SCIM request log (the admin API's service), newest first, filtered by status and by whether
// the request carried a valid Secret Token; one request shows what the log stored: the body as
// SCIM_REQUEST_LOG_BODY kept it (redacted or none by default), never a header (no Authorization is stored).

const RequestParams = Type.Object({ id: Type.String(), requestId: Type.String() });
const Query = Type.Object({
  status: Type.Optional(Type.String()),
  authenticated: Type.Optional(Type.String()),
  cursor: Type.Optional(Type.String()),
  limit: Type.Optional(Type.String()),
});

const STATUS_CHOICES: [value: string, label: string][] = [
  ["", "All statuses"],
  ["2xx", "2xx (success)"],
  ["4xx", "4xx (client errors)"],
  ["5xx", "5xx (server errors)"],
  ...["400", "401", "403", "404", "409", "412", "413", "429", "500", "503"].map((s): [string, string] => [s, s]),
];
const AUTH_CHOICES: [value: string, label: string][] = [
  ["", "Any"],
  ["yes", "With a valid token"],
  ["no", "Without a valid token"],
];

function options(choices: [string, string][], selected: string | undefined): SafeHtml {
  const all = selected && !choices.some(([v]) => v === selected) ? [...choices, [selected, selected] as [string, string]] : choices;
  return html`${all.map(([v, label]) => html`<option value="${v}"${v === (selected ?? "") ? raw(" selected") : ""}>${label}</option>`)}`;
}

function statusBadge(status: number): SafeHtml {
  return html`<span class="badge ${status >= 400 ? "bad" : "ok"}">${status}</span>`;
}

export function requestPath(directoryId: string, requestId: string): string {
  return `${directoryPath(directoryId, "requests")}/${encodeURIComponent(requestId)}`;
}

export const requestLogPages: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    "/console/directories/:id/requests",
    { schema: { hide: true, params: DirectoryParams, querystring: Query } },
    async (request, reply) => {
      const directory = await directoryOf(app, request.params.id);
      const statusText = queryValue(request.query.status);
      const authText = queryValue(request.query.authenticated);
      const cursor = queryValue(request.query.cursor);
      const status = statusText === undefined ? undefined : parseStatusFilter(statusText);
      const authenticated = authText === "yes" ? true : authText === "no" ? false : undefined;
      let problem: string | undefined;
      if (status === null) problem = "Status must be a status code (401) or a class (4xx).";
      else if (authText !== undefined && authenticated === undefined) problem = "Token must be yes or no.";
      const page = problem
        ? undefined
        : await directoryRequestLog(app.db, directory.id, {
            status: status ?? undefined,
            authenticated,
            limit: pageLimit(request.query.limit),
            beforeId: cursor === undefined ? undefined : decodeBigintCursor("id", cursor),
          });
      const path = directoryPath(directory.id, "requests");
      const form = html`<form method="get" action="${path}" class="inline card" aria-label="Filter requests">
  <div class="field"><label for="status">Status</label><select id="status" name="status">${options(STATUS_CHOICES, statusText)}</select></div>
  <div class="field"><label for="authenticated">Secret Token</label><select id="authenticated" name="authenticated">${options(AUTH_CHOICES, authText)}</select></div>
  <button type="submit" class="primary">Show requests</button>
</form>`;
      const last = page?.entries.at(-1);
      const table = page
        ? page.entries.length === 0
          ? html`<p>No SCIM requests${statusText || authText ? " match this filter" : " logged yet"}.</p>`
          : html`<table>
<caption class="sr-only">SCIM requests</caption>
<thead><tr><th scope="col">Time</th><th scope="col">Method</th><th scope="col">Path</th><th scope="col">Status</th><th scope="col">scimType / detail</th><th scope="col" class="num">Duration</th></tr></thead>
<tbody>${page.entries.map(
              (
                e,
              ) => html`<tr><td><a href="${requestPath(directory.id, e.id)}">${timeOf(e.at)}<span class="sr-only"> (request ${e.id})</span></a></td>
<td><code>${e.method}</code></td><td class="mono">${e.path}${e.query ? html`?${e.query}` : ""}</td><td>${statusBadge(e.status)}</td>
<td>${e.scimType ? html`<code>${e.scimType}</code> ` : ""}${e.detail ?? ""}</td><td class="num">${e.durationMs.toFixed(1)} ms</td></tr>`,
            )}</tbody></table>
${pager(path, { status: statusText, authenticated: authText, limit: request.query.limit }, page.hasMore && last ? encodeBigintCursor("id", last.id) : null, !cursor)}`
        : "";
      return sendSection(reply, {
        directory,
        tab: "requests",
        session: sessionOf(request),
        status: problem ? 400 : 200,
        body: html`<h2>SCIM requests</h2>${form}${problem ? notice("bad", problem) : ""}${table}`,
      });
    },
  );

  app.get("/console/directories/:id/requests/:requestId", { schema: { hide: true, params: RequestParams } }, async (request, reply) => {
    const directory = await directoryOf(app, request.params.id);
    const entry = await directoryRequest(app.db, directory.id, request.params.requestId);
    if (!entry)
      throw new ApiProblem(404, "scim_request_not_found", "Not Found", "This SCIM request is not in the directory's log (or was pruned).");
    const policy = app.config.requestLog.body;
    const body = html`<div class="grid2">
<section class="card" aria-labelledby="req"><h2 id="req">Request</h2><dl class="facts">
<dt>Time</dt><dd>${timeOf(entry.at)}</dd>
<dt>Method</dt><dd><code>${entry.method}</code></dd>
<dt>Path</dt><dd class="mono">${entry.path}</dd>
<dt>Query</dt><dd class="mono">${entry.query ?? "–"}</dd>
<dt>Secret Token</dt><dd>${entry.authenticated ? "valid" : html`<span class="badge bad">missing or not valid</span>`}</dd>
<dt>client-request-id</dt><dd class="mono">${entry.clientRequestId ?? "–"}</dd>
</dl>
<h3>Body</h3>
${
  entry.body === null
    ? html`<p>No body stored${policy === "none" ? " (SCIM_REQUEST_LOG_BODY=none)" : ""}.</p>`
    : html`<pre tabindex="0" role="region" aria-label="Request body"><code>${entry.body}</code></pre>`
}
<p class="hint">Stored as SCIM_REQUEST_LOG_BODY=${policy} keeps it: personal data ${policy === "full" ? "kept" : "redacted"}, secrets never kept, cut to 4 KB. Headers are not stored.</p>
</section>
<section class="card" aria-labelledby="res"><h2 id="res">Response</h2><dl class="facts">
<dt>Status</dt><dd>${statusBadge(entry.status)}</dd>
<dt>scimType</dt><dd>${entry.scimType ? html`<code>${entry.scimType}</code>` : "–"}</dd>
<dt>Detail</dt><dd>${entry.detail ?? "–"}</dd>
<dt>Duration</dt><dd>${entry.durationMs.toFixed(1)} ms</dd>
</dl></section>
</div>`;
    return sendSection(reply, {
      directory,
      tab: "requests",
      session: sessionOf(request),
      title: `${entry.method} ${entry.path}`,
      crumbs: [["SCIM requests", directoryPath(directory.id, "requests")]],
      body,
    });
  });
};
