import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { previousAttributes } from "../../src/events/previous-attributes.js";
import { createScimDirectory, ENTERPRISE, PATCH_OP, type ScimDirectory, scimClient } from "../helpers/scim-fixtures.js";
import { adminAuth, buildTestApp, type TestApp } from "../helpers/test-app.js";
import { entraCompat, entraTutorial, polisOkta } from "../scim/patch/idp-requests.js";

// previousAttributes (issue 16): user.updated / group.updated carry, beside `data`, exactly the app-facing
// fields that changed with their old values; a no-op write emits nothing.

describe("previousAttributes (the diff)", () => {
  it("keeps only changed top-level fields with their old values, ignoring key order, updatedAt and raw", () => {
    const before = { id: "u", email: "a@x", manager: { id: "m1" }, roles: ["a"], raw: { x: 1 }, updatedAt: "t1", title: null };
    const after = { id: "u", email: "b@x", manager: { id: "m1" }, roles: ["a"], raw: { x: 2 }, updatedAt: "t2", title: "CTO" };
    expect(previousAttributes(before, after)).toEqual({ email: "a@x", title: null });
    expect(previousAttributes({ manager: { id: "m1" } }, { manager: { id: "m2" } })).toEqual({ manager: { id: "m1" } });
    expect(previousAttributes({ manager: { a: 1, b: 2 } }, { manager: { b: 2, a: 1 } })).toEqual({});
  });

  it("diffs attributes and customAttributes key by key (null for a key that did not exist)", () => {
    const before = { attributes: { costCenter: "A", level: 3 }, customAttributes: { "urn:x": { badge: 1 } } };
    const after = { attributes: { costCenter: "B", level: 3, site: "Paris" }, customAttributes: {} };
    expect(previousAttributes(before, after)).toEqual({
      attributes: { costCenter: "A", site: null },
      customAttributes: { "urn:x": { badge: 1 } },
    });
    expect(previousAttributes({ attributes: { a: 1 } }, { attributes: { a: 1 } })).toEqual({});
  });
});

describe("previousAttributes on user.updated and group.updated", () => {
  let t: TestApp;
  let d: ScimDirectory;
  let scim: ReturnType<typeof scimClient>;
  beforeAll(async () => {
    t = await buildTestApp();
    d = await createScimDirectory(t);
    scim = scimClient(t, d);
  });
  afterAll(async () => t?.close());

  let cursor: string | undefined;
  /** The directory's events since the last call, as the events API serves them. */
  async function newEvents(): Promise<Record<string, unknown>[]> {
    const res = await t.app.inject({
      method: "GET",
      url: `/api/v1/directories/${d.directoryId}/events?limit=500${cursor ? `&after=${cursor}` : ""}`,
      headers: adminAuth,
    });
    expect(res.statusCode).toBe(200);
    cursor = res.json().nextCursor ?? cursor;
    return res.json().data;
  }

  it("Entra PATCHes: exactly the changed fields with their old values; the same PATCH again emits nothing", async () => {
    const body = entraTutorial("Create User").request.body;
    const created = await scim("POST", "/Users", body);
    expect(created.status).toBe(201);
    const id = created.body.id;
    const [createdEvent] = await newEvents();
    expect(createdEvent).not.toHaveProperty("previousAttributes");

    const multi = entraTutorial("Update User [Multi-valued properties]").request.body;
    expect([200, 204]).toContain((await scim("PATCH", `/Users/${id}`, multi)).status);
    let events = await newEvents();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      type: "user.updated",
      data: { id, email: "updatedEmail@microsoft.com", familyName: "updatedFamilyName" },
    });
    expect(events[0]!.previousAttributes).toEqual({ email: body.emails[0].value, familyName: "familyName" });

    const several = entraCompat("Replace multiple attributes").without;
    expect([200, 204]).toContain((await scim("PATCH", `/Users/${id}`, several)).status);
    events = await newEvents();
    expect(events.map((e) => e.type)).toEqual(["user.updated"]);
    expect(events[0]!.previousAttributes).toEqual({
      displayName: null,
      email: "updatedEmail@microsoft.com",
      givenName: "givenName",
      familyName: "updatedFamilyName",
      externalId: body.externalId,
      customAttributes: { [ENTERPRISE]: null },
    });

    // the same operations again change nothing: no event
    expect([200, 204]).toContain((await scim("PATCH", `/Users/${id}`, several)).status);
    expect(await newEvents()).toEqual([]);

    expect([200, 204]).toContain((await scim("PATCH", `/Users/${id}`, entraTutorial("Disable User").request.body)).status);
    events = await newEvents();
    expect(events.map((e) => [e.type, e.previousAttributes])).toEqual([["user.deactivated", { active: true }]]);
  });

  it("Okta PUT: the fields the new body changed; the same PUT again emits nothing", async () => {
    const created = await scim("POST", "/Users", polisOkta.oktaUser_1);
    expect(created.status).toBe(201);
    await newEvents();
    expect((await scim("PUT", `/Users/${created.body.id}`, polisOkta.updatedOktaUser_1)).status).toBe(200);
    const events = await newEvents();
    expect(events.map((e) => [e.type, e.previousAttributes])).toEqual([
      ["user.updated", { givenName: "samuel-1", familyName: "jackson-1", email: "jackson-1@okta.local" }],
    ]);
    expect((await scim("PUT", `/Users/${created.body.id}`, polisOkta.updatedOktaUser_1)).status).toBe(200);
    expect(await newEvents()).toEqual([]);
  });

  it("group displayName change (Entra): previousAttributes has the old name; renaming to the same name emits nothing", async () => {
    const created = await scim("POST", "/Groups", { ...entraTutorial("Create Group").request.body, displayName: "Finance" });
    expect(created.status).toBe(201);
    await newEvents();
    const rename = entraTutorial("Update Group [Non-member attributes]").request.body;
    const to = (value: string) => ({ ...rename, Operations: [{ ...rename.Operations[0], value }] });
    expect((await scim("PATCH", `/Groups/${created.body.id}`, to("Finance EMEA"))).status).toBe(204);
    const events = await newEvents();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      type: "group.updated",
      data: { displayName: "Finance EMEA" },
      previousAttributes: { displayName: "Finance" },
    });
    expect(Object.keys(events[0]!.previousAttributes as object)).toEqual(["displayName"]);

    expect((await scim("PATCH", `/Groups/${created.body.id}`, to("Finance EMEA"))).status).toBe(204);
    const noop = { schemas: [PATCH_OP], Operations: [{ op: "replace", value: { displayName: "Finance EMEA" } }] };
    expect((await scim("PATCH", `/Groups/${created.body.id}`, noop)).status).toBe(204);
    expect(await newEvents()).toEqual([]);
  });
});
