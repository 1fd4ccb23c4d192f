import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createScimDirectory,
  ENTERPRISE,
  ERROR_SCHEMA,
  eventsOf,
  GROUP_SCHEMA,
  PATCH_OP,
  scimClient,
  type ScimDirectory,
  USER_SCHEMA,
  userBody,
} from "../../helpers/scim-fixtures.js";
import { buildTestApp, type TestApp } from "../../helpers/test-app.js";

const BULK = "urn:ietf:params:scim:api:messages:2.0:BulkRequest";

describe("SCIM Bulk and discovery", () => {
  let t: TestApp;
  let d: ScimDirectory;
  let scim: ReturnType<typeof scimClient>;
  beforeAll(async () => {
    t = await buildTestApp({ SCIM_BULK_MAX_OPERATIONS: "20", SCIM_BULK_MAX_PAYLOAD_BYTES: "65536", SCIM_MAX_RESULTS: "200" });
    d = await createScimDirectory(t);
    scim = scimClient(t, d);
  });
  afterAll(async () => t.close());

  it("Bulk: creates users and a group referencing them by bulkId, in any order", async () => {
    const res = await scim("POST", "/Bulk", {
      schemas: [BULK],
      Operations: [
        // the group comes first and refers to users created later in the request
        {
          method: "POST",
          path: "/Groups",
          bulkId: "g",
          data: { schemas: [GROUP_SCHEMA], displayName: "Bulk group", members: [{ value: "bulkId:u1" }, { value: "bulkId:u2" }] },
        },
        { method: "POST", path: "/Users", bulkId: "u1", data: userBody("bulk1@example.com") },
        {
          method: "POST",
          path: "/Users",
          bulkId: "u2",
          data: userBody("bulk2@example.com", { [ENTERPRISE]: { manager: { value: "bulkId:u1" } }, schemas: [USER_SCHEMA, ENTERPRISE] }),
        },
        {
          method: "PATCH",
          path: "/Users/bulkId:u2",
          data: { schemas: [PATCH_OP], Operations: [{ op: "replace", path: "title", value: "Engineer" }] },
        },
      ],
    });
    expect(res.status).toBe(200);
    expect(res.body.schemas).toEqual(["urn:ietf:params:scim:api:messages:2.0:BulkResponse"]);
    const ops = res.body.Operations as { method: string; bulkId?: string; status: string; location?: string; version?: string }[];
    expect(ops.map((o) => [o.method, o.bulkId, o.status])).toEqual([
      ["POST", "g", "201"],
      ["POST", "u1", "201"],
      ["POST", "u2", "201"],
      ["PATCH", undefined, "200"],
    ]);
    const u1 = ops[1]!.location!.split("/").pop();
    const u2 = ops[2]!.location!.split("/").pop();
    expect(ops[0]!.location).toMatch(/\/Groups\/[0-9a-f-]{36}$/);
    const group = await scim("GET", `/Groups/${ops[0]!.location!.split("/").pop()}`);
    expect(group.body.members.map((m: { value: string }) => m.value).sort()).toEqual([u1, u2].sort());
    const user2 = await scim("GET", `/Users/${u2}`);
    expect(user2.body[ENTERPRISE].manager.value).toBe(u1);
    expect(user2.body.title).toBe("Engineer");
    expect(ops[3]!.version).toBe(user2.body.meta.version);
  });

  it("Bulk: reports per-operation errors and stops after failOnErrors", async () => {
    const before = (await eventsOf(t, d.directoryId)).length;
    const res = await scim("POST", "/Bulk", {
      schemas: [BULK],
      failOnErrors: 2,
      Operations: [
        { method: "POST", path: "/Users", bulkId: "dup", data: userBody("bulk1@example.com") },
        { method: "DELETE", path: `/Users/${crypto.randomUUID()}` },
        { method: "POST", path: "/Users", bulkId: "never", data: userBody("never@example.com") },
      ],
    });
    expect(res.status).toBe(200);
    expect(res.body.Operations).toEqual([
      {
        method: "POST",
        bulkId: "dup",
        status: "409",
        response: { schemas: [ERROR_SCHEMA], status: "409", scimType: "uniqueness", detail: expect.any(String) },
      },
      { method: "DELETE", status: "404", response: expect.objectContaining({ status: "404" }) },
    ]);
    expect((await scim("GET", `/Users?filter=${encodeURIComponent('userName eq "never@example.com"')}`)).body.totalResults).toBe(0);
    expect((await eventsOf(t, d.directoryId)).length).toBe(before);
  });

  it("Bulk: unresolvable bulkId references and bad operations fail alone", async () => {
    const res = await scim("POST", "/Bulk", {
      schemas: [BULK],
      Operations: [
        {
          method: "POST",
          path: "/Groups",
          bulkId: "g2",
          data: { schemas: [GROUP_SCHEMA], displayName: "Orphans", members: [{ value: "bulkId:missing" }] },
        },
        { method: "GET", path: "/Users" },
        { method: "POST", path: "/Printers", bulkId: "p", data: {} },
        { method: "POST", path: "/Users", bulkId: "ok", data: userBody("fine@example.com") },
      ],
    });
    const statuses = res.body.Operations.map((o: { status: string }) => o.status);
    expect(statuses).toEqual(["409", "400", "400", "201"]);
    expect(res.body.Operations[1].response.scimType).toBe("invalidSyntax");
  });

  it("Bulk: PUT, PATCH with a stale version, and DELETE", async () => {
    const created = await scim("POST", "/Users", userBody("bulkput@example.com"));
    const id = created.body.id;
    const res = await scim("POST", "/Bulk", {
      schemas: [BULK],
      Operations: [
        {
          method: "PUT",
          path: `/Users/${id}`,
          version: created.body.meta.version,
          data: userBody("bulkput@example.com", { title: "Replaced" }),
        },
        {
          method: "PATCH",
          path: `/Users/${id}`,
          version: created.body.meta.version,
          data: { schemas: [PATCH_OP], Operations: [{ op: "replace", path: "title", value: "Stale" }] },
        },
        { method: "DELETE", path: `/Users/${id}` },
      ],
    });
    expect(res.body.Operations.map((o: { method: string; status: string }) => [o.method, o.status])).toEqual([
      ["PUT", "200"],
      ["PATCH", "412"],
      ["DELETE", "204"],
    ]);
    expect((await scim("GET", `/Users/${id}`)).status).toBe(404);
    const types = (await eventsOf(t, d.directoryId)).slice(-3).map((e) => e.type);
    expect(types).toEqual(["user.created", "user.updated", "user.deleted"]);
  });

  it("Bulk: envelope errors are 400 invalidSyntax", async () => {
    const wrong = await scim("POST", "/Bulk", { schemas: ["urn:wrong"], Operations: [] });
    expect(wrong.status).toBe(400);
    expect(wrong.body.scimType).toBe("invalidSyntax");
    const noOps = await scim("POST", "/Bulk", { schemas: [BULK] });
    expect(noOps.body.scimType).toBe("invalidSyntax");
  });

  it("ServiceProviderConfig advertises exactly what is supported, with the configured limits", async () => {
    const res = await scim("GET", "/ServiceProviderConfig");
    expect(res.status).toBe(200);
    expect(res.headers["content-type"]).toContain("application/scim+json");
    expect(res.body).toMatchObject({
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
      patch: { supported: true },
      bulk: { supported: true, maxOperations: 20, maxPayloadSize: 65536 },
      filter: { supported: true, maxResults: 200 },
      changePassword: { supported: false },
      sort: { supported: true },
      etag: { supported: true },
      authenticationSchemes: [expect.objectContaining({ type: "oauthbearertoken", primary: true })],
    });
  });

  it("ResourceTypes lists User (with the enterprise extension) and Group", async () => {
    const res = await scim("GET", "/ResourceTypes");
    expect(res.body.totalResults).toBe(2);
    const user = res.body.Resources.find((r: { id: string }) => r.id === "User");
    expect(user).toMatchObject({ endpoint: "/Users", schema: USER_SCHEMA, schemaExtensions: [{ schema: ENTERPRISE, required: false }] });
    const group = await scim("GET", "/ResourceTypes/group");
    expect(group.body).toMatchObject({ id: "Group", endpoint: "/Groups", schema: GROUP_SCHEMA });
  });

  it("Schemas are RFC 7643 §7 documents with attribute metadata", async () => {
    const res = await scim("GET", `/Schemas/${USER_SCHEMA}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:Schema"],
      id: USER_SCHEMA,
      name: "User",
      meta: { resourceType: "Schema" },
    });
    const userName = res.body.attributes.find((a: { name: string }) => a.name === "userName");
    expect(userName).toMatchObject({
      type: "string",
      required: true,
      caseExact: false,
      uniqueness: "server",
      mutability: "readWrite",
      returned: "default",
    });
    const emails = res.body.attributes.find((a: { name: string }) => a.name === "emails");
    expect(emails.multiValued).toBe(true);
    expect(emails.subAttributes.map((s: { name: string }) => s.name)).toEqual(["value", "display", "type", "primary"]);
    const group = await scim("GET", `/Schemas/${GROUP_SCHEMA}`);
    expect(group.body.attributes.map((a: { name: string }) => a.name)).toEqual(["displayName", "members"]);
    const enterprise = await scim("GET", `/Schemas/${ENTERPRISE}`);
    expect(enterprise.body.attributes.find((a: { name: string }) => a.name === "manager").subAttributes).toHaveLength(3);
  });

  it("the SCIM routes are in the OpenAPI document with the scim tag and bearer security", async () => {
    const doc = (await t.app.inject({ method: "GET", url: "/openapi.json" })).json();
    const paths = Object.keys(doc.paths).filter((p) => p.startsWith("/scim/v2/"));
    for (const p of [
      "/Users",
      "/Users/{id}",
      "/Users/.search",
      "/Groups",
      "/Groups/{id}",
      "/Groups/.search",
      "/Bulk",
      "/ServiceProviderConfig",
      "/ResourceTypes",
      "/ResourceTypes/{name}",
      "/Schemas",
      "/Schemas/{urn}",
    ]) {
      expect(paths).toContain(`/scim/v2/{directoryId}${p}`);
    }
    const create = doc.paths["/scim/v2/{directoryId}/Users"].post;
    expect(create.tags).toEqual(["scim"]);
    expect(create.security).toEqual([{ scimToken: [] }]);
  });
});
