import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { directoryHealth } from "../../directories/directory-health.js";
import { createDirectory, listDirectories, PROVIDERS, type Provider } from "../../directories/directory-service.js";
import { InvalidWebhook } from "../../directories/directory-webhook.js";
import { copyField, html, type SafeHtml } from "../html.js";
import { directoryPath, type PageSession, pager, postForm } from "./console-layout.js";
import { type FormBody, formOf, sendPage, sessionOf } from "./console-reply.js";
import { age, noticeFrom, shownOnceNotice, stateBadge, timeTag } from "./directory-page.js";

// The directory list (search by name or tenant, state of each at a glance) and creating a directory,
// through the same services as GET and POST /api/v1/directories. The create answer shows the Secret Token
// (and webhook secret) once.

const PAGE_SIZE = 25;
const MAX_TEXT = 200;

const ListQuery = Type.Object({
  q: Type.Optional(Type.String({ maxLength: MAX_TEXT })),
  cursor: Type.Optional(Type.String({ maxLength: 1000 })),
  notice: Type.Optional(Type.String({ maxLength: 40 })),
});

interface CreateForm {
  name: string;
  tenant: string;
  provider: string;
  webhookUrl: string;
}

function createForm(session: PageSession, values: CreateForm, error?: string): SafeHtml {
  return html`${error ? html`<div class="notice bad" role="alert" id="create-error">${error}</div>` : ""}
<div class="card">${postForm(
    "/console/directories",
    session,
    html`<div class="field"><label for="name">Name</label><input id="name" name="name" type="text" required maxlength="${MAX_TEXT}" value="${values.name}"></div>
<div class="field"><label for="tenant">Tenant (optional)</label><input id="tenant" name="tenant" type="text" maxlength="${MAX_TEXT}" value="${values.tenant}" aria-describedby="tenant-hint"><p class="hint" id="tenant-hint">Your own id for the customer, sent with every event.</p></div>
<div class="field"><label for="provider">Identity provider</label><select id="provider" name="provider">${PROVIDERS.map(
      (p) => html`<option value="${p}"${p === values.provider ? html` selected` : ""}>${p}</option>`,
    )}</select></div>
<div class="field"><label for="webhookUrl">Webhook URL (optional)</label><input id="webhookUrl" name="webhookUrl" type="url" maxlength="2000" value="${values.webhookUrl}" aria-describedby="webhook-hint"><p class="hint" id="webhook-hint">Where scimbridge sends this directory's events, signed with a secret shown once.</p></div>
<button type="submit" class="primary">Create directory</button>`,
  )}</div>`;
}

/** The form's fields, checked as the admin API's schema checks them; a message when one is wrong. */
function readCreateForm(form: FormBody): { values: CreateForm; error?: string } {
  const values = {
    name: (form.name ?? "").trim(),
    tenant: (form.tenant ?? "").trim(),
    provider: form.provider ?? "entra",
    webhookUrl: (form.webhookUrl ?? "").trim(),
  };
  if (!values.name) return { values, error: "Enter a name for the directory." };
  if (values.name.length > MAX_TEXT || values.tenant.length > MAX_TEXT)
    return { values, error: `Name and tenant can be at most ${MAX_TEXT} characters.` };
  if (!PROVIDERS.includes(values.provider as Provider)) return { values, error: `Choose a provider: ${PROVIDERS.join(", ")}.` };
  return { values };
}

export const directoryListRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get("/console/directories", { schema: { hide: true, querystring: ListQuery } }, async (request, reply) => {
    const session = sessionOf(request);
    const q = request.query.q?.trim() || undefined;
    const page = await listDirectories(app.db, app.config, { search: q, cursor: request.query.cursor, limit: PAGE_SIZE });
    const health = await directoryHealth(app.db, page.data);
    const now = new Date();
    const rows = page.data.map((d) => {
      const h = health.get(d.id)!;
      const last = h.lastRequest;
      return html`<tr>
<th scope="row"><a href="${directoryPath(d.id)}">${d.name}</a></th>
<td>${d.tenant ?? "—"}</td>
<td>${d.provider}</td>
<td>${stateBadge(h.state)}</td>
<td class="num">${h.users}</td>
<td class="num">${h.groups}</td>
<td>${last ? html`${timeTag(last.at)}<br><span class="mono">${last.method} ${last.path}</span> → ${last.status}` : "none yet"}</td>
<td>${h.newestLiveTokenAt ? age(h.newestLiveTokenAt, now) : "no live token"}</td>
</tr>`;
    });
    const body = html`${noticeFrom(request)}
<div class="actions">
<form method="get" action="/console/directories" role="search" class="inline">
<div class="field"><label for="q">Search by name or tenant</label><input id="q" name="q" type="search" maxlength="${MAX_TEXT}" value="${q ?? ""}"></div>
<button type="submit">Search</button>${q ? html` <a href="/console/directories">Clear search</a>` : ""}
</form>
<a class="button primary" href="/console/directories/new">New directory</a>
</div>
${
  rows.length
    ? html`<table id="directories">
<caption class="sr-only">Directories${q ? html` matching “${q}”` : ""}</caption>
<thead><tr><th scope="col">Name</th><th scope="col">Tenant</th><th scope="col">Provider</th><th scope="col">State</th><th scope="col" class="num">Users</th><th scope="col" class="num">Groups</th><th scope="col">Last IdP request</th><th scope="col">Token age</th></tr></thead>
<tbody>${rows}</tbody>
</table>`
    : html`<p id="no-directories">${q ? html`No directory’s name or tenant contains “${q}”.` : "No directories yet. Create one for each customer whose IdP syncs to you."}</p>`
}
${pager("/console/directories", { q }, page.nextCursor, !request.query.cursor)}
<p class="hint">States: <strong>healthy</strong>: the IdP has authenticated and none of its last 10 requests in the last hour failed; <strong>failing</strong>: one of them was answered 4xx/5xx; <strong>waiting</strong>: no authenticated request yet; <strong>disabled</strong>: SCIM requests are refused.</p>`;
    return sendPage(reply, { title: "Directories", session, body });
  });

  app.get("/console/directories/new", { schema: { hide: true } }, async (request, reply) => {
    const session = sessionOf(request);
    return sendPage(reply, {
      title: "New directory",
      session,
      crumbs: [["Directories", "/console/directories"]],
      body: createForm(session, { name: "", tenant: "", provider: "entra", webhookUrl: "" }),
    });
  });

  app.post("/console/directories", { schema: { hide: true } }, async (request, reply) => {
    const session = sessionOf(request);
    const { values, error } = readCreateForm(formOf(request));
    const again = (message: string) =>
      sendPage(reply.code(400), {
        title: "New directory",
        session,
        crumbs: [["Directories", "/console/directories"]],
        body: createForm(session, values, message),
      });
    if (error) return again(error);
    let created: Awaited<ReturnType<typeof createDirectory>>;
    try {
      created = await createDirectory(app.db, app.config, {
        name: values.name,
        tenant: values.tenant || null,
        provider: values.provider as Provider,
        ...(values.webhookUrl ? { webhook: { url: values.webhookUrl } } : {}),
      });
    } catch (err) {
      if (err instanceof InvalidWebhook) return again(`The webhook URL was refused: ${err.message}.`);
      throw err;
    }
    const body = html`<div class="notice ok" role="status">Directory created. Give the Tenant URL and Secret Token to the customer's IT admin (or send them a setup link).</div>
${shownOnceNotice(created.webhook ? "the Secret Token and the webhook secret" : "the Secret Token")}
<div class="card" id="created-secrets">
${copyField("tenant-url", "Tenant URL", created.scim.tenantUrl)}
${copyField("secret-token", "Secret Token", created.scim.secretToken, "The IdP sends it as a Bearer token. Only its hash is stored.")}
${created.webhook ? copyField("webhook-secret", "Webhook secret", created.webhook.secret, html`Verifies the signature of events sent to <span class="mono">${created.webhook.url}</span> (Standard Webhooks).`) : ""}
</div>
<p><a class="button primary" href="${directoryPath(created.id)}" id="open-directory">Open directory ${created.name}</a></p>`;
    return sendPage(reply.code(201), {
      title: `Directory created: ${created.name}`,
      session,
      crumbs: [["Directories", "/console/directories"]],
      body,
    });
  });
};
