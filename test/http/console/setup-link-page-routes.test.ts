import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ConsoleDirectory, copyFieldValue, createDirectoryInConsole } from "../../helpers/console-directories.js";
import { type ConsoleClient, signInToConsole } from "../../helpers/console-session.js";
import { buildTestApp, type TestApp } from "../../helpers/test-app.js";

// A directory's setup links page: create (the URL shown once, and it opens the setup page), list, revoke.

describe("console: setup links", () => {
  let t: TestApp;
  let c: ConsoleClient;
  let d: ConsoleDirectory;
  beforeAll(async () => {
    t = await buildTestApp();
    c = await signInToConsole(t.app);
    d = await createDirectoryInConsole(c, { name: "Link Co" });
  });
  afterAll(async () => t?.close());

  const linksPath = () => `/console/directories/${d.id}/setup-links`;
  let url = "";

  it("creates a link shown once that opens the setup page", async () => {
    const empty = await c.get(linksPath());
    expect(empty.statusCode).toBe(200);
    expect(empty.body).toContain("No setup links yet.");
    expect(empty.body).toContain('<label for="ttlDays">Lifetime in days</label>');
    const res = await c.post(linksPath(), { ttlDays: "3" });
    expect(res.statusCode).toBe(201);
    url = copyFieldValue(res.body, "setup-link-url")!;
    expect(url).toMatch(/^http:\/\/scimbridge\.test\/setup\/.+/);
    expect(res.body).toContain("shown only on this page");
    const setup = await t.app.inject({ method: "GET", url: url.replace("http://scimbridge.test", "") });
    expect(setup.statusCode).toBe(200);
    const [link] = await t.app.db.prisma.setupLink.findMany({ where: { directoryId: d.id } });
    expect(Math.round((link!.expiresAt.getTime() - link!.createdAt.getTime()) / 86400_000)).toBe(3);
    const list = await c.get(linksPath());
    expect(list.body).not.toContain(url);
    expect(list.body).not.toContain(url.split("/setup/")[1]!);
    expect(list.body).toContain('<span class="badge ok">active</span>');
  });

  it("refuses a lifetime out of range with a 400 page", async () => {
    for (const ttlDays of ["0", "366", "2.5", "soon"]) {
      const res = await c.post(linksPath(), { ttlDays });
      expect(res.statusCode).toBe(400);
      expect(res.body).toContain("The lifetime must be a whole number of days from 1 to 365.");
    }
  });

  it("revokes a link: the setup page then says so", async () => {
    const [link] = await t.app.db.prisma.setupLink.findMany({ where: { directoryId: d.id } });
    const res = await c.post(`${linksPath()}/${link!.id}/revoke`);
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe(`${linksPath()}?notice=link-revoked`);
    const page = await c.get(res.headers.location as string);
    expect(page.body).toContain("Setup link revoked");
    expect(page.body).toContain('<span class="badge off">revoked</span>');
    const setup = await t.app.inject({ method: "GET", url: url.replace("http://scimbridge.test", "") });
    expect(setup.body).toMatch(/revoked/i);
  });

  it("answers an unknown link or directory with a 404 page", async () => {
    const unknown = await c.post(`${linksPath()}/${randomUUID()}/revoke`);
    expect(unknown.statusCode).toBe(404);
    expect(unknown.body).toContain("setup link not found in this directory");
    expect((await c.post(`${linksPath()}/x/revoke`)).statusCode).toBe(404);
    expect((await c.get(`/console/directories/${randomUUID()}/setup-links`)).statusCode).toBe(404);
    expect((await c.post(`/console/directories/${randomUUID()}/setup-links`, { ttlDays: "1" })).statusCode).toBe(404);
  });
});
