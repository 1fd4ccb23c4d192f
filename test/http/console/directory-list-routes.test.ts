import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { asIdp, copyFieldValue, createDirectoryInConsole } from "../../helpers/console-directories.js";
import { type ConsoleClient, consoleTestApp } from "../../helpers/console-session.js";
import { scimClient, USER_SCHEMA } from "../../helpers/scim-fixtures.js";
import type { TestApp } from "../../helpers/test-app.js";

// The directory list (search, state badges, counts, last request, token age) and creating a directory,
// over app.inject with real SCIM traffic from an "IdP" holding the token the create page showed.

const HOSTILE = `<script>alert(1)</script>"><img src=x onerror=alert(1)>`;

describe("console: directories list and create", () => {
  let t: TestApp;
  let c: ConsoleClient;
  beforeAll(async () => {
    ({ t, c } = await consoleTestApp());
  });
  afterAll(async () => t?.close());

  const scim = (d: { id: string; token: string }) => scimClient(t, asIdp(d));

  /** The table row of a directory on the list page. */
  function rowOf(body: string, id: string): string {
    const start = body.indexOf(`href="/console/directories/${id}"`);
    expect(start).toBeGreaterThan(-1);
    return body.slice(start, body.indexOf("</tr>", start));
  }

  it("creates a directory and shows the Tenant URL and Secret Token once, with copy buttons", async () => {
    const created = await createDirectoryInConsole(c, { name: "Contoso", tenant: "contoso-t", provider: "okta" });
    const body = created.page.body;
    expect(created.page.headers["cache-control"]).toBe("no-store");
    expect(body).toContain("shown only on this page and cannot be shown again");
    expect(copyFieldValue(body, "tenant-url")).toBe(`http://scimbridge.test/scim/v2/${created.id}`);
    expect(created.token).toMatch(/^scim_/);
    expect(body).toContain('data-copy="secret-token"');
    expect(created.webhookSecret).toBeUndefined();
    // the token works for the IdP
    expect((await scim(created)("GET", "/Users")).status).toBe(200);
    // and no other page shows it
    for (const path of ["/console/directories", `/console/directories/${created.id}`, `/console/directories/${created.id}/tokens`]) {
      const page = await c.get(path);
      expect(page.statusCode).toBe(200);
      expect(page.body).not.toContain(created.token);
    }
    expect(t.logText()).not.toContain(created.token);
    const row = rowOf((await c.get("/console/directories")).body, created.id);
    expect(row).toContain("contoso-t");
    expect(row).toContain("okta");
  });

  it("shows a webhook secret once when a webhook URL was given", async () => {
    const created = await createDirectoryInConsole(c, { name: "Hooked", webhookUrl: "http://127.0.0.1:9/hook" });
    expect(created.webhookSecret).toMatch(/^whsec_/);
    expect(created.page.body).toContain("the Secret Token and the webhook secret");
    const overview = await c.get(`/console/directories/${created.id}`);
    expect(overview.body).toContain("http://127.0.0.1:9/hook");
    expect(overview.body).not.toContain(created.webhookSecret);
  });

  it("refuses a form without a name, a bad provider or a bad webhook URL with a 400 page, creating nothing", async () => {
    const before = await t.app.db.prisma.directory.count();
    const noName = await c.post("/console/directories", { name: "  ", provider: "entra" });
    expect(noName.statusCode).toBe(400);
    expect(noName.body).toContain("Enter a name for the directory.");
    const badProvider = await c.post("/console/directories", { name: "X", provider: "myspace" });
    expect(badProvider.statusCode).toBe(400);
    expect(badProvider.body).toContain("Choose a provider");
    const badHook = await c.post("/console/directories", { name: "Kept name", provider: "entra", webhookUrl: "ftp://example.com/x" });
    expect(badHook.statusCode).toBe(400);
    expect(badHook.body).toContain("The webhook URL was refused: webhook url must use http or https");
    expect(badHook.body).toContain('value="Kept name"');
    expect(await t.app.db.prisma.directory.count()).toBe(before);
  });

  it("shows each directory's state: waiting, healthy, failing, disabled", async () => {
    const waiting = await createDirectoryInConsole(c, { name: "State waiting" });
    const healthy = await createDirectoryInConsole(c, { name: "State healthy" });
    const failing = await createDirectoryInConsole(c, { name: "State failing" });
    const disabled = await createDirectoryInConsole(c, { name: "State disabled" });
    // noise without a token does not make a directory anything but waiting
    await t.app.inject({
      method: "GET",
      url: `/scim/v2/${waiting.id}/Users`,
      headers: { authorization: "Bearer scim_not-a-real-token-at-all" },
    });
    expect((await scim(healthy)("POST", "/Users", { schemas: [USER_SCHEMA], userName: "ada@healthy.example" })).status).toBe(201);
    expect((await scim(healthy)("GET", "/Users")).status).toBe(200);
    expect((await scim(failing)("GET", "/Users")).status).toBe(200);
    expect((await scim(failing)("GET", `/Users/${randomUUID()}`)).status).toBe(404);
    expect((await c.post(`/console/directories/${disabled.id}/disable`)).statusCode).toBe(303);
    await t.app.requestLog.flush();

    const page = await c.get("/console/directories");
    expect(rowOf(page.body, waiting.id)).toContain('<span class="badge waiting">waiting</span>');
    expect(rowOf(page.body, waiting.id)).toContain("none yet");
    const healthyRow = rowOf(page.body, healthy.id);
    expect(healthyRow).toContain('<span class="badge healthy">healthy</span>');
    expect(healthyRow).toMatch(/<td class="num">1<\/td>\s*<td class="num">0<\/td>/);
    expect(healthyRow).toContain("GET /Users</span> → 200");
    expect(healthyRow).toContain("under a minute");
    const failingRow = rowOf(page.body, failing.id);
    expect(failingRow).toContain('<span class="badge failing">failing</span>');
    expect(failingRow).toContain("→ 404");
    expect(rowOf(page.body, disabled.id)).toContain('<span class="badge disabled">disabled</span>');
  });

  it("says when a directory has no live token", async () => {
    const created = await createDirectoryInConsole(c, { name: "Tokenless" });
    await t.app.db.prisma.directoryToken.updateMany({ where: { directoryId: created.id }, data: { revokedAt: new Date() } });
    expect(rowOf((await c.get("/console/directories")).body, created.id)).toContain("no live token");
  });

  it("searches by a part of the name or tenant, any case", async () => {
    const a = await createDirectoryInConsole(c, { name: "Fabrikam Search", tenant: "fab-100" });
    const b = await createDirectoryInConsole(c, { name: "Northwind", tenant: "FABULOUS-tenant" });
    const other = await createDirectoryInConsole(c, { name: "Unrelated" });
    const page = await c.get("/console/directories?q=fAb");
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(`href="/console/directories/${a.id}"`);
    expect(page.body).toContain(`href="/console/directories/${b.id}"`);
    expect(page.body).not.toContain(`href="/console/directories/${other.id}"`);
    expect(page.body).toContain('name="q" type="search" maxlength="200" value="fAb"');
    const none = await c.get(`/console/directories?q=${encodeURIComponent("100%")}`);
    expect(none.body).toContain("No directory’s name or tenant contains “100%”.");
    const wildcard = await c.get(`/console/directories?q=${encodeURIComponent("%")}`);
    expect(wildcard.body).not.toContain(`href="/console/directories/${a.id}"`);
  });

  it("pages with a cursor that keeps the search", async () => {
    for (let i = 0; i < 26; i++) await t.app.db.prisma.directory.create({ data: { id: randomUUID(), name: `Paged ${i}` } });
    const first = await c.get("/console/directories?q=paged");
    const next = /href="(\/console\/directories\?q=paged&amp;cursor=[^"]+)" rel="next"/.exec(first.body)?.[1];
    expect(next).toBeDefined();
    const second = await c.get(next!.replaceAll("&amp;", "&"));
    expect(second.statusCode).toBe(200);
    expect(second.body.match(/href="\/console\/directories\/[0-9a-f-]{36}"/g)).toHaveLength(1);
    expect(second.body).toContain("First page");
    const bad = await c.get("/console/directories?cursor=not-a-cursor");
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain("cursor is not valid for this list");
  });

  it("escapes hostile directory names and tenants everywhere it shows them", async () => {
    const created = await createDirectoryInConsole(c, { name: HOSTILE, tenant: HOSTILE });
    expect(created.page.body).not.toContain("<script>alert(1)</script>");
    expect(created.page.body).toContain("&lt;script&gt;alert(1)&lt;/script&gt;&quot;&gt;&lt;img src=x onerror=alert(1)&gt;");
    for (const path of [
      "/console/directories?q=onerror",
      `/console/directories?q=${encodeURIComponent(HOSTILE)}`,
      `/console/directories/${created.id}`,
    ]) {
      const page = await c.get(path);
      expect(page.body).not.toContain("<script>alert(1)</script>");
      expect(page.body).not.toContain("<img src=x");
      expect(page.body, path).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    }
  });

  it("serves the new-directory form with a label for every field", async () => {
    const page = await c.get("/console/directories/new");
    expect(page.statusCode).toBe(200);
    for (const id of ["name", "tenant", "provider", "webhookUrl"]) expect(page.body).toContain(`<label for="${id}">`);
    expect(page.body).toContain('<button type="submit" class="primary">Create directory</button>');
  });
});
