import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HOSTILE_NAMES, type SyncedDirectory, syncedDirectory, unescaped, unescapeHtml } from "../../helpers/console-directory.js";
import { type ConsoleClient, signInToConsole } from "../../helpers/console-session.js";
import { buildTestApp, type TestApp } from "../../helpers/test-app.js";

// The console's groups of a directory: list with filter and cursor pages, one group with its members paged,
// escaping of group and member names, and the error pages. Groups come from Entra's bodies over real SCIM.

describe("console groups pages", () => {
  let t: TestApp;
  let c: ConsoleClient;
  let d: SyncedDirectory;
  let base: string;
  let engineers: string;
  const members: string[] = [];

  beforeAll(async () => {
    t = await buildTestApp();
    c = await signInToConsole(t.app);
    d = await syncedDirectory(t, "Acme");
    base = `/console/directories/${d.directoryId}/groups`;
    for (const name of ["m1@acme.example", "m2@acme.example", "m3@acme.example", HOSTILE_NAMES[0]]) members.push(await d.createUser(name));
    engineers = await d.createGroup("Engineers", members);
    await d.createGroup("Sales");
    for (const name of HOSTILE_NAMES) await d.createGroup(name);
  });
  afterAll(async () => t?.close());

  it("lists groups with member counts, filters by displayName and pages with a cursor", async () => {
    const all = await c.get(base);
    expect(all.statusCode).toBe(200);
    expect(all.body).toContain(`<a href="${base}" aria-current="page">Groups</a>`);
    expect(all.body).toContain(`<a href="${base}/${engineers}">Engineers</a>`);
    expect(all.body).toMatch(/Engineers<\/a><\/td><td>ext-Engineers<\/td>\s*<td class="num">4<\/td>/);
    const first = await c.get(`${base}?limit=2`);
    expect(first.body).toContain("Engineers");
    expect(first.body).toContain("Sales");
    const next = /<a href="([^"]+)" rel="next">Next page<\/a>/.exec(first.body)![1]!;
    const second = await c.get(unescapeHtml(next));
    expect(second.body).not.toContain(">Engineers<");
    expect(second.body).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    const filtered = await c.get(`${base}?filter=${encodeURIComponent('displayName sw "Sal"')}`);
    expect(filtered.body).toContain("Sales");
    expect(filtered.body).not.toContain(">Engineers<");
  });

  it("answers a bad filter with a 400 page that keeps the form", async () => {
    const res = await c.get(`${base}?filter=${encodeURIComponent("displayName eq")}`);
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain("This filter is not valid:");
    expect(res.body).toContain('value="displayName eq"');
  });

  it("shows one group with its members paged by cursor, linked to their pages", async () => {
    const first = await c.get(`${base}/${engineers}?limit=3`);
    expect(first.statusCode).toBe(200);
    expect(first.body).toContain("<h1>Group Engineers</h1>");
    expect(first.body).toContain("<dt>Members</dt><dd>4</dd>");
    const links = (body: string) => [...body.matchAll(/href="\/console\/directories\/[^/]+\/users\/([0-9a-f-]{36})"/g)].map((m) => m[1]);
    const sorted = [...members].sort();
    expect(links(first.body)).toEqual(sorted.slice(0, 3));
    const next = /<a href="([^"]+)" rel="next">Next page<\/a>/.exec(first.body)![1]!;
    const second = await c.get(unescapeHtml(next));
    expect(links(second.body)).toEqual(sorted.slice(3));
    expect(second.body).not.toContain('rel="next"');
  });

  it("escapes hostile group names and member names on every page they appear", async () => {
    const list = await c.get(base);
    expect(unescaped(list.body)).toBe(false);
    for (const name of HOSTILE_NAMES) {
      const found = await c.get(`${base}?filter=${encodeURIComponent(`displayName eq ${JSON.stringify(name)}`)}`);
      const id = new RegExp(`href="${base}/([0-9a-f-]{36})"`).exec(found.body)![1];
      const page = await c.get(`${base}/${id}`);
      expect(page.statusCode).toBe(200);
      expect(unescaped(page.body)).toBe(false);
    }
    const withHostileMember = await c.get(`${base}/${engineers}`);
    expect(withHostileMember.body).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(unescaped(withHostileMember.body)).toBe(false);
  });

  it("answers an unknown or malformed group with a 404 page", async () => {
    const res = await c.get(`${base}/${randomUUID()}`);
    expect(res.statusCode).toBe(404);
    expect(res.body).toContain("group not found in this directory");
    expect((await c.get(`${base}/nope`)).statusCode).toBe(404);
    expect((await c.get(`/console/directories/${randomUUID()}/groups`)).statusCode).toBe(404);
  });
});
