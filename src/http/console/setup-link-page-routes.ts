import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { type DirectoryView, getDirectory } from "../../directories/directory-service.js";
import { createSetupLink, listSetupLinks, revokeSetupLink, setupLinkState } from "../../setup-links/setup-link-service.js";
import { copyField, html, type SafeHtml } from "../html.js";
import { ApiProblem } from "../problem.js";
import { directoryPath, type PageSession, postForm } from "./console-layout.js";
import { formOf, sendPage, sessionOf } from "./console-reply.js";
import { directoryIdOf, directoryPage, noticeFrom, shownOnceNotice, timeTag, uuidParam, withNotice } from "./directory-page.js";

// Setup links for the customer's IT admin: list (never the URL: it holds the secret), create (the URL shown
// once), revoke. Same services as /api/v1/directories/:id/setup-links.

const LINK_NOT_FOUND = () => new ApiProblem(404, "setup_link_not_found", "Not Found", "setup link not found in this directory");

export const setupLinkPageRoutes: FastifyPluginAsyncTypebox = async (app) => {
  async function linksPage(directory: DirectoryView, session: PageSession, top: SafeHtml | "") {
    const path = directoryPath(directory.id, "setup-links");
    const now = Date.now();
    const links = await listSetupLinks(app.db, directory.id);
    const rows = links.map((l) => {
      const state = setupLinkState(l, now);
      return html`<tr id="link-${l.id}">
<th scope="row"><span class="mono">${l.id.slice(0, 8)}</span></th>
<td>${timeTag(l.createdAt)}</td>
<td>${timeTag(l.expiresAt)}</td>
<td><span class="badge ${state === "active" ? "ok" : "off"}">${state}</span>${l.revokedAt ? html` ${timeTag(l.revokedAt)}` : ""}</td>
<td>${state === "active" ? postForm(`${path}/${l.id}/revoke`, session, html`<button type="submit" class="danger" aria-label="Revoke setup link ${l.id.slice(0, 8)}">Revoke</button>`) : ""}</td>
</tr>`;
    });
    const ttl = app.config.setupLinkTtlDays;
    return directoryPage(
      directory,
      "setup-links",
      session,
      html`${top}
<section class="card" aria-labelledby="create-link-heading">
<h2 id="create-link-heading">Create a setup link</h2>
<p>A setup link opens a page that walks the customer's IT admin through connecting their IdP, with a live status panel. Anyone with the link can issue a Secret Token for this directory until it expires or is revoked.</p>
${postForm(
  path,
  session,
  html`<div class="actions"><div class="field"><label for="ttlDays">Lifetime in days</label><input id="ttlDays" name="ttlDays" type="number" min="1" max="365" required value="${ttl}"></div>
<button type="submit" class="primary" id="create-setup-link">Create setup link</button></div>`,
)}
</section>
<section aria-labelledby="links-heading">
<h2 id="links-heading">Setup links</h2>
${
  rows.length
    ? html`<table id="setup-links"><thead><tr><th scope="col">Link</th><th scope="col">Created</th><th scope="col">Expires</th><th scope="col">State</th><th scope="col">Action</th></tr></thead>
<tbody>${rows}</tbody></table>`
    : html`<p>No setup links yet.</p>`
}
</section>`,
      "Setup links",
    );
  }

  app.get("/console/directories/:id/setup-links", { schema: { hide: true } }, async (request, reply) => {
    const directory = await getDirectory(app.db, app.config, directoryIdOf(request));
    return sendPage(reply, await linksPage(directory, sessionOf(request), noticeFrom(request)));
  });

  app.post("/console/directories/:id/setup-links", { schema: { hide: true } }, async (request, reply) => {
    const directory = await getDirectory(app.db, app.config, directoryIdOf(request));
    const raw = (formOf(request).ttlDays ?? "").trim();
    const ttlDays = raw === "" ? app.config.setupLinkTtlDays : Number(raw);
    if (!Number.isInteger(ttlDays) || ttlDays < 1 || ttlDays > 365) {
      throw new ApiProblem(400, "invalid_ttl", "Bad Request", "The lifetime must be a whole number of days from 1 to 365.");
    }
    const link = await createSetupLink(app.db, app.config, directory.id, ttlDays);
    const top = html`${shownOnceNotice("the setup link")}
<section class="card" id="new-setup-link" aria-labelledby="new-link-heading">
<h2 id="new-link-heading">New setup link</h2>
${copyField("setup-link-url", "Setup link", link.url, html`Send it to the customer's IT admin. It expires ${timeTag(link.expiresAt)}.`)}
</section>`;
    return sendPage(reply.code(201), await linksPage(directory, sessionOf(request), top));
  });

  app.post("/console/directories/:id/setup-links/:linkId/revoke", { schema: { hide: true } }, async (request, reply) => {
    const id = directoryIdOf(request);
    const linkId = uuidParam((request.params as { linkId: string }).linkId);
    if (!linkId) {
      await getDirectory(app.db, app.config, id);
      throw LINK_NOT_FOUND();
    }
    if (!(await revokeSetupLink(app.db, id, linkId))) throw LINK_NOT_FOUND();
    return reply.redirect(withNotice(directoryPath(id, "setup-links"), "link-revoked"), 303);
  });
};
