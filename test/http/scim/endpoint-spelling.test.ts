import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createScimDirectory, GROUP_SCHEMA, type ScimDirectory, scimClient, userBody } from "../../helpers/scim-fixtures.js";
import { buildTestApp, type TestApp } from "../../helpers/test-app.js";

// Microsoft's SCIM reference tests (AzureAD/SCIMReferenceCode's Postman collection) send /users and
// /Users/?filter=…: the resource-type segment is case-insensitive and one trailing slash is ignored.

describe("SCIM endpoint spelling", () => {
  let t: TestApp;
  let d: ScimDirectory;
  let scim: ReturnType<typeof scimClient>;
  let userId: string;
  let groupId: string;
  beforeAll(async () => {
    t = await buildTestApp({ METRICS: "open" });
    d = await createScimDirectory(t);
    scim = scimClient(t, d);
    const user = await scim("POST", "/users", userBody("spelled@example.com"));
    expect(user.status).toBe(201);
    expect(user.headers.location).toBe(`${t.config.publicUrl}${d.base}/Users/${user.body.id}`);
    userId = user.body.id;
    const group = await scim("POST", "/GROUPS/", { schemas: [GROUP_SCHEMA], displayName: "Spelled" });
    expect(group.status).toBe(201);
    groupId = group.body.id;
  });
  afterAll(async () => t.close());

  it("answers the resource types in any case", async () => {
    const list = await scim("GET", "/users");
    expect(list.status).toBe(200);
    expect(list.body).toMatchObject({ totalResults: 1, Resources: [{ id: userId, userName: "spelled@example.com" }] });
    const byId = await scim("GET", `/USERS/${userId}`);
    expect(byId.status).toBe(200);
    expect(byId.body).toMatchObject({ id: userId, userName: "spelled@example.com" });
    const patched = await scim("PATCH", `/uSeRs/${userId}`, {
      schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
      Operations: [{ op: "replace", path: "displayName", value: "Renamed" }],
    });
    expect(patched.status).toBe(200);
    expect(patched.body.displayName).toBe("Renamed");
    const search = await scim("POST", "/users/.search", { filter: 'userName eq "spelled@example.com"' });
    expect(search.body.totalResults).toBe(1);
    expect((await scim("GET", "/serviceproviderconfig")).body.schemas).toEqual([
      "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig",
    ]);
    expect((await scim("GET", "/resourcetypes/User")).body).toMatchObject({ id: "User", endpoint: "/Users" });
    expect((await scim("GET", "/SCHEMAS")).body.totalResults).toBeGreaterThan(0);
    const bulk = await scim("POST", "/bulk", {
      schemas: ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],
      Operations: [{ method: "DELETE", path: `/Groups/${groupId}` }],
    });
    expect(bulk.status).toBe(200);
    expect(bulk.body.Operations).toEqual([expect.objectContaining({ method: "DELETE", status: "204" })]);
  });

  it("ignores a trailing slash, on collections and on resources", async () => {
    const filtered = await scim("GET", `/Users/?filter=${encodeURIComponent('userName eq "spelled@example.com"')}`);
    expect(filtered.status).toBe(200);
    expect(filtered.body).toMatchObject({ totalResults: 1, Resources: [{ id: userId }] });
    const none = await scim("GET", `/Users/?filter=${encodeURIComponent('userName eq "nobody@example.com"')}`);
    expect(none.body).toMatchObject({ totalResults: 0, Resources: [] });
    const byId = await scim("GET", `/Users/${userId}/`);
    expect(byId.status).toBe(200);
    expect(byId.body.id).toBe(userId);
    const groups = await scim("GET", "/Groups/");
    expect(groups.status).toBe(200);
    expect(groups.body).toMatchObject({ totalResults: 0, Resources: [] });
  });

  it("rewrites only the resource-type segment: ids keep their spelling, unknown endpoints still 404", async () => {
    const id = await scim("GET", "/Groups/users/");
    expect(id.status).toBe(404);
    expect(id.body.detail).toContain("users");
    expect(id.body.detail).not.toContain("Users");
    const upperDirectory = await t.app.inject({ method: "GET", url: `/scim/v2/${d.directoryId.toUpperCase()}/users`, headers: d.headers });
    expect(upperDirectory.statusCode).toBe(200);
    expect((await scim("GET", "/Userz")).status).toBe(404);
  });

  it("still refuses what RFC 7644 forbids: an unquoted filter literal is 400 invalidFilter", async () => {
    for (const path of ["/Users?filter=userName%20eq%20x", "/users/?filter=userName%20eq%20x"]) {
      const res = await scim("GET", path);
      expect(res.status).toBe(400);
      expect(res.body.scimType).toBe("invalidFilter");
    }
  });

  it("logs and counts the canonical route", async () => {
    await scim("GET", "/users/?count=1");
    await t.app.requestLog.flush();
    const logged = await t.app.db.pool.query("SELECT path FROM scim_requests WHERE directory_id = $1 AND query = 'count=1'", [
      d.directoryId,
    ]);
    expect(logged.rows).toEqual([{ path: "/Users" }]);
    const metrics = (await t.app.inject({ method: "GET", url: "/metrics" })).body;
    expect(metrics).toMatch(/route="\/scim\/v2\/:directoryId\/Users",status="200"/);
    expect(metrics).not.toMatch(/route="[^"]*\/users/);
  });
});
