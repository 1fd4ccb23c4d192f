import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  eventTypesOn,
  HOSTILE_NAMES,
  type SyncedDirectory,
  syncedDirectory,
  unescaped,
  unescapeHtml,
} from "../../helpers/console-directory.js";
import { type ConsoleClient, signInToConsole } from "../../helpers/console-session.js";
import { buildTestApp, type TestApp } from "../../helpers/test-app.js";

// The console's users of a directory: SCIM filter, cursor pages, one user (SCIM resource, app shape, groups,
// event history), escaping of IdP data, and the error pages. Users come from Entra's bodies over real SCIM.

describe("console users pages", () => {
  let t: TestApp;
  let c: ConsoleClient;
  let d: SyncedDirectory;
  let adaId: string;
  let groupId: string;
  let base: string;

  beforeAll(async () => {
    t = await buildTestApp();
    c = await signInToConsole(t.app);
    d = await syncedDirectory(t, "Acme Corp");
    base = `/console/directories/${d.directoryId}/users`;
    adaId = await d.createUser("ada@acme.example", { displayName: "Ada Lovelace" });
    await d.createUser("alan@acme.example");
    await d.createUser("bob@acme.example");
    for (const name of HOSTILE_NAMES) await d.createUser(name, { displayName: name });
    groupId = await d.createGroup("Engineers", [adaId]);
    expect(
      (
        await d.scim("PATCH", `/Users/${adaId}`, {
          schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
          Operations: [{ op: "replace", path: "active", value: false }],
        })
      ).status,
    ).toBe(200);
  });
  afterAll(async () => t?.close());

  it("lists users with the directory's name, tabs and columns", async () => {
    const res = await c.get(base);
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toMatch(/^text\/html/);
    expect(res.body).toContain("<h1>Acme Corp</h1>");
    expect(res.body).toContain(`<a href="${base}" aria-current="page">Users</a>`);
    expect(res.body).toContain('<label for="filter">SCIM filter</label>');
    expect(res.body).toContain(`<a href="${base}/${adaId}">ada@acme.example</a>`);
    expect(res.body).toContain("Ada Lovelace");
    expect(res.body).toContain('<span class="badge off">inactive</span>');
    expect(res.body).toContain("bob@acme.example");
  });

  it("filters with the SCIM filter and pages with a cursor", async () => {
    const first = await c.get(`${base}?filter=${encodeURIComponent('userName sw "a"')}&limit=1`);
    expect(first.statusCode).toBe(200);
    expect(first.body).toContain('value="userName sw &quot;a&quot;"');
    expect(first.body).toContain("ada@acme.example");
    expect(first.body).not.toContain("alan@acme.example");
    expect(first.body).not.toContain("bob@acme.example");
    const next = /<a href="([^"]+)" rel="next">Next page<\/a>/.exec(first.body)?.[1];
    expect(next).toBeDefined();
    const second = await c.get(unescapeHtml(next!));
    expect(second.statusCode).toBe(200);
    expect(second.body).toContain("alan@acme.example");
    expect(second.body).not.toContain("ada@acme.example");
    expect(second.body).toContain(">First page</a>");
    expect(second.body).not.toContain('rel="next"');

    const byEmail = await c.get(`${base}?filter=${encodeURIComponent('emails.value eq "bob@acme.example"')}`);
    expect(byEmail.body).toContain("bob@acme.example");
    expect(byEmail.body).not.toContain("ada@acme.example");
  });

  it("answers a bad filter with a 400 page: the parser's message, and the form with the filter text escaped", async () => {
    const filter = 'userName zz "<b>x</b>"';
    const res = await c.get(`${base}?filter=${encodeURIComponent(filter)}`);
    expect(res.statusCode).toBe(400);
    expect(res.headers["content-type"]).toMatch(/^text\/html/);
    expect(res.body).toContain("This filter is not valid:");
    expect(res.body).toContain('value="userName zz &quot;&lt;b&gt;x&lt;/b&gt;&quot;"');
    expect(res.body).not.toContain("<b>x</b>");
    expect(res.body).toMatch(/<p class="notice bad" role="alert">This filter is not valid: [^<]*zz/);
  });

  it("answers a forged cursor with a 400 page", async () => {
    const res = await c.get(`${base}?cursor=not-a-cursor`);
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain("cursor is not valid for this list");
  });

  it("shows one user: SCIM resource, app-facing shape, groups and event history", async () => {
    const res = await c.get(`${base}/${adaId}`);
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain("<h1>User ada@acme.example</h1>");
    const scim = /aria-label="SCIM resource"><code>([^<]*)<\/code>/.exec(res.body)?.[1];
    const resource = JSON.parse(unescapeHtml(scim!));
    expect(resource).toMatchObject({
      id: adaId,
      userName: "ada@acme.example",
      active: false,
      meta: { resourceType: "User", location: `http://scimbridge.test/scim/v2/${d.directoryId}/Users/${adaId}` },
      groups: [{ value: groupId, display: "Engineers" }],
    });
    const app = JSON.parse(unescapeHtml(/aria-label="App-facing user"><code>([^<]*)<\/code>/.exec(res.body)![1]!));
    expect(app).toMatchObject({ id: adaId, email: "ada@acme.example", active: false, groups: [{ id: groupId, displayName: "Engineers" }] });
    expect(res.body).toContain(`<a href="/console/directories/${d.directoryId}/groups/${groupId}">Engineers</a>`);
    // newest first: deactivated, added to the group, created (events about other users are not here)
    const types = [...res.body.matchAll(/<td><code>([a-z_.]+)<\/code><\/td>/g)].map((m) => m[1]);
    expect(types).toEqual(["user.deactivated", "group.user_added", "user.created"]);
    expect(res.body).not.toContain("alan@acme.example");
  });

  it("pages a user's event history, newest first", async () => {
    // 3 events so far; 20 updates make 23: a page of 20, then 3 with user.created last
    for (let i = 0; i < 20; i++) {
      const patch = {
        schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        Operations: [{ op: "replace", path: "title", value: `T${i}` }],
      };
      expect((await d.scim("PATCH", `/Users/${adaId}`, patch)).status).toBe(200);
    }
    const first = await c.get(`${base}/${adaId}`);
    expect(eventTypesOn(first.body)).toEqual(Array(20).fill("user.updated"));
    const older = /<a href="([^"]+)" rel="next">Older events<\/a>/.exec(first.body)?.[1];
    expect(older).toBeDefined();
    const second = await c.get(unescapeHtml(older!));
    expect(second.statusCode).toBe(200);
    expect(eventTypesOn(second.body)).toEqual(["user.deactivated", "group.user_added", "user.created"]);
    expect(second.body).toContain(">Newest events</a>");
    expect(second.body).not.toContain("Older events");
  });

  it("escapes hostile userNames and displayNames on the list and the user page", async () => {
    const list = await c.get(base);
    expect(unescaped(list.body)).toBe(false);
    expect(list.body).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(list.body).toContain("&quot;&gt;&lt;img src=x onerror=alert(1)&gt;");
    for (const name of HOSTILE_NAMES) {
      const found = await c.get(`${base}?filter=${encodeURIComponent(`userName eq ${JSON.stringify(name)}`)}`);
      const id = new RegExp(`href="${base}/([0-9a-f-]{36})"`).exec(found.body)?.[1];
      expect(id).toBeDefined();
      const page = await c.get(`${base}/${id}`);
      expect(page.statusCode).toBe(200);
      expect(unescaped(page.body)).toBe(false);
      expect(page.body).toContain(
        `<h1>User ${name.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;").replaceAll('"', "&quot;")}</h1>`,
      );
    }
  });

  it("answers an unknown user, a malformed id and an unknown directory with 404 pages", async () => {
    const unknown = await c.get(`${base}/${randomUUID()}`);
    expect(unknown.statusCode).toBe(404);
    expect(unknown.body).toContain("user not found in this directory");
    expect((await c.get(`${base}/not-a-uuid`)).statusCode).toBe(404);
    const other = await syncedDirectory(t, "Other");
    expect((await c.get(`/console/directories/${other.directoryId}/users/${adaId}`)).statusCode).toBe(404);
    const noDirectory = await c.get(`/console/directories/${randomUUID()}/users`);
    expect(noDirectory.statusCode).toBe(404);
    expect(noDirectory.body).toContain("directory not found");
    expect((await c.get("/console/directories/nope/users")).statusCode).toBe(404);
  });

  it("sends a visitor without a session to sign-in", async () => {
    const res = await t.app.inject({ method: "GET", url: base });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toMatch(/^\/console\/sign-in\?next=/);
  });
});
