import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { syncActivity } from "../../directories/directory-activity.js";
import { directoryHealth } from "../../directories/directory-health.js";
import { deleteDirectory, getDirectory, updateDirectory } from "../../directories/directory-service.js";
import { copyField, html } from "../html.js";
import { ApiProblem } from "../problem.js";
import { directoryPath, postForm } from "./console-layout.js";
import { formOf, sendPage, sessionOf } from "./console-reply.js";
import { age, directoryIdOf, directoryPage, noticeFrom, stateBadge, timeTag, withNotice } from "./directory-page.js";
import { syncActivityChart } from "./sync-activity-chart.js";

// One directory's overview (facts, state, the sync-activity chart) and its life: disable, enable, delete
// (confirmed by typing the name). Same services as GET/PATCH/DELETE /api/v1/directories/:id. The facts
// card refreshes itself every 10 s (data-live) so the state and counts follow a sync in progress.

export const directoryOverviewRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get("/console/directories/:id", { schema: { hide: true } }, async (request, reply) => {
    const session = sessionOf(request);
    const directory = await getDirectory(app.db, app.config, directoryIdOf(request));
    const health = (await directoryHealth(app.db, [directory])).get(directory.id)!;
    const activity = await syncActivity(app.db, app.config, directory, health);
    const last = health.lastRequest;
    const toggle = directory.disabled
      ? postForm(
          `${directoryPath(directory.id)}/enable`,
          session,
          html`<button type="submit" class="primary" id="enable-directory">Enable directory</button>`,
        )
      : postForm(
          `${directoryPath(directory.id)}/disable`,
          session,
          html`<button type="submit" class="danger" id="disable-directory">Disable directory</button>`,
        );
    const body = html`${noticeFrom(request)}
<div class="grid2">
<section class="card" id="directory-facts" aria-labelledby="facts-heading" data-live="${directoryPath(directory.id)}" data-live-ms="10000">
<h2 id="facts-heading">Directory</h2>
<dl class="facts">
<dt>State</dt><dd id="directory-state">${stateBadge(health.state)}${
      health.refusedRecently > 0
        ? html` <span id="refused-recently">${health.refusedRecently} request(s) refused in the last hour for want of a valid Secret Token (<a href="${directoryPath(directory.id, "requests")}?status=401">see the request log</a>)</span>`
        : ""
    }</dd>
<dt>Tenant</dt><dd>${directory.tenant ?? "—"}</dd>
${directory.product ? html`<dt>Product</dt><dd>${directory.product}</dd>` : ""}
<dt>Provider</dt><dd>${directory.provider}</dd>
<dt>Created</dt><dd>${timeTag(directory.createdAt)}</dd>
<dt>Users</dt><dd id="directory-users">${health.users}</dd>
<dt>Groups</dt><dd id="directory-groups">${health.groups}</dd>
<dt>Last IdP request</dt><dd>${last ? html`${timeTag(last.at)} <span class="mono">${last.method} ${last.path}</span> → ${last.status}` : "none yet"}</dd>
<dt>Token age</dt><dd>${health.newestLiveTokenAt ? html`${age(health.newestLiveTokenAt)} (<a href="${directoryPath(directory.id, "tokens")}">manage tokens</a>)` : html`no live token (<a href="${directoryPath(directory.id, "tokens")}">issue a token</a>)`}</dd>
<dt>Webhook</dt><dd>${directory.webhook ? html`<span class="mono">${directory.webhook.url}</span>` : html`none (<a href="${directoryPath(directory.id, "webhook")}">set a webhook</a>)`}</dd>
</dl>
</section>
<section class="card" aria-labelledby="connect-heading">
<h2 id="connect-heading">Connect the IdP</h2>
${copyField("tenant-url", "Tenant URL", directory.scim.tenantUrl)}
<p class="hint">The Secret Token is shown only when it is issued: <a href="${directoryPath(directory.id, "tokens")}">issue a new token</a>, or <a href="${directoryPath(directory.id, "setup-links")}">send the IT admin a setup link</a>.</p>
</section>
</div>
${syncActivityChart(activity)}
<section class="card danger" aria-labelledby="manage-heading">
<h2 id="manage-heading">Disable or delete</h2>
<p>${directory.disabled ? "This directory is disabled: its IdP's SCIM requests are refused. Enable it to let the IdP sync again." : "Disabling refuses the IdP's SCIM requests (on every replica within a second) and keeps all data."}</p>
<div class="actions">${toggle}</div>
<h3>Delete</h3>
<p>Deleting removes the directory with its users, groups, memberships, tokens, setup links, events and logs. It cannot be undone.</p>
${postForm(
  `${directoryPath(directory.id)}/delete`,
  session,
  html`<div class="actions"><div class="field"><label for="confirmName">Type the directory's name to confirm</label><input id="confirmName" name="confirmName" type="text" required autocomplete="off" spellcheck="false"></div>
<button type="submit" class="danger" id="delete-directory">Delete directory</button></div>`,
)}
</section>`;
    return sendPage(reply, directoryPage(directory, "overview", session, body));
  });

  for (const [action, disabled] of [
    ["disable", true],
    ["enable", false],
  ] as const) {
    app.post(`/console/directories/:id/${action}`, { schema: { hide: true } }, async (request, reply) => {
      const id = directoryIdOf(request);
      await updateDirectory(app.db, app.config, id, { disabled });
      app.secretTokens.evict({ directoryId: id });
      return reply.redirect(withNotice(directoryPath(id), disabled ? "disabled" : "enabled"), 303);
    });
  }

  app.post("/console/directories/:id/delete", { schema: { hide: true } }, async (request, reply) => {
    const directory = await getDirectory(app.db, app.config, directoryIdOf(request));
    if ((formOf(request).confirmName ?? "") !== directory.name) {
      throw new ApiProblem(
        400,
        "confirmation_mismatch",
        "Bad Request",
        "The name you typed does not match the directory's name, so nothing was deleted. Type the name exactly as shown to delete it.",
      );
    }
    await deleteDirectory(app.db, directory.id);
    app.secretTokens.evict({ directoryId: directory.id });
    return reply.redirect(withNotice("/console/directories", "deleted"), 303);
  });
};
