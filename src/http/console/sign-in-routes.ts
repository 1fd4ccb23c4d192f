import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { FastifyReply } from "fastify";
import { Type } from "typebox";
import { closeConsoleSession, openConsoleSession } from "../../console/console-sessions.js";
import { isAdminKey } from "../admin-auth.js";
import { html } from "../html.js";
import { formOf, sendPage, sessionOf } from "./console-reply.js";
import { clearSessionCookie, type SessionCookie, setSessionCookie } from "./session-cookie.js";

// Sign-in exchanges an admin API key for a session cookie; sign-out ends the session. Failed sign-ins
// count against the same per-IP limit as failed admin API and SCIM authentications.

const HOME = "/console/directories";
const hidden = { hide: true } as const;
const NextQuery = Type.Object({ next: Type.Optional(Type.String({ maxLength: 2000 })) });

/** Only a console path of this site: never another origin (`//evil`, `/\evil`) after signing in. */
function safeNext(next: string | undefined): string {
  return next && /^\/console\/[^/\\]/.test(next) && !/[\r\n]/.test(next) ? next : HOME;
}

function signInForm(next: string, message?: { kind: "bad" | "ok"; text: string }) {
  return html`${message ? html`<div class="notice ${message.kind}" role="${message.kind === "bad" ? "alert" : "status"}">${message.text}</div>` : ""}
<div class="card">
<form method="post" action="/console/sign-in">
  <input type="hidden" name="next" value="${next}">
  <div class="field">
    <label for="key">Admin API key</label>
    <input id="key" name="key" type="password" autocomplete="current-password" required size="48">
    <p class="hint">One of the keys in the service's ADMIN_API_KEY. It is exchanged for a session cookie and never stored in the browser.</p>
  </div>
  <button type="submit" class="primary">Sign in</button>
</form>
</div>`;
}

export const signInRoutes: FastifyPluginAsyncTypebox<{ cookie: SessionCookie }> = async (app, { cookie }) => {
  const renderSignIn = (reply: FastifyReply, next: string, message?: { kind: "bad" | "ok"; text: string }) =>
    sendPage(reply, { title: "Sign in", body: signInForm(next, message) });

  app.get("/console", { schema: hidden }, async (_request, reply) => reply.redirect(HOME, 303));

  app.get("/console/sign-in", { schema: { ...hidden, querystring: NextQuery } }, async (request, reply) => {
    const next = safeNext(request.query.next);
    if (request.consoleSession) return reply.redirect(next, 303);
    return renderSignIn(reply, next);
  });

  app.post("/console/sign-in", { schema: hidden }, async (request, reply) => {
    const form = formOf(request);
    const next = safeNext(form.next);
    const key = form.key ?? "";
    if (!isAdminKey(key, app.config.adminApiKeys)) {
      const retry = await app.authFailures.recordFailure(request.ip);
      request.log.info({ limited: retry !== null }, "console sign-in refused");
      if (retry !== null) {
        reply.code(429).header("retry-after", String(retry));
        return renderSignIn(reply, next, { kind: "bad", text: `Too many failed sign-ins. Try again in ${retry} seconds.` });
      }
      reply.code(401);
      return renderSignIn(reply, next, { kind: "bad", text: "That is not a valid admin API key." });
    }
    // always a new session: a session id planted before sign-in is never promoted (fixation)
    if (request.consoleSession) await closeConsoleSession(app.db, request.consoleSession.id);
    const session = await openConsoleSession(app.db, key, app.config.consoleSessionMinutes);
    setSessionCookie(reply, cookie, session.token);
    request.log.info({ session: session.id.slice(0, 12) }, "console sign-in");
    return reply.redirect(next, 303);
  });

  app.post("/console/sign-out", { schema: hidden }, async (request, reply) => {
    const session = sessionOf(request);
    await closeConsoleSession(app.db, session.id);
    clearSessionCookie(reply, cookie);
    request.log.info({ session: session.id.slice(0, 12) }, "console sign-out");
    reply.code(200);
    return sendPage(reply, { title: "Signed out", body: signInForm(HOME, { kind: "ok", text: "You are signed out." }) });
  });
};
