import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { asIdp, copyFieldValue, createDirectoryInConsole } from "../../helpers/console-directories.js";
import { type ConsoleClient, consoleTestApp, signInToConsole } from "../../helpers/console-session.js";
import { GROUP_SCHEMA, scimClient, USER_SCHEMA } from "../../helpers/scim-fixtures.js";
import { buildTestApp, type TestApp } from "../../helpers/test-app.js";

// One directory's overview: facts, the Tenant URL (never a token), the sync-activity chart built from real
// SCIM traffic, and disable / enable / delete.

describe("console: directory overview", () => {
  let t: TestApp;
  let c: ConsoleClient;
  beforeAll(async () => {
    ({ t, c } = await consoleTestApp());
  });
  afterAll(async () => t?.close());

  const scim = (d: { id: string; token: string }) => scimClient(t, asIdp(d));

  it("shows the facts, the Tenant URL with a copy button and never a token", async () => {
    const d = await createDirectoryInConsole(c, { name: "Overview Co", tenant: "ov-1", provider: "onelogin" });
    const page = await c.get(`/console/directories/${d.id}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain("<h1>Overview Co</h1>");
    expect(page.body).toContain('<a href="/console/directories/' + d.id + '" aria-current="page">Overview</a>');
    expect(page.body).toContain("<dt>Tenant</dt><dd>ov-1</dd>");
    expect(page.body).toContain("<dt>Provider</dt><dd>onelogin</dd>");
    expect(page.body).toContain('<span class="badge waiting">waiting</span>');
    expect(copyFieldValue(page.body, "tenant-url")).toBe(`http://scimbridge.test/scim/v2/${d.id}`);
    expect(page.body).toContain('data-copy="tenant-url"');
    expect(page.body).not.toContain(d.token);
    expect(page.body).not.toContain(d.token.slice(0, 20));
  });

  it("draws the sync activity from the request and event logs, with the numbers in a table", async () => {
    const d = await createDirectoryInConsole(c, { name: "Chart Co" });
    const created: string[] = [];
    for (const userName of ["a@chart.example", "b@chart.example", "c@chart.example"]) {
      const res = await scim(d)("POST", "/Users", { schemas: [USER_SCHEMA], userName });
      expect(res.status).toBe(201);
      created.push(res.body.id);
    }
    expect((await scim(d)("DELETE", `/Users/${created[0]}`)).status).toBe(204);
    expect((await scim(d)("POST", "/Groups", { schemas: [GROUP_SCHEMA], displayName: "Chart group" })).status).toBe(201);
    expect((await scim(d)("GET", `/Users/${randomUUID()}`)).status).toBe(404);
    expect((await scim(d)("POST", "/Users", { schemas: [USER_SCHEMA], userName: "b@chart.example" })).status).toBe(409);
    // noise without a token is not IdP traffic
    await t.app.inject({ method: "GET", url: `/scim/v2/${d.id}/Users`, headers: { authorization: "Bearer scim_noise-noise-noise-noise" } });
    await t.app.requestLog.flush();

    const page = await c.get(`/console/directories/${d.id}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<span class="badge failing">failing</span>');
    expect(page.body).toContain('<dd id="directory-users">2</dd>');
    expect(page.body).toContain('<dd id="directory-groups">1</dd>');
    const svgs = page.body.match(/<svg class="chart"[^>]*role="img"[^>]*>\s*<title id="[^"]+">[^<]+<\/title>/g);
    expect(svgs).toHaveLength(2);
    expect(page.body).toMatch(/2xx 5 <span[^>]*><\/span>4xx 2 <span[^>]*><\/span>5xx 0/);
    const hour = `${new Date().toISOString().slice(0, 13).replace("T", " ")}:00Z`;
    const row = new RegExp(
      `<tr><th scope="row">${hour}</th><td class="num">5</td><td class="num">2</td><td class="num">0</td><td class="num">2</td><td class="num">1</td></tr>`,
    );
    expect(page.body).toMatch(row);
    expect(page.body).toContain("<summary>Numbers per hour</summary>");
    // four stacked bars at most for one hour of traffic: a green and an amber rect
    expect(page.body).toContain('fill="#2e7d32"');
    expect(page.body).toContain('fill="#b25e00"');
    expect(page.body).not.toContain("was pruned");
  });

  it("says the logs were pruned when their retention is shorter than the chart's week", async () => {
    const short = await buildTestApp({ SCIM_REQUEST_LOG_RETENTION_DAYS: "1", EVENT_RETENTION_DAYS: "2" });
    try {
      const sc = await signInToConsole(short.app);
      const d = await createDirectoryInConsole(sc, { name: "Old Co" });
      await short.app.db.prisma.directory.update({ where: { id: d.id }, data: { createdAt: new Date(Date.now() - 30 * 86400_000) } });
      const page = await sc.get(`/console/directories/${d.id}`);
      expect(page.body).toContain("The request log was pruned: it holds this directory's requests since");
      expect(page.body).toContain("may have been pruned (EVENT_RETENTION_DAYS)");
      expect(page.body).toContain(">pruned</text>");
    } finally {
      await short.close();
    }
  });

  it("disables and enables: the IdP is refused while disabled", async () => {
    const d = await createDirectoryInConsole(c, { name: "Toggle Co" });
    const off = await c.post(`/console/directories/${d.id}/disable`);
    expect(off.statusCode).toBe(303);
    expect(off.headers.location).toBe(`/console/directories/${d.id}?notice=disabled`);
    const page = await c.get(off.headers.location as string);
    expect(page.body).toContain("Directory disabled: its IdP&#39;s SCIM requests are now refused.");
    expect(page.body).toContain('<span class="badge disabled">disabled</span>');
    expect(page.body).toContain(">Enable directory</button>");
    expect((await scim(d)("GET", "/Users")).status).toBe(403);
    const on = await c.post(`/console/directories/${d.id}/enable`);
    expect(on.headers.location).toBe(`/console/directories/${d.id}?notice=enabled`);
    expect((await c.get(on.headers.location as string)).body).toContain(">Disable directory</button>");
    expect((await scim(d)("GET", "/Users")).status).toBe(200);
  });

  it("deletes only when the typed name matches", async () => {
    const d = await createDirectoryInConsole(c, { name: "Doomed <Co>" });
    const wrong = await c.post(`/console/directories/${d.id}/delete`, { confirmName: "Doomed Co" });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.headers["content-type"]).toMatch(/^text\/html/);
    expect(wrong.body).toContain("The name you typed does not match the directory&#39;s name, so nothing was deleted.");
    expect((await c.get(`/console/directories/${d.id}`)).statusCode).toBe(200);
    expect((await c.post(`/console/directories/${d.id}/delete`)).statusCode).toBe(400);

    const right = await c.post(`/console/directories/${d.id}/delete`, { confirmName: "Doomed <Co>" });
    expect(right.statusCode).toBe(303);
    expect(right.headers.location).toBe("/console/directories?notice=deleted");
    expect((await c.get(right.headers.location as string)).body).toContain("Directory deleted, with its users, groups, tokens and logs.");
    expect((await c.get(`/console/directories/${d.id}`)).statusCode).toBe(404);
    expect((await scim(d)("GET", "/Users")).status).toBe(401);
  });

  it("answers an unknown or malformed directory id with a 404 page", async () => {
    for (const path of [
      `/console/directories/${randomUUID()}`,
      "/console/directories/not-a-uuid",
      `/console/directories/${randomUUID()}/tokens`,
    ]) {
      const res = await c.get(path);
      expect(res.statusCode).toBe(404);
      expect(res.headers["content-type"]).toMatch(/^text\/html/);
      expect(res.body).toContain("directory not found");
    }
    for (const action of ["disable", "enable", "delete"]) {
      expect((await c.post(`/console/directories/${randomUUID()}/${action}`, { confirmName: "x" })).statusCode).toBe(404);
    }
  });
});
