import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { type DirectoryView, getDirectory, updateDirectory } from "../../directories/directory-service.js";
import { generateWebhookSecret } from "../../directories/directory-webhook.js";
import { NoWebhookEndpoint } from "../../webhooks/delivery-log.js";
import { sendWebhookTestEvent } from "../../webhooks/webhook-test-event.js";
import { copyField, html, type SafeHtml } from "../html.js";
import { ApiProblem } from "../problem.js";
import { directoryPath, type PageSession, postForm } from "./console-layout.js";
import { formOf, sendPage, sessionOf } from "./console-reply.js";
import { directoryIdOf, directoryPage, noticeFrom, shownOnceNotice, withNotice } from "./directory-page.js";

// A directory's webhook endpoint: the URL (never the secret), set or change it, send a test event, rotate the
// secret, remove it. Same services as PATCH /api/v1/directories/:id (webhook) and
// POST /api/v1/directories/:id/webhooks/test. A secret is shown once, in the answer that created it.

const NO_WEBHOOK = () =>
  new ApiProblem(409, "no_webhook_endpoint", "Conflict", "This directory has no webhook endpoint. Set its URL first.");

export const webhookPageRoutes: FastifyPluginAsyncTypebox = async (app) => {
  function webhookPage(directory: DirectoryView, session: PageSession, top: SafeHtml | "") {
    const path = directoryPath(directory.id, "webhook");
    const hook = directory.webhook;
    return directoryPage(
      directory,
      "webhook",
      session,
      html`${top}
<section class="card" aria-labelledby="endpoint-heading">
<h2 id="endpoint-heading">Endpoint</h2>
<p id="webhook-url">${hook ? html`Events are sent to <span class="mono">${hook.url}</span>, signed with the endpoint's secret (Standard Webhooks).` : "No webhook endpoint: this directory's events are not sent anywhere (they stay readable on the events API)."}</p>
${postForm(
  path,
  session,
  html`<div class="actions"><div class="field"><label for="url">${hook ? "New webhook URL" : "Webhook URL"}</label><input id="url" name="url" type="url" required maxlength="2000" value="${hook?.url ?? ""}"></div>
<button type="submit" class="primary" id="save-webhook">Save webhook URL</button></div>
<p class="hint">${hook ? "Changing the URL keeps the secret." : "A secret is generated and shown once."}</p>`,
)}
</section>
${
  hook
    ? html`<section class="card" aria-labelledby="webhook-actions-heading">
<h2 id="webhook-actions-heading">Test, rotate, remove</h2>
<div class="actions">
${postForm(`${path}/test`, session, html`<button type="submit" id="send-test-event">Send test event</button>`)}
${postForm(`${path}/rotate`, session, html`<button type="submit" id="rotate-secret">Rotate secret</button>`)}
${postForm(`${path}/remove`, session, html`<button type="submit" class="danger" id="remove-webhook">Remove webhook</button>`)}
</div>
<p class="hint">The test event (type <span class="mono">webhook.test</span>) is sent once, now, and is not logged as a delivery. Rotating replaces the secret at once: update the receiver with the new one.</p>
</section>`
    : ""
}`,
      "Webhook",
    );
  }

  function secretShown(secret: string, what: string): SafeHtml {
    return html`${shownOnceNotice(what)}
<section class="card" id="new-webhook-secret" aria-labelledby="secret-heading">
<h2 id="secret-heading">Webhook secret</h2>
${copyField("webhook-secret", "Webhook secret", secret, "The receiver verifies each event's webhook-signature header with it.")}
</section>`;
  }

  app.get("/console/directories/:id/webhook", { schema: { hide: true } }, async (request, reply) => {
    const directory = await getDirectory(app.db, app.config, directoryIdOf(request));
    return sendPage(reply, webhookPage(directory, sessionOf(request), noticeFrom(request)));
  });

  app.post("/console/directories/:id/webhook", { schema: { hide: true } }, async (request, reply) => {
    const id = directoryIdOf(request);
    const url = (formOf(request).url ?? "").trim();
    if (!url) throw new ApiProblem(400, "invalid_webhook", "Bad Request", "Enter the webhook URL.");
    const updated = await updateDirectory(app.db, app.config, id, { webhook: { url } });
    const secret = updated.webhook?.secret;
    if (!secret) return reply.redirect(withNotice(directoryPath(id, "webhook"), "webhook-saved"), 303);
    return sendPage(reply.code(201), webhookPage(updated, sessionOf(request), secretShown(secret, "the webhook secret")));
  });

  app.post("/console/directories/:id/webhook/rotate", { schema: { hide: true } }, async (request, reply) => {
    const directory = await getDirectory(app.db, app.config, directoryIdOf(request));
    if (!directory.webhook) throw NO_WEBHOOK();
    const secret = generateWebhookSecret();
    const updated = await updateDirectory(app.db, app.config, directory.id, { webhook: { url: directory.webhook.url, secret } });
    return sendPage(reply, webhookPage(updated, sessionOf(request), secretShown(secret, "the new webhook secret")));
  });

  app.post("/console/directories/:id/webhook/test", { schema: { hide: true } }, async (request, reply) => {
    const directory = await getDirectory(app.db, app.config, directoryIdOf(request));
    let result: Awaited<ReturnType<typeof sendWebhookTestEvent>>;
    try {
      result = await sendWebhookTestEvent(app.db, app.config, directory.id);
    } catch (err) {
      if (err instanceof NoWebhookEndpoint) throw NO_WEBHOOK();
      throw err;
    }
    const top = result.delivered
      ? html`<div class="notice ok" role="status" id="test-result">Test event delivered: the receiver answered HTTP ${result.statusCode} (webhook-id <span class="mono">${result.webhookId}</span>).</div>`
      : html`<div class="notice bad" role="alert" id="test-result">Test event not delivered: ${result.error ?? "no answer"}.</div>`;
    return sendPage(reply, webhookPage(directory, sessionOf(request), top));
  });

  app.post("/console/directories/:id/webhook/remove", { schema: { hide: true } }, async (request, reply) => {
    const id = directoryIdOf(request);
    await updateDirectory(app.db, app.config, id, { webhook: null });
    return reply.redirect(withNotice(directoryPath(id, "webhook"), "webhook-removed"), 303);
  });
};
