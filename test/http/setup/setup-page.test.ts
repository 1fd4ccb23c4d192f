import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { issueSecretToken } from "../../../src/directories/directory-tokens.js";
import { setupLinkKey, signSetupLinkToken } from "../../../src/setup-links/setup-link-token.js";
import { adminAuth, buildTestApp, TEST_SECRETS_KEY, type TestApp } from "../../helpers/test-app.js";
import { createDirectory, createSetupLinkUrl } from "./directory-fixture.js";

const inputValue = (page: string, id: string) => new RegExp(`id="${id}"[^>]*value="([^"]*)"`).exec(page)?.[1];

describe("setup page", () => {
  let t: TestApp;
  let directoryId: string;
  beforeAll(async () => {
    t = await buildTestApp({ MAX_TOKENS_PER_DIRECTORY: "2" });
    directoryId = await createDirectory(t.app, "Contoso <Engineering>");
  });
  afterAll(async () => t.close());

  it("renders the Entra, Okta and generic guides with the Tenant URL, escaped names and security headers", async () => {
    const link = await createSetupLinkUrl(t.app, directoryId);
    const res = await t.app.inject({ method: "GET", url: link.path });
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toBe("text/html; charset=utf-8");
    expect(res.headers["cache-control"]).toBe("no-store");
    expect(res.headers["referrer-policy"]).toBe("no-referrer");
    expect(res.headers["x-content-type-options"]).toBe("nosniff");
    const csp = String(res.headers["content-security-policy"]);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    const scriptNonce = /script-src 'nonce-([0-9a-f]+)'/.exec(csp)?.[1];
    expect(scriptNonce).toBeDefined();
    expect(res.body).toContain(`<script nonce="${scriptNonce}">`);
    // no external resources: every src/href to another origin would be blocked anyway, but none should exist
    expect(res.body).not.toMatch(/<(script|link|img)[^>]+(src|href)="https?:/);

    expect(inputValue(res.body, "tenant-url")).toBe(`http://scimbridge.test/scim/v2/${directoryId}`);
    expect(res.body).toContain("Connect Contoso &lt;Engineering&gt; to your identity provider");
    expect(res.body).not.toContain("Contoso <Engineering>");
    for (const step of [
      "Enterprise applications",
      "Create your own application",
      "Non-gallery",
      "Get started",
      "Automatic",
      "Test Connection",
      "Mappings",
      "Sync only assigned users and groups",
      "Provisioning Status",
      "Users and groups",
    ]) {
      expect(res.body).toContain(step);
    }
    expect(res.body).toContain('id="okta"');
    expect(res.body).toContain("SCIM connector base URL");
    expect(res.body).toContain('id="generic"');
    expect(res.body).toMatch(/<main[^>]*role="main"/);
    expect(res.body).toMatch(/<label for="tenant-url">Tenant URL<\/label>/);
    // the status panel is rendered on the server for browsers without JavaScript
    expect(res.body).toContain("Waiting for the first request from your identity provider");
    expect(res.body).toContain('data-status-url="');
  });

  it("Reveal token issues a working directory token, shown once", async () => {
    const link = await createSetupLinkUrl(t.app, directoryId);
    // as a browser submits the form: an empty urlencoded body
    const res = await t.app.inject({
      method: "POST",
      url: `${link.path}/secret-token`,
      headers: { "content-type": "application/x-www-form-urlencoded" },
      payload: "",
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers["cache-control"]).toBe("no-store");
    const token = inputValue(res.body, "secret-token");
    expect(token).toMatch(/^scim_[A-Za-z0-9_-]{43}$/);
    expect(res.body).toContain("shown only once");
    const auth = await t.app.secretTokens.verify(directoryId, token!);
    expect(auth?.directoryId).toBe(directoryId);
    // reloading the page does not show it again
    const again = await t.app.inject({ method: "GET", url: link.path });
    expect(again.body).not.toContain(token);
    expect(again.body).toContain("Reveal token");
    expect(t.logText()).not.toContain(token);
  });

  it("past the token limit, Reveal token says so instead of creating one", async () => {
    const link = await createSetupLinkUrl(t.app, directoryId);
    // the previous test issued one; the limit is 2
    const second = await t.app.inject({ method: "POST", url: `${link.path}/secret-token` });
    expect(second.statusCode).toBe(200);
    const third = await t.app.inject({ method: "POST", url: `${link.path}/secret-token` });
    expect(third.statusCode).toBe(409);
    expect(third.headers["content-type"]).toBe("text/html; charset=utf-8");
    expect(third.body).toContain("already has the maximum of 2 active Secret Tokens");
    expect(inputValue(third.body, "secret-token")).toBeUndefined();
    expect(await t.app.db.prisma.directoryToken.count({ where: { directoryId } })).toBe(2);
  });

  it("an expired link shows a clear message with 410, for the page, the token form and the status", async () => {
    const link = await createSetupLinkUrl(t.app, directoryId);
    await t.app.db.prisma.setupLink.update({ where: { id: link.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    const page = await t.app.inject({ method: "GET", url: link.path });
    expect(page.statusCode).toBe(410);
    expect(page.headers["content-type"]).toBe("text/html; charset=utf-8");
    expect(page.body).toContain("This setup link has expired");
    const reveal = await t.app.inject({ method: "POST", url: `${link.path}/secret-token` });
    expect(reveal.statusCode).toBe(410);
    expect(reveal.body).not.toMatch(/scim_[A-Za-z0-9_-]{43}/);
    const status = await t.app.inject({ method: "GET", url: `${link.path}/status` });
    expect(status.statusCode).toBe(410);
    expect(status.json()).toEqual({ error: "expired", message: "This setup link has expired" });
  });

  it("a revoked link shows a clear message with 410", async () => {
    const link = await createSetupLinkUrl(t.app, directoryId);
    const del = await t.app.inject({
      method: "DELETE",
      url: `/api/v1/directories/${directoryId}/setup-links/${link.id}`,
      headers: adminAuth,
    });
    expect(del.statusCode).toBe(204);
    const page = await t.app.inject({ method: "GET", url: link.path });
    expect(page.statusCode).toBe(410);
    expect(page.body).toContain("This setup link was revoked");
  });

  it("forged, altered and unknown links answer 404 with a clear message", async () => {
    const link = await createSetupLinkUrl(t.app, directoryId);
    const altered = link.token.slice(0, -2) + (link.token.endsWith("AA") ? "BB" : "AA");
    const otherKey = setupLinkKey(Buffer.alloc(32, 9).toString("base64"));
    const forged = signSetupLinkToken(otherKey, link.id);
    const neverIssued = signSetupLinkToken(setupLinkKey(TEST_SECRETS_KEY), randomUUID());
    for (const token of [altered, forged, neverIssued, "nonsense", "a".repeat(90)]) {
      const res = await t.app.inject({ method: "GET", url: `/setup/${token}` });
      expect(res.statusCode).toBe(404);
      expect(res.body).toContain("This setup link is not valid");
    }
  });

  it("never writes the link token to the log", async () => {
    const link = await createSetupLinkUrl(t.app, directoryId);
    await t.app.inject({ method: "GET", url: link.path });
    await t.app.inject({ method: "GET", url: `${link.path}/status` });
    await t.app.inject({ method: "POST", url: `${link.path}/secret-token` });
    expect(t.logText()).toContain("/setup/[redacted]");
    expect(t.logText()).not.toContain(link.token);
  });

  it("the status JSON reports requests, Test Connection, counts and errors", async () => {
    const dir = await createDirectory(t.app, "Fabrikam");
    const link = await createSetupLinkUrl(t.app, dir);
    const empty = await t.app.inject({ method: "GET", url: `${link.path}/status` });
    expect(empty.statusCode).toBe(200);
    expect(empty.headers["cache-control"]).toBe("no-store");
    expect(empty.json()).toMatchObject({
      lastRequest: null,
      testConnection: { seen: false, lastAttemptAt: null },
      users: 0,
      groups: 0,
      recentErrors: [],
    });

    // a wrong token (an IdP's typo, or anyone who knows the Tenant URL): counted, never taken as the IdP's status
    const probe = await t.app.inject({
      method: "GET",
      url: `/scim/v2/${dir}/Users?filter=userName+eq+%22${randomUUID()}%22`,
      headers: { authorization: "Bearer scim_wrongwrongwrongwrongwrongwrong" },
    });
    expect(probe.statusCode).toBe(401);
    await t.app.requestLog.flush();
    const after = (await t.app.inject({ method: "GET", url: `${link.path}/status` })).json();
    expect(after).toMatchObject({ lastRequest: null, testConnection: { seen: false, lastAttemptAt: null }, recentErrors: [] });
    expect(after.unauthenticatedRecently).toBe(1);
    expect(after.display.state).toBe("waiting");
    expect(after.display.headline).toBe("Requests arrive, but none with a valid token yet: check the Secret Token");
    expect(after.display.unauthenticated).toContain("1 request without a valid token in the last 24 h");
    expect(after.display.unauthenticated).toContain("check its Secret Token");
    const page = await t.app.inject({ method: "GET", url: link.path });
    expect(page.body).toContain("1 request without a valid token in the last 24 h");

    // Entra's Test Connection with a real token, then a synced user
    const token = (await t.app.db.prisma.$transaction((tx) => issueSecretToken(tx, t.config, dir)))!.secretToken;
    const auth = { authorization: `Bearer ${token}` };
    const ok = await t.app.inject({
      method: "GET",
      url: `/scim/v2/${dir}/Users?filter=userName%20eq%20%22${randomUUID()}%22`,
      headers: auth,
    });
    expect(ok.statusCode).toBe(200);
    const user = await t.app.inject({
      method: "POST",
      url: `/scim/v2/${dir}/Users`,
      headers: { ...auth, "content-type": "application/scim+json" },
      payload: { schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"], userName: "ada@fabrikam.example" },
    });
    expect(user.statusCode).toBe(201);
    await t.app.requestLog.flush();
    const synced = (await t.app.inject({ method: "GET", url: `${link.path}/status` })).json();
    expect(synced.testConnection).toMatchObject({ seen: true, lastAttemptStatus: 200 });
    expect(synced).toMatchObject({ users: 1, groups: 0, lastRequest: { method: "POST", path: "/Users", status: 201 } });
    expect(synced.display).toMatchObject({ state: "connected", headline: "Provisioning is working", users: "1" });
  });

  it("warns when the directory is disabled", async () => {
    const dir = await createDirectory(t.app, "Paused Inc");
    await t.app.db.prisma.directory.update({ where: { id: dir }, data: { disabledAt: new Date() } });
    const link = await createSetupLinkUrl(t.app, dir);
    const page = await t.app.inject({ method: "GET", url: link.path });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain("This connection is currently disabled");
  });
});
