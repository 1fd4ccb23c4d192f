import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EVENT_TYPES } from "../../../src/events/event-writer.js";
import { putRole, putRoleMapping } from "../../../src/roles/role-service.js";
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

// The console's events of a directory: newest first, the type filter, cursor pages, each event's summary and
// JSON, the live region the console script refreshes (and the Refresh link without JavaScript), escaping.

describe("console events page", () => {
  let t: TestApp;
  let c: ConsoleClient;
  let d: SyncedDirectory;
  let base: string;
  let adaId: string;
  let groupId: string;

  beforeAll(async () => {
    t = await buildTestApp();
    c = await signInToConsole(t.app);
    d = await syncedDirectory(t, "Acme");
    base = `/console/directories/${d.directoryId}/events`;
    adaId = await d.createUser("ada@acme.example");
    groupId = await d.createGroup("Engineers", [adaId]);
  });
  afterAll(async () => t?.close());

  it("lists events newest first with type, time, summary links and JSON, in a live region with a Refresh link", async () => {
    const res = await c.get(base);
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain(`<a href="${base}" aria-current="page">Events</a>`);
    expect(eventTypesOn(res.body)).toEqual(["group.user_added", "group.created", "user.created"]);
    expect(res.body).toContain(`<section class="card" id="live-events" data-live="${base}" data-live-ms="2000"`);
    expect(res.body).toContain(`<a href="${base}">Refresh</a>`);
    expect(res.body).toContain(
      `<a href="/console/directories/${d.directoryId}/users/${adaId}">ada@acme.example</a> added to <a href="/console/directories/${d.directoryId}/groups/${groupId}">Engineers</a>`,
    );
    const json = /<details><summary>JSON of event (\d+)<\/summary><pre tabindex="0"><code>([^<]*)<\/code>/.exec(res.body)!;
    expect(JSON.parse(unescapeHtml(json[2]!))).toMatchObject({ id: json[1], type: "group.user_added", directoryId: d.directoryId });
    // the page's own script refreshes data-live regions (nonce CSP: no other script runs)
    expect(res.body).toContain('document.querySelectorAll("[data-live]")');
  });

  it("offers every event type in the filter and filters by one", async () => {
    const all = await c.get(base);
    for (const type of EVENT_TYPES) expect(all.body).toContain(`<option value="${type}">${type}</option>`);
    const res = await c.get(`${base}?type=user.created`);
    expect(res.statusCode).toBe(200);
    expect(eventTypesOn(res.body)).toEqual(["user.created"]);
    expect(res.body).toContain('<option value="user.created" selected>');
    expect(res.body).toContain(`data-live="${base}?type=user.created"`);
  });

  it("answers an unknown type with a 400 page naming the known types", async () => {
    const res = await c.get(`${base}?type=${encodeURIComponent("<b>nope</b>")}`);
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain("unknown event type &quot;&lt;b&gt;nope&lt;/b&gt;&quot;");
    expect(res.body).not.toContain("<b>nope</b>");
  });

  it("pages older events with a cursor; older pages are not live", async () => {
    const first = await c.get(`${base}?limit=2`);
    expect(eventTypesOn(first.body)).toEqual(["group.user_added", "group.created"]);
    const next = /<a href="([^"]+)" rel="next">Next page<\/a>/.exec(first.body)![1]!;
    const second = await c.get(unescapeHtml(next));
    expect(second.statusCode).toBe(200);
    expect(eventTypesOn(second.body)).toEqual(["user.created"]);
    expect(second.body).toContain('<h2 id="events-heading">Older events</h2>');
    expect(second.body).not.toMatch(/<section class="card"[^>]*data-live=/);
    expect((await c.get(`${base}?cursor=bad`)).statusCode).toBe(400);
  });

  it("shows new events on the next refresh of the live region", async () => {
    await d.createUser("late@acme.example");
    const res = await c.get(base);
    expect(eventTypesOn(res.body)[0]).toBe("user.created");
    expect(res.body).toContain("late@acme.example");
  });

  it("escapes hostile user and group names in summaries and JSON", async () => {
    const id = await d.createUser(HOSTILE_NAMES[0], { displayName: HOSTILE_NAMES[1] });
    await d.createGroup(HOSTILE_NAMES[1], [id]);
    const res = await c.get(base);
    expect(unescaped(res.body)).toBe(false);
    expect(res.body).toContain("&lt;script&gt;alert(1)&lt;/script&gt;</a> added to");
  });

  it("summarises a roles change: the user, linked, and its roles old → new", async () => {
    for (const role of ["viewer", "editor"]) await putRole(t.app.db, role, {});
    await putRoleMapping(t.app.db, d.directoryId, {
      defaultRole: "viewer",
      rules: [{ match: { displayName: "Editors" }, role: "editor", priority: 10 }],
    });
    const bobId = await d.createUser("bob@acme.example");
    await d.createGroup("Editors", [bobId]);
    const res = await c.get(`${base}?type=user.roles_changed`);
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain(
      `<a href="/console/directories/${d.directoryId}/users/${bobId}">bob@acme.example</a>: roles viewer → editor`,
    );
  });

  it("answers an unknown directory with a 404 page", async () => {
    expect((await c.get(`/console/directories/${randomUUID()}/events`)).statusCode).toBe(404);
  });
});
