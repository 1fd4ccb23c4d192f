import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FORM, formBody, signInToConsole } from "../../helpers/console-session.js";
import { buildTestApp, TEST_ADMIN_KEY, type TestApp } from "../../helpers/test-app.js";

// Sign-in, the session cookie, CSRF and sign-out of the operator console, over real HTTP (app.inject).

describe("console sessions", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp({ AUTH_FAILURE_LIMIT_PER_MINUTE: "5" });
  });
  afterAll(async () => t?.close());

  it("sends every page to sign-in without a session, and refuses every POST", async () => {
    const page = await t.app.inject({ method: "GET", url: "/console/directories?q=a" });
    expect(page.statusCode).toBe(303);
    expect(page.headers.location).toBe(`/console/sign-in?next=${encodeURIComponent("/console/directories?q=a")}`);
    const root = await t.app.inject({ method: "GET", url: "/console" });
    expect(root.headers.location).toBe("/console/sign-in");
    const post = await t.app.inject({ method: "POST", url: "/console/sign-out", headers: FORM, payload: "" });
    expect(post.statusCode).toBe(401);
    expect(post.headers["content-type"]).toMatch(/^text\/html/);
    expect(post.body).toContain("Your console session has ended");
  });

  it("serves the sign-in page never framed, never cached, with a nonce-only script policy", async () => {
    const res = await t.app.inject({ method: "GET", url: "/console/sign-in" });
    expect(res.statusCode).toBe(200);
    const csp = String(res.headers["content-security-policy"]);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toMatch(/script-src 'nonce-[^']+'/);
    expect(csp).not.toContain("unsafe-inline");
    expect(res.headers["cache-control"]).toBe("no-store");
    expect(res.body).toContain('<label for="key">Admin API key</label>');
  });

  it("refuses a wrong key with 401 and logs no key", async () => {
    const res = await t.app.inject({
      method: "POST",
      url: "/console/sign-in",
      headers: FORM,
      payload: formBody({ key: "not-the-admin-key-at-all" }),
    });
    expect(res.statusCode).toBe(401);
    expect(res.headers["set-cookie"]).toBeUndefined();
    expect(res.body).toContain("That is not a valid admin API key.");
    expect(t.logText()).not.toContain("not-the-admin-key-at-all");
  });

  it("exchanges the admin key for an HttpOnly, SameSite=Strict session cookie and goes to `next`", async () => {
    const res = await t.app.inject({
      method: "POST",
      url: "/console/sign-in",
      headers: FORM,
      payload: formBody({ key: TEST_ADMIN_KEY, next: "/console/directories?q=x" }),
    });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe("/console/directories?q=x");
    const setCookie = String(res.headers["set-cookie"]);
    expect(setCookie).toMatch(/^scimbridge_console=[A-Za-z0-9_-]{43}; Path=\/console; HttpOnly; SameSite=Strict$/);
    expect(t.logText()).not.toContain(TEST_ADMIN_KEY);
    expect(t.logText()).not.toContain(setCookie.split(";")[0]!.split("=")[1]);
  });

  it("never redirects to another site after sign-in", async () => {
    for (const next of ["//evil.example/console/x", "https://evil.example/", "/console//evil", "/\\evil"]) {
      const res = await t.app.inject({
        method: "POST",
        url: "/console/sign-in",
        headers: FORM,
        payload: formBody({ key: TEST_ADMIN_KEY, next }),
      });
      expect(res.headers.location).toBe("/console/directories");
    }
  });

  it("issues a fresh session at sign-in: a cookie held before is not the session after (fixation)", async () => {
    const first = await signInToConsole(t.app);
    const res = await t.app.inject({
      method: "POST",
      url: "/console/sign-in",
      headers: { ...FORM, cookie: first.cookie },
      payload: formBody({ key: TEST_ADMIN_KEY }),
    });
    const second = String(res.headers["set-cookie"]).split(";", 1)[0]!;
    expect(second).not.toBe(first.cookie);
    expect((await first.get("/console/directories")).statusCode).toBe(303);
    expect((await t.app.inject({ method: "GET", url: "/console/directories", headers: { cookie: second } })).statusCode).toBe(200);
    const planted = await t.app.inject({
      method: "GET",
      url: "/console/directories",
      headers: { cookie: "scimbridge_console=attacker-chosen-value-0123456789abcdef" },
    });
    expect(planted.statusCode).toBe(303);
  });

  it("refuses a POST without the session's CSRF token, or from another site", async () => {
    const c = await signInToConsole(t.app);
    const noToken = await t.app.inject({ method: "POST", url: "/console/sign-out", headers: { ...FORM, cookie: c.cookie }, payload: "" });
    expect(noToken.statusCode).toBe(403);
    expect(noToken.body).toContain("This form is out of date or was not sent by the console.");
    const wrong = await c.post("/console/sign-out", { _csrf: "x".repeat(43) });
    expect(wrong.statusCode).toBe(403);
    const crossSite = await t.app.inject({
      method: "POST",
      url: "/console/sign-out",
      headers: { ...FORM, "sec-fetch-site": "cross-site", origin: "https://evil.example", cookie: c.cookie },
      payload: formBody({ _csrf: c.csrfToken }),
    });
    expect(crossSite.statusCode).toBe(403);
    expect(crossSite.body).toContain("This form was sent from another site");
    // the session survived every refused attempt
    expect((await c.get("/console/directories")).statusCode).toBe(200);
  });

  it("signs out: the cookie is cleared and no longer opens a page", async () => {
    const c = await signInToConsole(t.app);
    const res = await c.post("/console/sign-out");
    expect(res.statusCode).toBe(200);
    expect(String(res.headers["set-cookie"])).toMatch(/^scimbridge_console=; Path=\/console; HttpOnly; SameSite=Strict; Max-Age=0$/);
    expect(res.body).toContain("You are signed out.");
    expect((await c.get("/console/directories")).statusCode).toBe(303);
  });

  it("ends sessions that expired", async () => {
    const c = await signInToConsole(t.app);
    await t.app.db.prisma.consoleSession.updateMany({ data: { expiresAt: new Date(Date.now() - 1000) } });
    expect((await c.get("/console/directories")).statusCode).toBe(303);
  });

  it("answers a non-form POST with an HTML error page", async () => {
    const c = await signInToConsole(t.app);
    const res = await t.app.inject({
      method: "POST",
      url: "/console/sign-out",
      headers: { "content-type": "application/json", cookie: c.cookie },
      payload: "{}",
    });
    expect(res.statusCode).toBe(415);
    expect(res.headers["content-type"]).toMatch(/^text\/html/);
  });

  it("limits failed sign-ins per IP", async () => {
    let last = 0;
    for (let i = 0; i < 8; i++) {
      const res = await t.app.inject({
        method: "POST",
        url: "/console/sign-in",
        headers: FORM,
        payload: formBody({ key: `wrong-${i}` }),
        remoteAddress: "127.0.0.9",
      });
      last = res.statusCode;
    }
    expect(last).toBe(429);
  });
});

describe("console sessions under https", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp({ PUBLIC_URL: "https://scimbridge.example.com" });
  });
  afterAll(async () => t?.close());

  it("marks the cookie Secure with the __Host- prefix", async () => {
    const res = await t.app.inject({ method: "POST", url: "/console/sign-in", headers: FORM, payload: formBody({ key: TEST_ADMIN_KEY }) });
    expect(String(res.headers["set-cookie"])).toMatch(
      /^__Host-scimbridge_console=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Strict; Secure$/,
    );
  });

  it("ends sessions opened with a key that was removed from ADMIN_API_KEY", async () => {
    const c = await signInToConsole(t.app);
    const keys = t.app.config.adminApiKeys as string[];
    const saved = [...keys];
    keys.splice(0, keys.length, "another-admin-key-0123456789");
    try {
      expect((await c.get("/console/directories")).statusCode).toBe(303);
    } finally {
      keys.splice(0, keys.length, ...saved);
    }
  });
});
