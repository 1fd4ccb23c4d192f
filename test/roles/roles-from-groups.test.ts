import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createScimDirectory, GROUP_SCHEMA, PATCH_OP, type ScimDirectory, scimClient, userBody } from "../helpers/scim-fixtures.js";
import { adminAuth, buildTestApp, type TestApp } from "../helpers/test-app.js";
import { entraTutorial, polisGroups, polisOkta } from "../scim/patch/idp-requests.js";

// Roles from groups (issue 16), driven by real Entra and Okta group requests: a user's roles follow its
// groups through every membership change, and each change of roles is a user.roles_changed written in the
// same transaction as the membership change that caused it.

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp();
  for (const name of ["admin", "editor", "viewer", "billing"]) {
    const res = await t.app.inject({ method: "PUT", url: `/api/v1/roles/${name}`, headers: adminAuth, payload: {} });
    expect(res.statusCode).toBe(201);
  }
});
afterAll(async () => t?.close());

interface EventRow {
  type: string;
  // biome-ignore lint/suspicious/noExplicitAny: event JSON read by tests
  data: any;
  previousAttributes: unknown;
  txid: string;
}

/** The directory's events after `afterId`, with the id of the transaction that wrote each. */
async function eventsAfter(directoryId: string, afterId: number): Promise<EventRow[]> {
  const rows = await t.app.db.pool.query(
    `SELECT type, data, previous_attributes AS "previousAttributes", txid::text AS txid FROM events
      WHERE directory_id = $1 AND id > $2 ORDER BY id`,
    [directoryId, afterId],
  );
  return rows.rows;
}

async function lastEventId(): Promise<number> {
  return (await t.app.db.pool.query("SELECT coalesce(max(id), 0)::int AS id FROM events")).rows[0].id;
}

const GROUP_BODY = entraTutorial("Create Group").request.body;
const ADD_MEMBERS = entraTutorial("Update Group [Add Members]").request.body;
const REMOVE_MEMBERS = entraTutorial("Update Group [Remove Members]").request.body;
const RENAME = entraTutorial("Update Group [Non-member attributes]").request.body;

/** The Entra tutorial's Add/Remove Members body, for our user ids. */
function withMembers(body: { Operations: { value: unknown[] }[] }, ids: string[]) {
  const op = body.Operations[0]!;
  return { ...body, Operations: [{ ...op, value: ids.map((value) => ({ $ref: null, value })) }] };
}

describe("roles from groups", () => {
  let d: ScimDirectory;
  let scim: ReturnType<typeof scimClient>;
  let users: { id: string }[];

  const admin = (method: "GET" | "PUT" | "DELETE", url: string, payload?: unknown) =>
    t.app.inject({ method, url: `/api/v1${url}`, headers: adminAuth, ...(payload !== undefined ? { payload: payload as object } : {}) });

  async function createGroup(displayName: string, members: string[] = []) {
    const res = await scim("POST", "/Groups", {
      ...GROUP_BODY,
      externalId: crypto.randomUUID(),
      displayName,
      ...(members.length ? { members: members.map((value) => ({ value })) } : {}),
    });
    expect(res.status).toBe(201);
    return res.body.id as string;
  }

  async function rolesOf(userId: string): Promise<string[]> {
    const res = await admin("GET", `/directories/${d.directoryId}/users/${userId}`);
    expect(res.statusCode).toBe(200);
    return res.json().roles;
  }

  async function putMapping(mapping: unknown) {
    const res = await admin("PUT", `/directories/${d.directoryId}/role-mapping`, mapping);
    expect(res.statusCode, res.body).toBe(200);
    return res.json();
  }

  beforeEach(async () => {
    d = await createScimDirectory(t);
    scim = scimClient(t, d);
    users = [];
    for (const name of ["ada", "grace", "linus"]) {
      const res = await scim("POST", "/Users", userBody(`${name}@acme.example`));
      expect(res.status).toBe(201);
      users.push({ id: res.body.id });
    }
  });

  it("a directory without a mapping gives every user roles [] and never emits user.roles_changed", async () => {
    const from = await lastEventId();
    const g = await createGroup("Engineering");
    expect((await scim("PATCH", `/Groups/${g}`, withMembers(ADD_MEMBERS, [users[0]!.id]))).status).toBe(204);
    expect(await rolesOf(users[0]!.id)).toEqual([]);
    expect((await eventsAfter(d.directoryId, from)).map((e) => e.type)).toEqual(["group.created", "group.user_added"]);
  });

  it("Entra PATCH add / remove one / remove-all / replace move roles, each user.roles_changed in the membership change's transaction", async () => {
    const eng = await createGroup("Engineering");
    const admins = await createGroup("Admins");
    const written = await putMapping({
      defaultRole: "viewer",
      rules: [
        { match: { displayName: "ENGINEERING" }, role: "editor", priority: 10 },
        { match: { groupId: admins }, role: "admin", priority: 100 },
      ],
    });
    // the mapping gave the default role to the three users (in no group yet)
    expect(written.usersChanged).toBe(3);
    for (const u of users) expect(await rolesOf(u.id)).toEqual(["viewer"]);

    // add (Entra's documented body): ada and grace become editors
    let from = await lastEventId();
    expect((await scim("PATCH", `/Groups/${eng}`, withMembers(ADD_MEMBERS, [users[0]!.id, users[1]!.id]))).status).toBe(204);
    let events = await eventsAfter(d.directoryId, from);
    expect(events.map((e) => e.type)).toEqual(["group.user_added", "group.user_added", "user.roles_changed", "user.roles_changed"]);
    expect(new Set(events.map((e) => e.txid)).size).toBe(1);
    const changed = events.filter((e) => e.type === "user.roles_changed").sort((a, b) => (a.data.user.id < b.data.user.id ? -1 : 1));
    for (const e of changed) {
      expect(e.data).toMatchObject({
        previousRoles: ["viewer"],
        roles: ["editor"],
        user: { roles: ["editor"], directoryId: d.directoryId },
      });
      expect(e.previousAttributes).toEqual({ roles: ["viewer"] });
    }
    expect(changed.map((e) => e.data.user.id).sort()).toEqual([users[0]!.id, users[1]!.id].sort());
    expect(await rolesOf(users[0]!.id)).toEqual(["editor"]);
    expect(await rolesOf(users[2]!.id)).toEqual(["viewer"]);

    // ada also joins Admins: priority orders her roles, the higher first
    from = await lastEventId();
    expect((await scim("PATCH", `/Groups/${admins}`, withMembers(ADD_MEMBERS, [users[0]!.id]))).status).toBe(204);
    events = await eventsAfter(d.directoryId, from);
    expect(events.map((e) => [e.type, e.data.previousRoles, e.data.roles])).toEqual([
      ["group.user_added", undefined, undefined],
      ["user.roles_changed", ["editor"], ["admin", "editor"]],
    ]);
    expect(events[0]!.txid).toBe(events[1]!.txid);

    // remove one (Entra's documented body): grace is back to the default role
    from = await lastEventId();
    expect((await scim("PATCH", `/Groups/${eng}`, withMembers(REMOVE_MEMBERS, [users[1]!.id]))).status).toBe(204);
    events = await eventsAfter(d.directoryId, from);
    expect(events.map((e) => [e.type, e.data.user?.id, e.data.roles])).toEqual([
      ["group.user_removed", users[1]!.id, undefined],
      ["user.roles_changed", users[1]!.id, ["viewer"]],
    ]);
    expect(events[0]!.txid).toBe(events[1]!.txid);

    // removing someone who is not a member changes nothing: no event at all
    from = await lastEventId();
    expect((await scim("PATCH", `/Groups/${eng}`, withMembers(REMOVE_MEMBERS, [users[2]!.id]))).status).toBe(204);
    expect(await eventsAfter(d.directoryId, from)).toEqual([]);

    // replace the members: linus in, ada out of Engineering (ada keeps admin)
    from = await lastEventId();
    const replace = { schemas: [PATCH_OP], Operations: [{ op: "replace", path: "members", value: [{ value: users[2]!.id }] }] };
    expect((await scim("PATCH", `/Groups/${eng}`, replace)).status).toBe(204);
    events = await eventsAfter(d.directoryId, from);
    expect(
      events
        .filter((e) => e.type === "user.roles_changed")
        .map((e) => [e.data.user.id, e.data.previousRoles, e.data.roles])
        .sort(),
    ).toEqual(
      [
        [users[0]!.id, ["admin", "editor"], ["admin"]],
        [users[2]!.id, ["viewer"], ["editor"]],
      ].sort(),
    );
    expect(new Set(events.map((e) => e.txid)).size).toBe(1);

    // remove-all (`remove` of `members`, no value): linus back to the default
    from = await lastEventId();
    const removeAll = { schemas: [PATCH_OP], Operations: [{ op: "remove", path: "members" }] };
    expect((await scim("PATCH", `/Groups/${eng}`, removeAll)).status).toBe(204);
    events = await eventsAfter(d.directoryId, from);
    expect(events.map((e) => [e.type, e.data.user?.id, e.data.roles])).toEqual([
      ["group.user_removed", users[2]!.id, undefined],
      ["user.roles_changed", users[2]!.id, ["viewer"]],
    ]);
    expect(events[0]!.txid).toBe(events[1]!.txid);
    expect(await rolesOf(users[0]!.id)).toEqual(["admin"]);
    expect(await rolesOf(users[2]!.id)).toEqual(["viewer"]);
  });

  it("a membership change that does not move roles emits no user.roles_changed; a failed one writes neither", async () => {
    const a = await createGroup("Eng A");
    const b = await createGroup("Eng B");
    await putMapping({
      defaultRole: null,
      rules: [
        { match: { groupId: a }, role: "editor", priority: 1 },
        { match: { groupId: b }, role: "editor", priority: 1 },
      ],
    });
    expect(await rolesOf(users[0]!.id)).toEqual([]);
    expect((await scim("PATCH", `/Groups/${a}`, withMembers(ADD_MEMBERS, [users[0]!.id]))).status).toBe(204);
    expect(await rolesOf(users[0]!.id)).toEqual(["editor"]);

    let from = await lastEventId();
    expect((await scim("PATCH", `/Groups/${b}`, withMembers(ADD_MEMBERS, [users[0]!.id]))).status).toBe(204);
    expect((await eventsAfter(d.directoryId, from)).map((e) => e.type)).toEqual(["group.user_added"]);

    // one unknown member: the whole PATCH is refused, no membership, no roles, no event
    from = await lastEventId();
    const res = await scim("PATCH", `/Groups/${b}`, withMembers(ADD_MEMBERS, [users[1]!.id, crypto.randomUUID()]));
    expect(res.status).toBe(400);
    expect(res.body.scimType).toBe("invalidValue");
    expect(await eventsAfter(d.directoryId, from)).toEqual([]);
    expect(await rolesOf(users[1]!.id)).toEqual([]);
  });

  it("Okta: POST with members and PUT replacing the member list recompute roles", async () => {
    await putMapping({ defaultRole: "viewer", rules: [{ match: { displayName: "Ory" }, role: "billing", priority: 5 }] });
    const from = await lastEventId();
    const created = await scim("POST", "/Groups", { ...polisOkta.oktaGroup, members: [{ value: users[0]!.id }] });
    expect(created.status).toBe(201);
    let events = await eventsAfter(d.directoryId, from);
    expect(events.map((e) => [e.type, e.data.roles])).toEqual([
      ["group.created", undefined],
      ["group.user_added", undefined],
      ["user.roles_changed", ["billing"]],
    ]);
    expect(new Set(events.map((e) => e.txid)).size).toBe(1);

    const next = await lastEventId();
    const put = await scim("PUT", `/Groups/${created.body.id}`, { ...polisOkta.oktaGroup, members: [{ value: users[1]!.id }] });
    expect(put.status).toBe(200);
    events = await eventsAfter(d.directoryId, next);
    expect(
      events
        .filter((e) => e.type === "user.roles_changed")
        .map((e) => [e.data.user.id, e.data.roles])
        .sort(),
    ).toEqual(
      [
        [users[0]!.id, ["viewer"]],
        [users[1]!.id, ["billing"]],
      ].sort(),
    );
    expect(await rolesOf(users[1]!.id)).toEqual(["billing"]);
  });

  it("renaming a group re-matches displayName rules for its members (Entra rename, polis PUT without members)", async () => {
    await putMapping({ defaultRole: null, rules: [{ match: { displayName: "Sales" }, role: "billing", priority: 1 }] });
    const g = await createGroup("Marketing", [users[0]!.id]);
    expect(await rolesOf(users[0]!.id)).toEqual([]);

    let from = await lastEventId();
    expect((await scim("PATCH", `/Groups/${g}`, { ...RENAME, Operations: [{ ...RENAME.Operations[0], value: "sales" }] })).status).toBe(
      204,
    );
    let events = await eventsAfter(d.directoryId, from);
    expect(events.map((e) => [e.type, e.data.roles])).toEqual([
      ["group.updated", undefined],
      ["user.roles_changed", ["billing"]],
    ]);
    expect(events[0]!.previousAttributes).toEqual({ displayName: "Marketing" });
    expect(events[0]!.txid).toBe(events[1]!.txid);

    from = await lastEventId();
    // polis's PUT body lacks the schemas RFC 7644 requires; with them, it renames and names no members
    const put = await scim("PUT", `/Groups/${g}`, { schemas: [GROUP_SCHEMA], ...polisGroups.updateById.body });
    expect(put.status).toBe(200);
    events = await eventsAfter(d.directoryId, from);
    expect(events.map((e) => [e.type, e.data.roles])).toEqual([
      ["group.updated", undefined],
      ["user.roles_changed", []],
    ]);
  });

  it("deleting a group or a mapping change recomputes its users; a user created later gets the default role", async () => {
    const g = await createGroup("Admins", [users[0]!.id, users[1]!.id]);
    await putMapping({ defaultRole: "viewer", rules: [{ match: { groupId: g }, role: "admin", priority: 1 }] });
    expect(await rolesOf(users[0]!.id)).toEqual(["admin"]);

    let from = await lastEventId();
    expect((await scim("DELETE", `/Groups/${g}`)).status).toBe(204);
    let events = await eventsAfter(d.directoryId, from);
    expect(events.map((e) => e.type)).toEqual(["group.deleted", "user.roles_changed", "user.roles_changed"]);
    expect(new Set(events.map((e) => e.txid)).size).toBe(1);
    expect(await rolesOf(users[1]!.id)).toEqual(["viewer"]);

    // a new default: everyone in no mapped group moves, with one event each
    from = await lastEventId();
    const written = await putMapping({ defaultRole: "editor", rules: [] });
    expect(written).toEqual({ defaultRole: "editor", rules: [], usersChanged: 3 });
    events = await eventsAfter(d.directoryId, from);
    expect(events.map((e) => [e.type, e.data.previousRoles, e.data.roles])).toEqual([
      ["user.roles_changed", ["viewer"], ["editor"]],
      ["user.roles_changed", ["viewer"], ["editor"]],
      ["user.roles_changed", ["viewer"], ["editor"]],
    ]);
    // the same mapping again: nothing changes, nothing is emitted
    from = await lastEventId();
    expect((await putMapping({ defaultRole: "editor", rules: [] })).usersChanged).toBe(0);
    expect(await eventsAfter(d.directoryId, from)).toEqual([]);

    from = await lastEventId();
    const created = await scim("POST", "/Users", userBody("new@acme.example"));
    expect(created.status).toBe(201);
    events = await eventsAfter(d.directoryId, from);
    expect(events.map((e) => [e.type, e.data.roles])).toEqual([["user.created", ["editor"]]]);
    expect(await rolesOf(created.body.id)).toEqual(["editor"]);

    // an empty mapping removes it: roles go back to []
    expect((await putMapping({ defaultRole: null, rules: [] })).usersChanged).toBe(4);
    expect(await rolesOf(created.body.id)).toEqual([]);
  });

  it("concurrent PATCHes adding one user to different groups: every role ends up held, and the events chain", async () => {
    for (const name of ["r0", "r1", "r2", "r3", "r4", "r5"]) await admin("PUT", `/roles/${name}`, {});
    const groups: string[] = [];
    for (let i = 0; i < 6; i++) groups.push(await createGroup(`Team ${i}`));
    await putMapping({ defaultRole: null, rules: groups.map((groupId, i) => ({ match: { groupId }, role: `r${i}`, priority: i })) });
    const from = await lastEventId();
    const results = await Promise.all(groups.map((g) => scim("PATCH", `/Groups/${g}`, withMembers(ADD_MEMBERS, [users[0]!.id]))));
    expect(results.map((r) => r.status)).toEqual(groups.map(() => 204));
    expect(await rolesOf(users[0]!.id)).toEqual(["r5", "r4", "r3", "r2", "r1", "r0"]);
    // each user.roles_changed starts from the roles the previous one ended with
    const changes = (await eventsAfter(d.directoryId, from)).filter((e) => e.type === "user.roles_changed");
    expect(changes).toHaveLength(6);
    let held: string[] = [];
    for (const e of changes) {
      expect(e.data.previousRoles).toEqual(held);
      held = e.data.roles;
    }
    expect(held).toEqual(["r5", "r4", "r3", "r2", "r1", "r0"]);
  });

  it("deleting a user in a mapped group: group.user_removed and user.deleted (with its last roles), no user.roles_changed", async () => {
    const g = await createGroup("Admins", [users[0]!.id]);
    await putMapping({ defaultRole: "viewer", rules: [{ match: { groupId: g }, role: "admin", priority: 1 }] });
    const from = await lastEventId();
    expect((await scim("DELETE", `/Users/${users[0]!.id}`)).status).toBe(204);
    const events = await eventsAfter(d.directoryId, from);
    expect(events.map((e) => e.type)).toEqual(["group.user_removed", "user.deleted"]);
    expect(events[1]!.data.roles).toEqual(["admin"]);
  });

  it("Bulk group operations recompute roles too", async () => {
    const g = await createGroup("Admins");
    await putMapping({ defaultRole: null, rules: [{ match: { groupId: g }, role: "admin", priority: 1 }] });
    const from = await lastEventId();
    const res = await scim("POST", "/Bulk", {
      schemas: ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],
      Operations: [{ method: "PATCH", path: `/Groups/${g}`, data: withMembers(ADD_MEMBERS, [users[2]!.id]) }],
    });
    expect(res.status).toBe(200);
    expect(res.body.Operations[0].status).toBe("200");
    expect((await eventsAfter(d.directoryId, from)).map((e) => [e.type, e.data.roles])).toEqual([
      ["group.user_added", undefined],
      ["user.roles_changed", ["admin"]],
    ]);
  });
});
