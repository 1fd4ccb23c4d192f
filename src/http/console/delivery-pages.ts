import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { decodeBigintCursor, encodeBigintCursor } from "../../pagination/keyset-position.js";
import {
  DELIVERY_STATUSES,
  type DeliveryStatus,
  type DeliveryView,
  deliveryAttempts,
  findDelivery,
  listDeliveries,
  replayToEndpoint,
  retryDelivery,
} from "../../webhooks/delivery-log.js";
import { deliveryProblem } from "../admin/webhook-delivery-routes.js";
import { html, raw, type SafeHtml } from "../html.js";
import { ApiProblem } from "../problem.js";
import { directoryPath, pager, postForm } from "./console-layout.js";
import { formOf, sessionOf } from "./console-reply.js";
import { directoryOf, notice, pageLimit, queryValue, sendSection, timeOf, DirectoryParams } from "./directory-section.js";

// The directory's webhook deliveries (the admin API's delivery log): a status filter, one delivery with what
// is known of its attempts, Retry for a failed or dead one, and replay of the event log from an event id.
// Both actions go through the admin API's services and answer 303 back to a page with a notice.

const DeliveryParams = Type.Object({ id: Type.String(), deliveryId: Type.String() });
const ListQuery = Type.Object({
  status: Type.Optional(Type.String()),
  cursor: Type.Optional(Type.String()),
  limit: Type.Optional(Type.String()),
  replayed: Type.Optional(Type.String()),
});
const DeliveryQuery = Type.Object({ retried: Type.Optional(Type.String()) });

/** Attempts listed on a delivery's page (retries are bounded by WEBHOOK_RETRY_SCHEDULE; manual retries add more). */
const ATTEMPTS_SHOWN = 50;

const STATUS_LABELS: Record<DeliveryStatus, string> = {
  pending: "pending",
  failed: "failed (retrying)",
  succeeded: "delivered",
  dead: "dead (gave up)",
};
const STATUS_BADGE: Record<DeliveryStatus, string> = { pending: "waiting", failed: "bad", succeeded: "ok", dead: "off" };

function statusBadge(status: DeliveryStatus): SafeHtml {
  return html`<span class="badge ${STATUS_BADGE[status]}">${STATUS_LABELS[status]}</span>`;
}

function response(statusCode: number | null, error: string | null): SafeHtml {
  return html`${statusCode ? html`HTTP ${statusCode}` : ""}${statusCode && error ? ": " : ""}${error ?? ""}`;
}

function lastResponse(d: DeliveryView): SafeHtml {
  // a retried delivery starts a fresh schedule (attempts 0) but keeps its last outcome until the next attempt
  if (d.lastStatusCode === null && d.lastError === null) return html`none yet`;
  return response(d.lastStatusCode, d.lastError);
}

export function deliveryPath(directoryId: string, deliveryId: string): string {
  return `${directoryPath(directoryId, "deliveries")}/${encodeURIComponent(deliveryId)}`;
}

async function withDeliveryProblem<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (err) {
    throw deliveryProblem(err);
  }
}

export const deliveryPages: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    "/console/directories/:id/deliveries",
    { schema: { hide: true, params: DirectoryParams, querystring: ListQuery } },
    async (request, reply) => {
      const directory = await directoryOf(app, request.params.id);
      const session = sessionOf(request);
      const statusText = queryValue(request.query.status);
      const cursor = queryValue(request.query.cursor);
      const status = DELIVERY_STATUSES.find((s) => s === statusText);
      const problem = statusText !== undefined && !status ? `Status must be one of ${DELIVERY_STATUSES.join(", ")}.` : undefined;
      const page = problem
        ? undefined
        : await listDeliveries(app.db, app.config, directory.id, {
            status,
            limit: pageLimit(request.query.limit),
            before: cursor === undefined ? undefined : decodeBigintCursor("b", cursor),
          });
      const path = directoryPath(directory.id, "deliveries");
      const replayed = Number(queryValue(request.query.replayed));
      const done = Number.isInteger(replayed) && replayed >= 0 && request.query.replayed !== undefined;
      const filter = html`<form method="get" action="${path}" class="inline card" aria-label="Filter deliveries">
  <div class="field"><label for="status">Status</label><select id="status" name="status"><option value="">All statuses</option>${DELIVERY_STATUSES.map(
    (s) => html`<option value="${s}"${s === status ? raw(" selected") : ""}>${STATUS_LABELS[s]}</option>`,
  )}</select></div>
  <button type="submit" class="primary">Show deliveries</button>
</form>`;
      const replay = html`<section class="card" aria-labelledby="replay-heading"><h2 id="replay-heading">Replay events</h2>
<p class="hint" id="replay-hint">Sends the directory's events again, in order, from this event on (its id is on the Events page) to the webhook endpoint.
Delivered or dead events are queued again under a new webhook-id; events still queued are left as they are.</p>
${postForm(
  `${path}/replay`,
  session,
  html`<div class="inline"><div class="field"><label for="fromEventId">From event id</label>
<input type="text" id="fromEventId" name="fromEventId" inputmode="numeric" pattern="[0-9]+" required aria-describedby="replay-hint"></div>
<button type="submit">Replay events</button></div>`,
)}</section>`;
      const last = page?.deliveries.at(-1);
      const table = page
        ? page.deliveries.length === 0
          ? html`<p>No webhook deliveries${status ? " with this status" : " yet"}.</p>`
          : html`<table>
<caption class="sr-only">Webhook deliveries</caption>
<thead><tr><th scope="col">Delivery</th><th scope="col">Event</th><th scope="col">Status</th><th scope="col" class="num">Attempts</th><th scope="col">Last attempt</th><th scope="col">Next attempt</th><th scope="col">Last response</th></tr></thead>
<tbody>${page.deliveries.map(
              (
                d,
              ) => html`<tr><td><a href="${deliveryPath(directory.id, d.id)}">Delivery ${d.id}</a></td><td><code>${d.eventType ?? "(pruned)"}</code> <span class="mono">#${d.eventId}</span></td>
<td>${statusBadge(d.status)}</td><td class="num">${d.attempts}</td><td>${timeOf(d.lastAttemptAt)}</td><td>${timeOf(d.nextAttemptAt)}</td><td>${lastResponse(d)}</td></tr>`,
            )}</tbody></table>
${pager(path, { status: statusText, limit: request.query.limit }, page.more && last ? encodeBigintCursor("b", last.id) : null, !cursor)}`
        : "";
      return sendSection(reply, {
        directory,
        tab: "deliveries",
        session,
        status: problem ? 400 : 200,
        body: html`<h2>Webhook deliveries</h2>${done ? notice("ok", `Queued ${replayed} ${replayed === 1 ? "delivery" : "deliveries"} for replay.`) : ""}${filter}${
          problem ? notice("bad", problem) : ""
        }${table}${replay}`,
      });
    },
  );

  app.post("/console/directories/:id/deliveries/replay", { schema: { hide: true, params: DirectoryParams } }, async (request, reply) => {
    const directory = await directoryOf(app, request.params.id);
    const fromEventId = (formOf(request).fromEventId ?? "").trim();
    if (!/^[1-9][0-9]{0,17}$/.test(fromEventId)) {
      throw new ApiProblem(
        400,
        "invalid_event_id",
        "Bad Request",
        "From event id must be an event id: a whole number from the Events page.",
      );
    }
    const queued = await withDeliveryProblem(replayToEndpoint(app.db, directory.id, fromEventId));
    return reply.redirect(`${directoryPath(directory.id, "deliveries")}?replayed=${queued}`, 303);
  });

  app.get(
    "/console/directories/:id/deliveries/:deliveryId",
    { schema: { hide: true, params: DeliveryParams, querystring: DeliveryQuery } },
    async (request, reply) => {
      const directory = await directoryOf(app, request.params.id);
      const session = sessionOf(request);
      const d = await withDeliveryProblem(findDelivery(app.db, app.config, directory.id, request.params.deliveryId));
      const { attempts, more } = await deliveryAttempts(app.db, d.id, { limit: ATTEMPTS_SHOWN });
      const here = deliveryPath(directory.id, d.id);
      const retryable = d.status === "failed" || d.status === "dead";
      const body = html`${request.query.retried !== undefined ? notice("ok", "Queued for another attempt now, with a fresh retry schedule.") : ""}
<section class="card" aria-labelledby="facts"><h2 id="facts">Delivery</h2><dl class="facts">
<dt>Status</dt><dd>${statusBadge(d.status)}</dd>
<dt>Event</dt><dd><code>${d.eventType ?? "(pruned)"}</code> <span class="mono">#${d.eventId}</span></dd>
<dt>Endpoint</dt><dd class="mono">${d.endpoint.url ?? "–"}${d.endpoint.global ? " (global WEBHOOK_URL)" : ""}</dd>
<dt>Queued</dt><dd>${timeOf(d.createdAt)}</dd>
</dl></section>
<section class="card" aria-labelledby="attempts"><h2 id="attempts">Attempts</h2><dl class="facts">
<dt>Attempts</dt><dd>${d.attempts}${d.attempts > 0 ? " since queued or last retried" : ""}</dd>
<dt>Last response</dt><dd>${lastResponse(d)}</dd>
<dt>Next attempt</dt><dd>${d.nextAttemptAt ? timeOf(d.nextAttemptAt) : "none scheduled"}</dd>
<dt>Delivered</dt><dd>${timeOf(d.deliveredAt)}</dd>
</dl>
<h3>History</h3>
${
  attempts.length === 0
    ? html`<p>Not tried yet.</p>`
    : html`<table>
<caption class="sr-only">Attempts, newest first</caption>
<thead><tr><th scope="col">Time</th><th scope="col">Outcome</th><th scope="col">Response</th></tr></thead>
<tbody>${attempts.map(
        (a) => html`<tr><td>${timeOf(a.at)}</td><td>${statusBadge(a.outcome)}</td><td>${response(a.statusCode, a.error)}</td></tr>`,
      )}</tbody></table>${more ? html`<p class="hint">The newest ${ATTEMPTS_SHOWN} attempts.</p>` : ""}`
}
${
  retryable
    ? postForm(`${here}/retry`, session, html`<p><button type="submit" class="primary">Retry now</button></p>`)
    : html`<p class="hint">Only failed or dead deliveries can be retried.</p>`
}
</section>`;
      return sendSection(reply, {
        directory,
        tab: "deliveries",
        session,
        title: `Delivery ${d.id}`,
        crumbs: [["Deliveries", directoryPath(directory.id, "deliveries")]],
        body,
      });
    },
  );

  app.post(
    "/console/directories/:id/deliveries/:deliveryId/retry",
    { schema: { hide: true, params: DeliveryParams } },
    async (request, reply) => {
      const directory = await directoryOf(app, request.params.id);
      // the delivery must be this directory's: the admin API's retry is keyed by delivery id alone
      const d = await withDeliveryProblem(findDelivery(app.db, app.config, directory.id, request.params.deliveryId));
      await withDeliveryProblem(retryDelivery(app.db, app.config, d.id));
      return reply.redirect(`${deliveryPath(directory.id, d.id)}?retried=1`, 303);
    },
  );
};
