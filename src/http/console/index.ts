import { timingSafeEqual } from "node:crypto";
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { type ConsoleSession, findConsoleSession } from "../../console/console-sessions.js";
import { adminProblemFor } from "../admin/admin-errors.js";
import { renderError } from "../error-handler.js";
import { ApiProblem } from "../problem.js";
import { isCrossSiteRequest } from "../setup/same-origin.js";
import { appDeclarationPages } from "./app-declaration-pages.js";
import type { FormBody } from "./console-reply.js";
import { directoryDataRoutes } from "./directory-data-routes.js";
import { directoryMappingPages } from "./directory-mapping-pages.js";
import { directoryPages } from "./directory-pages.js";
import { readSessionCookie, sessionCookieFor } from "./session-cookie.js";
import { signInRoutes } from "./sign-in-routes.js";
import { registerPageSecurity } from "../plugins/page-security.js";

// The operator console at /console: server-rendered pages over the same services as the admin API.
// Every page but sign-in needs a session (src/console/console-sessions.ts); every POST needs the session's
// CSRF token and a same-site origin. Pages are never cached, never framed, and run only the console's
// own inline script (nonce CSP). Add a page module with one `await app.register(...)` line below.

declare module "fastify" {
  interface FastifyRequest {
    /** The signed-in operator's session (every console route but sign-in). */
    consoleSession?: ConsoleSession;
  }
}

const PUBLIC_PATHS = new Set(["/console/sign-in"]);
const FORM_BODY_LIMIT = 64 * 1024;

function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export const consoleRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const cookie = sessionCookieFor(app.config.publicUrl);

  await registerPageSecurity(app);
  app.removeContentTypeParser(["application/json", "text/plain"]);
  app.addContentTypeParser(
    "application/x-www-form-urlencoded",
    { parseAs: "string", bodyLimit: FORM_BODY_LIMIT },
    (_request, body, done) => {
      const form: FormBody = {};
      for (const [name, value] of new URLSearchParams(body as string)) if (!(name in form)) form[name] = value;
      done(null, form);
    },
  );
  app.setErrorHandler((error: Error, request, reply) => renderError(adminProblemFor(error), request, reply));

  app.addHook("onRequest", async (request, reply) => {
    const token = readSessionCookie(request, cookie);
    const session = token ? await findConsoleSession(app.db, token, app.config.adminApiKeys, app.config.consoleSessionMinutes) : undefined;
    request.consoleSession = session;
    const path = request.url.split("?", 1)[0]!;
    if (session || PUBLIC_PATHS.has(path)) return;
    if (request.method === "GET" || request.method === "HEAD") {
      const next = path === "/console" ? "" : `?next=${encodeURIComponent(request.url)}`;
      return reply.redirect(`/console/sign-in${next}`, 303);
    }
    throw new ApiProblem(401, "unauthorized", "Unauthorized", "Your console session has ended. Sign in again.");
  });

  // CSRF: a POST must come from a console page (same site) and carry its session's token
  app.addHook("preHandler", async (request) => {
    if (request.method !== "POST") return;
    if (isCrossSiteRequest(request, app.config.publicUrl)) {
      throw new ApiProblem(403, "cross_site_request", "Forbidden", "This form was sent from another site, so it was refused.");
    }
    // sign-in has no session to hold a token yet (and always replaces the one it may find)
    if (request.url.split("?", 1)[0] === "/console/sign-in") return;
    const session = request.consoleSession;
    if (!session) return;
    const presented = (request.body as FormBody | undefined)?._csrf;
    if (typeof presented !== "string" || !sameToken(presented, session.csrfToken)) {
      throw new ApiProblem(
        403,
        "invalid_csrf_token",
        "Forbidden",
        "This form is out of date or was not sent by the console. Reload the page and try again.",
      );
    }
  });

  await app.register(signInRoutes, { cookie });
  await app.register(directoryPages);
  await app.register(directoryDataRoutes);
  await app.register(appDeclarationPages);
  await app.register(directoryMappingPages);
};
