import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { assertDirectoryExists, DirectoryNotFound, type DirectoryView, getDirectory } from "../../directories/directory-service.js";
import { issueAdditionalToken, listTokens, revokeToken, TokenNotFound } from "../../directories/directory-tokens.js";
import { copyField, html, type SafeHtml } from "../html.js";
import { directoryPath, type PageSession, postForm } from "./console-layout.js";
import { sendPage, sessionOf } from "./console-reply.js";
import { directoryIdOf, directoryPage, noticeFrom, shownOnceNotice, timeTag, uuidParam, withNotice } from "./directory-page.js";

// A directory's SCIM secret tokens: metadata only, issuing one (shown once, in the answer to the POST) and
// revoking. Same services as /api/v1/directories/:id/tokens.

export const directoryTokenRoutes: FastifyPluginAsyncTypebox = async (app) => {
  async function tokensPage(directory: DirectoryView, session: PageSession, top: SafeHtml | "") {
    const now = Date.now();
    const tokens = await listTokens(app.db, directory.id);
    const path = directoryPath(directory.id, "tokens");
    const rows = tokens.map((t) => {
      const state = t.revokedAt ? "revoked" : t.expiresAt && t.expiresAt.getTime() <= now ? "expired" : "live";
      return html`<tr id="token-${t.id}">
<th scope="row"><span class="mono">${t.prefix}…</span></th>
<td>${timeTag(t.createdAt)}</td>
<td>${timeTag(t.lastUsedAt)}</td>
<td>${timeTag(t.expiresAt, "never")}</td>
<td>${t.revokedAt ? html`<span class="badge off">revoked</span> ${timeTag(t.revokedAt)}` : html`<span class="badge ${state === "live" ? "ok" : "off"}">${state}</span>`}</td>
<td>${t.revokedAt ? "" : postForm(`${path}/${t.id}/revoke`, session, html`<button type="submit" class="danger" aria-label="Revoke token ${t.prefix}">Revoke</button>`)}</td>
</tr>`;
    });
    return directoryPage(
      directory,
      "tokens",
      session,
      html`${top}
<section class="card" aria-labelledby="issue-heading">
<h2 id="issue-heading">Issue a token</h2>
<p>A new token works alongside the existing ones, so the IdP can be switched over before the old token is revoked.</p>
${postForm(path, session, html`<button type="submit" class="primary" id="issue-token">Issue new token</button>`)}
</section>
<section aria-labelledby="tokens-heading">
<h2 id="tokens-heading">Tokens</h2>
${
  rows.length
    ? html`<table id="tokens"><thead><tr><th scope="col">Token</th><th scope="col">Created</th><th scope="col">Last used</th><th scope="col">Expires</th><th scope="col">State</th><th scope="col">Action</th></tr></thead>
<tbody>${rows}</tbody></table>`
    : html`<p>No tokens.</p>`
}
<p class="hint">Only a token's first characters are kept for display; the token itself was shown once, when it was issued.</p>
</section>`,
      "Tokens",
    );
  }

  app.get("/console/directories/:id/tokens", { schema: { hide: true } }, async (request, reply) => {
    const directory = await getDirectory(app.db, app.config, directoryIdOf(request));
    return sendPage(reply, await tokensPage(directory, sessionOf(request), noticeFrom(request)));
  });

  app.post("/console/directories/:id/tokens", { schema: { hide: true } }, async (request, reply) => {
    const directory = await getDirectory(app.db, app.config, directoryIdOf(request));
    const issued = await issueAdditionalToken(app.db, app.config, directory.id);
    if (!issued) throw new DirectoryNotFound(directory.id);
    const top = html`${shownOnceNotice("the new Secret Token")}
<section class="card" id="new-token" aria-labelledby="new-token-heading">
<h2 id="new-token-heading">New Secret Token</h2>
${copyField("secret-token", "Secret Token", issued.secretToken, "Paste it into the IdP's provisioning settings, then revoke the old token.")}
${copyField("tenant-url", "Tenant URL", directory.scim.tenantUrl)}
</section>`;
    return sendPage(reply.code(201), await tokensPage(directory, sessionOf(request), top));
  });

  app.post("/console/directories/:id/tokens/:tokenId/revoke", { schema: { hide: true } }, async (request, reply) => {
    const id = directoryIdOf(request);
    const tokenId = uuidParam((request.params as { tokenId: string }).tokenId);
    await assertDirectoryExists(app.db, id);
    if (!tokenId) throw new TokenNotFound("token not found");
    await revokeToken(app.db, id, tokenId);
    app.secretTokens.evict({ tokenId });
    return reply.redirect(withNotice(directoryPath(id, "tokens"), "token-revoked"), 303);
  });
};
