import type { FastifyInstance, LightMyRequestResponse } from "fastify";
import { buildTestApp, TEST_ADMIN_KEY, type TestApp } from "./test-app.js";

// Signs in to the operator console through its real form and returns what a browser would hold:
// the session cookie, and the CSRF token the signed-in pages put in every form.

export interface ConsoleClient {
  cookie: string;
  csrfToken: string;
  get(url: string): Promise<LightMyRequestResponse>;
  /** A same-origin form POST carrying the session's CSRF token (unless `fields` sets `_csrf`). */
  post(url: string, fields?: Record<string, string>): Promise<LightMyRequestResponse>;
}

export function formBody(fields: Record<string, string>): string {
  return new URLSearchParams(fields).toString();
}

export const FORM = { "content-type": "application/x-www-form-urlencoded", "sec-fetch-site": "same-origin" };

export async function signInToConsole(app: FastifyInstance, key = TEST_ADMIN_KEY): Promise<ConsoleClient> {
  const res = await app.inject({ method: "POST", url: "/console/sign-in", headers: FORM, payload: formBody({ key }) });
  if (res.statusCode !== 303) throw new Error(`sign-in answered ${res.statusCode}: ${res.body}`);
  const cookie = String(res.headers["set-cookie"]).split(";", 1)[0]!;
  const page = await app.inject({ method: "GET", url: "/console/directories", headers: { cookie } });
  const csrfToken = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1];
  if (!csrfToken) throw new Error("no CSRF token on the signed-in page");
  return {
    cookie,
    csrfToken,
    get: (url) => app.inject({ method: "GET", url, headers: { cookie } }),
    post: (url, fields = {}) =>
      app.inject({ method: "POST", url, headers: { ...FORM, cookie }, payload: formBody({ _csrf: csrfToken, ...fields }) }),
  };
}

/** A fresh app on its own database, and a console signed in to it. */
export async function consoleTestApp(): Promise<{ t: TestApp; c: ConsoleClient }> {
  const t = await buildTestApp();
  return { t, c: await signInToConsole(t.app) };
}
