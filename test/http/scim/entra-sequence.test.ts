import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createScimDirectory,
  ENTERPRISE,
  ERROR_SCHEMA,
  eventsOf,
  scimClient,
  type ScimDirectory,
  USER_SCHEMA,
} from "../../helpers/scim-fixtures.js";
import { buildTestApp, type TestApp } from "../../helpers/test-app.js";

// Replays Microsoft's documented Entra ID provisioning requests (use-scim-to-provision-users-and-groups
// and the SCIM compatibility page) against a directory, in the order Entra sends them.

interface Example {
  name: string;
  request?: { method: string; url: string; body?: Record<string, unknown> } | null;
  without?: Record<string, unknown>;
  with?: Record<string, unknown>;
}
const doc = JSON.parse(readFileSync(new URL("../../fixtures/idp-requests/entra-documented-examples.json", import.meta.url), "utf8")) as {
  tutorial: { examples: Example[] };
  compat: { examples: Example[] };
};
const tutorial = (name: string) => doc.tutorial.examples.find((e) => e.name === name)!;
const compat = (name: string) => doc.compat.examples.find((e) => e.name === name)!;
/** Swaps Microsoft's example ids for ours. */
const withIds = (value: unknown, ids: Record<string, string>): unknown => {
  let text = JSON.stringify(value);
  for (const [from, to] of Object.entries(ids)) text = text.split(from).join(to);
  return JSON.parse(text);
};

describe("Entra ID documented provisioning sequence", () => {
  let t: TestApp;
  let d: ScimDirectory;
  let scim: ReturnType<typeof scimClient>;
  let userId: string;
  let managerId: string;
  let groupId: string;

  beforeAll(async () => {
    t = await buildTestApp();
    d = await createScimDirectory(t);
    scim = scimClient(t, d);
  });
  afterAll(async () => t.close());

  it("Test Connection: filter on a random userName answers an empty ListResponse", async () => {
    const res = await scim("GET", `/Users?filter=userName+eq+%22${crypto.randomUUID()}%22`);
    expect(res.status).toBe(200);
    expect(res.headers["content-type"]).toContain("application/scim+json");
    expect(res.body).toMatchObject({
      schemas: ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
      totalResults: 0,
      Resources: [],
      startIndex: 1,
    });
    const groups = await scim("GET", `/Groups?excludedAttributes=members&filter=displayName+eq+%22${crypto.randomUUID()}%22`);
    expect(groups.body).toMatchObject({ totalResults: 0, Resources: [] });
  });

  it("Create User: 201 with id, meta and the attributes as sent", async () => {
    const ex = tutorial("Create User");
    const res = await scim("POST", "/Users", ex.request!.body);
    expect(res.status).toBe(201);
    userId = res.body.id;
    expect(userId).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.headers.etag).toBe('W/"1"');
    expect(res.headers.location).toBe(`http://scimbridge.test${d.base}/Users/${userId}`);
    const { meta: _m, schemas: _s, ...sent } = ex.request!.body as Record<string, unknown>;
    expect(res.body).toMatchObject(sent);
    expect(res.body.schemas).toEqual(expect.arrayContaining([USER_SCHEMA, ENTERPRISE]));
    expect(res.body.meta).toMatchObject({ resourceType: "User", location: res.headers.location, version: 'W/"1"' });
    expect(Date.parse(res.body.meta.created)).not.toBeNaN();
  });

  it("Create User again with the same userName (any case) is 409 uniqueness", async () => {
    const body = { ...(tutorial("Create User").request!.body as Record<string, unknown>) };
    body.userName = String(body.userName).toUpperCase();
    const res = await scim("POST", "/Users", body);
    expect(res.status).toBe(409);
    expect(res.body).toEqual({ schemas: [ERROR_SCHEMA], status: "409", scimType: "uniqueness", detail: expect.any(String) });
  });

  it("Example 2: provisions a user with null attributes and a misspelt extension URI", async () => {
    const res = await scim("POST", "/Users", tutorial("Example 2: provision a user").request!.body);
    expect(res.status).toBe(201);
    managerId = res.body.id;
    expect(res.body).not.toHaveProperty("addresses");
    expect(res.body.emails[0].value).toBe("jyoung@Contoso.com");
  });

  it("matches users by userName (case-insensitively), externalId and work email", async () => {
    const queries = [
      'userName eq "Test_User_00aa00aa-bb11-cc22-dd33-44ee44ee44ee"',
      'USERNAME eq "test_user_00aa00aa-bb11-cc22-dd33-44ee44ee44ee"',
      'externalId eq "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef"',
      'emails[type eq "work"].value eq "test_user_11bb11bb-cc22-dd33-ee44-55ff55ff55ff@testuser.com"',
    ];
    for (const filter of queries) {
      const res = await scim("GET", `/Users?filter=${encodeURIComponent(filter)}`);
      expect(res.status, filter).toBe(200);
      expect(res.body.totalResults, filter).toBe(1);
      expect(res.body.Resources[0].id, filter).toBe(userId);
    }
    const plus = await scim("GET", "/Users?filter=externalId+eq+%22jyoung%22");
    expect(plus.body.Resources.map((r: { id: string }) => r.id)).toEqual([managerId]);
  });

  it("accepts the aadOptscim062020 flag Entra appends to the Tenant URL", async () => {
    const res = await scim("GET", `/Users?aadOptscim062020&filter=${encodeURIComponent('externalId eq "jyoung"')}`);
    expect(res.status).toBe(200);
    expect(res.body.Resources.map((r: { id: string }) => r.id)).toEqual([managerId]);
    const patched = await scim("PATCH", `/Users/${managerId}?aadOptscim062020`, compat("Add a single-value string attribute").with);
    expect(patched.status).toBe(200);
    expect(patched.body.nickName).toBe("Babs");
  });

  it("Get User by query - Zero results", async () => {
    const res = await scim("GET", `/Users?filter=${encodeURIComponent('userName eq "non-existent user"')}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ totalResults: 0, Resources: [] });
  });

  it("Get User and Get User (not found)", async () => {
    const res = await scim("GET", `/Users/${userId}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: userId, userName: "Test_User_00aa00aa-bb11-cc22-dd33-44ee44ee44ee", active: true });
    const missing = await scim("GET", "/Users/5171a35d82074e068ce2");
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ schemas: [ERROR_SCHEMA], status: "404" });
    const missingUuid = await scim("GET", `/Users/${crypto.randomUUID()}`);
    expect(missingUuid.status).toBe(404);
  });

  it("Update User [Multi-valued properties] answers 200 with the changed resource", async () => {
    const res = await scim("PATCH", `/Users/${userId}`, tutorial("Update User [Multi-valued properties]").request!.body);
    expect(res.status).toBe(200);
    expect(res.body.emails).toEqual([{ primary: true, type: "work", value: "updatedEmail@microsoft.com" }]);
    expect(res.body.name.familyName).toBe("updatedFamilyName");
    expect(res.body.meta.version).toBe('W/"2"');
    const byEmail = await scim(
      "GET",
      `/Users?filter=${encodeURIComponent('emails[type eq "work"].value eq "UPDATEDEMAIL@microsoft.com"')}`,
    );
    expect(byEmail.body.totalResults).toBe(1);
  });

  it("Update User [Single-valued properties] renames userName", async () => {
    const res = await scim("PATCH", `/Users/${userId}`, tutorial("Update User [Single-valued properties]").request!.body);
    expect(res.status).toBe(200);
    expect(res.body.userName).toBe("5b50642d-79fc-4410-9e90-4c077cdd1a59@testuser.com");
    const found = await scim(
      "GET",
      `/Users?filter=${encodeURIComponent('userName eq "5b50642d-79fc-4410-9e90-4c077cdd1a59@testuser.com"')}`,
    );
    expect(found.body.totalResults).toBe(1);
  });

  it("compat: add a single-value attribute and replace multiple attributes, both flag forms", async () => {
    for (const form of ["without", "with"] as const) {
      const add = await scim("PATCH", `/Users/${userId}`, compat("Add a single-value string attribute")[form]);
      expect(add.status).toBe(200);
      expect(add.body.nickName).toBe("Babs");
    }
    const without = await scim("PATCH", `/Users/${userId}`, compat("Replace multiple attributes").without);
    expect(without.status).toBe(200);
    expect(without.body).toMatchObject({
      displayName: "Pvlo",
      externalId: "Eqpj",
      name: { givenName: "Gtfd", familyName: "Pkqf" },
      [ENTERPRISE]: { employeeNumber: "Eqpj" },
    });
    expect(without.body.emails[0].value).toBe("TestBcwqnm@test.microsoft.com");
    const withFlag = await scim("PATCH", `/Users/${userId}`, compat("Replace multiple attributes").with);
    expect(withFlag.status).toBe(200);
    expect(withFlag.body).toMatchObject({
      displayName: "Bjfe",
      name: { givenName: "Kkom", familyName: "Unua" },
      [ENTERPRISE]: { employeeNumber: "Aklq" },
    });
    expect(withFlag.body.emails[0].value).toBe("TestMhvaes@test.microsoft.com");
    const byExternal = await scim("GET", `/Users?filter=${encodeURIComponent('externalId eq "Eqpj"')}`);
    expect(byExternal.body.Resources[0].id).toBe(userId);
  });

  it("manager: add (plain id), change, remove with empty string and with Remove, and the Example 5 form", async () => {
    const path = `${ENTERPRISE}:manager`;
    const add = await scim("PATCH", `/Users/${userId}`, {
      schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
      Operations: [{ op: "Add", path, value: managerId }],
    });
    expect(add.status).toBe(200);
    expect(add.body[ENTERPRISE].manager.value).toBe(managerId);
    const change = await scim("PATCH", `/Users/${userId}`, {
      schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
      Operations: [{ op: "Replace", path, value: userId }],
    });
    expect(change.body[ENTERPRISE].manager.value).toBe(userId);
    const clear = await scim("PATCH", `/Users/${userId}`, {
      schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
      Operations: [{ op: "Replace", path, value: "" }],
    });
    expect(clear.status).toBe(200);
    expect(clear.body[ENTERPRISE]?.manager).toBeUndefined();
    const example5 = withIds(tutorial("Example 5: update a user (manager)").request!.body, {
      "00aa00aa-bb11-cc22-dd33-44ee44ee44ee": managerId,
    });
    const legacy = await scim("PATCH", `/Users/${userId}`, example5);
    expect(legacy.status).toBe(200);
    expect(legacy.body[ENTERPRISE].manager.value).toBe(managerId);
    const remove = await scim("PATCH", `/Users/${userId}`, {
      schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
      Operations: [{ op: "Remove", path }],
    });
    expect(remove.status).toBe(200);
    expect(remove.body[ENTERPRISE]?.manager).toBeUndefined();
    const events = await eventsOf(t, d.directoryId);
    const last = events.at(-1)!;
    expect(last.type).toBe("user.updated");
    expect(last.data).toMatchObject({ id: userId, manager: null });
  });

  it('disables with the string "False" and the boolean false; the user stays readable and filterable', async () => {
    const before = (await eventsOf(t, d.directoryId)).length;
    const off = await scim("PATCH", `/Users/${userId}`, compat("Disable user").without);
    expect(off.status).toBe(200);
    expect(off.body.active).toBe(false);
    const events = await eventsOf(t, d.directoryId);
    expect(events.length).toBe(before + 1);
    expect(events.at(-1)).toMatchObject({ type: "user.deactivated", data: { id: userId, active: false } });
    const on = await scim("PATCH", `/Users/${userId}`, {
      schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
      Operations: [{ op: "Replace", path: "active", value: "True" }],
    });
    expect(on.body.active).toBe(true);
    expect((await eventsOf(t, d.directoryId)).at(-1)).toMatchObject({ type: "user.reactivated" });
    const offBool = await scim("PATCH", `/Users/${userId}`, withIds(tutorial("Disable User").request!.body, {}));
    expect(offBool.body.active).toBe(false);
    const again = await scim("PATCH", `/Users/${userId}`, compat("Disable user").with);
    expect(again.status).toBe(200);
    // already inactive: no change, no event, same version
    expect(again.body.meta.version).toBe(offBool.body.meta.version);
    const get = await scim("GET", `/Users/${userId}`);
    expect(get.body.active).toBe(false);
    const inactive = await scim("GET", `/Users?filter=${encodeURIComponent("active eq false")}`);
    expect(inactive.body.Resources.map((r: { id: string }) => r.id)).toEqual([userId]);
  });

  it("Example 4: queries a user by id and manager with attributes=id", async () => {
    await scim("PATCH", `/Users/${userId}`, {
      schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
      Operations: [{ op: "Add", path: `${ENTERPRISE}:manager`, value: managerId }],
    });
    const filter = `id eq "${userId}" and ${ENTERPRISE}:manager.value eq "${managerId}"`;
    const res = await scim("GET", `/Users?filter=${encodeURIComponent(filter)}&attributes=id`);
    expect(res.status).toBe(200);
    expect(res.body.Resources).toEqual([{ schemas: expect.any(Array), id: userId }]);
  });

  it("Create Group with the ADSCIM schema URI, then find it by displayName without members", async () => {
    const res = await scim("POST", "/Groups", tutorial("Create Group").request!.body);
    expect(res.status).toBe(201);
    groupId = res.body.id;
    expect(res.body).toMatchObject({ displayName: "displayName", externalId: "8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159", members: [] });
    expect(res.body.schemas).toContain("http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group");
    const get = await scim("GET", `/Groups/${groupId}?excludedAttributes=members`);
    expect(get.status).toBe(200);
    expect(get.body).not.toHaveProperty("members");
    expect(get.body).toMatchObject({ id: groupId, displayName: "displayName" });
    const found = await scim("GET", `/Groups?excludedAttributes=members&filter=${encodeURIComponent('displayName eq "DISPLAYNAME"')}`);
    expect(found.body.totalResults).toBe(1);
    expect(found.body.Resources[0]).not.toHaveProperty("members");
    const dup = await scim("POST", "/Groups", tutorial("Create Group").request!.body);
    expect(dup.status).toBe(409);
    expect(dup.body.scimType).toBe("uniqueness");
  });

  it("Update Group: rename (204), add members (204), remove both ways (204)", async () => {
    const rename = await scim("PATCH", `/Groups/${groupId}`, tutorial("Update Group [Non-member attributes]").request!.body);
    expect(rename.status).toBe(204);
    expect(rename.raw).toBe("");
    const ids = { f648f8d5ea4e4cd38e9c: userId };
    const add = await scim("PATCH", `/Groups/${groupId}`, withIds(tutorial("Update Group [Add Members]").request!.body, ids));
    expect(add.status).toBe(204);
    await scim("PATCH", `/Groups/${groupId}`, {
      schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
      Operations: [{ op: "Add", path: "members", value: [{ value: managerId }] }],
    });
    let get = await scim("GET", `/Groups/${groupId}`);
    expect(get.body.displayName).toBe("1879db59-3bdf-4490-ad68-ab880a269474updatedDisplayName");
    expect(get.body.members.map((m: { value: string }) => m.value).sort()).toEqual([userId, managerId].sort());
    expect(get.body.members[0].$ref).toMatch(new RegExp(`/Users/${get.body.members[0].value}$`));
    const remove = await scim("PATCH", `/Groups/${groupId}`, withIds(tutorial("Update Group [Remove Members]").request!.body, ids));
    expect(remove.status).toBe(204);
    const removeByFilter = await scim(
      "PATCH",
      `/Groups/${groupId}`,
      withIds(compat("Remove a group member").with, { "7f4bc1a3-285e-48ae-8202-5accb43efb0e": managerId }),
    );
    expect(removeByFilter.status).toBe(204);
    get = await scim("GET", `/Groups/${groupId}`);
    expect(get.body.members).toEqual([]);
    const types = (await eventsOf(t, d.directoryId)).map((e) => e.type);
    expect(types.filter((x) => x === "group.user_added")).toHaveLength(2);
    expect(types.filter((x) => x === "group.user_removed")).toHaveLength(2);
    expect(types).toContain("group.updated");
  });

  it("Delete User and Delete Group answer 204; GET afterwards is 404", async () => {
    const delUser = await scim("DELETE", `/Users/${userId}`);
    expect(delUser.status).toBe(204);
    expect((await scim("GET", `/Users/${userId}`)).status).toBe(404);
    const delGroup = await scim("DELETE", `/Groups/${groupId}`);
    expect(delGroup.status).toBe(204);
    const gone = await scim("GET", `/Groups/${groupId}`);
    expect(gone.status).toBe(404);
    expect(gone.body.schemas).toEqual([ERROR_SCHEMA]);
    const types = (await eventsOf(t, d.directoryId)).map((e) => e.type);
    expect(types.slice(-2)).toEqual(["user.deleted", "group.deleted"]);
  });

  it("Discover schema: /Schemas lists core User, enterprise User and Group", async () => {
    const res = await scim("GET", "/Schemas");
    expect(res.status).toBe(200);
    expect(res.body.totalResults).toBe(3);
    expect(res.body.Resources.map((s: { id: string }) => s.id).sort()).toEqual(
      [ENTERPRISE, "urn:ietf:params:scim:schemas:core:2.0:Group", USER_SCHEMA].sort(),
    );
  });
});
