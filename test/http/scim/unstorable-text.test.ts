import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createScimDirectory,
  ERROR_SCHEMA,
  GROUP_SCHEMA,
  PATCH_OP,
  patchBody,
  type ScimResponse,
  scimClient,
  userBody,
} from "../../helpers/scim-fixtures.js";
import { buildTestApp, type TestApp } from "../../helpers/test-app.js";

// Strings Postgres cannot store (a lone UTF-16 surrogate, a NUL) are the IdP's bad input: 400 invalidValue
// naming the attribute, nothing stored, and in /Bulk that operation's own status while the others go on.

const BULK = "urn:ietf:params:scim:api:messages:2.0:BulkRequest";
const LONE_HIGH = "\ud800";
const LONE_LOW = "x\udc00";

function expectInvalidValue(res: ScimResponse, attribute: string): void {
  expect(res.status, res.raw).toBe(400);
  expect(res.headers["content-type"]).toMatch(/^application\/scim\+json/);
  expect(res.body).toMatchObject({ schemas: [ERROR_SCHEMA], status: "400", scimType: "invalidValue" });
  expect(res.body.detail).toContain(`"${attribute}"`);
  expect(res.body.detail).toContain("cannot be stored");
}

describe("unstorable text in SCIM bodies", () => {
  let t: TestApp;
  let scim: ReturnType<typeof scimClient>;
  beforeAll(async () => {
    t = await buildTestApp();
    scim = scimClient(t, await createScimDirectory(t));
  });
  afterAll(async () => t.close());

  it("POST, PUT and PATCH /Users answer 400 invalidValue and store nothing", async () => {
    expectInvalidValue(await scim("POST", "/Users", userBody("s@a.com", { displayName: LONE_HIGH })), "displayName");
    expectInvalidValue(await scim("POST", "/Users", userBody("nul@a.com", { name: { givenName: "a\u0000b" } })), "name.givenName");
    expectInvalidValue(await scim("POST", "/Users", userBody("key@a.com", { [`urn:x${LONE_LOW}`]: "v" })), "urn:xx\ufffd");
    const listed = await scim("GET", "/Users?count=0");
    expect(listed.body.totalResults).toBe(0);

    const created = await scim("POST", "/Users", userBody("s@a.com", { displayName: "Sam 😀" }));
    expect(created.status).toBe(201);
    expect(created.body.displayName).toBe("Sam 😀");
    const id = created.body.id as string;
    expectInvalidValue(await scim("PUT", `/Users/${id}`, userBody("s@a.com", { displayName: LONE_HIGH })), "displayName");
    expectInvalidValue(
      await scim("PATCH", `/Users/${id}`, patchBody({ op: "replace", path: "displayName", value: LONE_LOW })),
      "Operations[0].value",
    );
    const after = await scim("GET", `/Users/${id}`);
    expect(after.body).toMatchObject({ displayName: "Sam 😀", meta: { version: created.body.meta.version } });
  });

  it("POST and PATCH /Groups answer 400 invalidValue and store nothing", async () => {
    expectInvalidValue(await scim("POST", "/Groups", { schemas: [GROUP_SCHEMA], displayName: LONE_HIGH }), "displayName");
    const group = await scim("POST", "/Groups", { schemas: [GROUP_SCHEMA], displayName: "Engineering" });
    expect(group.status).toBe(201);
    expectInvalidValue(
      await scim("PATCH", `/Groups/${group.body.id}`, {
        schemas: [PATCH_OP],
        Operations: [{ op: "replace", value: { displayName: `Eng${LONE_LOW}` } }],
      }),
      "Operations[0].value.displayName",
    );
    expect((await scim("GET", `/Groups/${group.body.id}`)).body.displayName).toBe("Engineering");
  });

  it("/Bulk answers a BulkResponse: the bad operation fails with 400, the ones before and after it run", async () => {
    const res = await scim("POST", "/Bulk", {
      schemas: [BULK],
      Operations: [
        { method: "POST", path: "/Users", bulkId: "b1", data: userBody("bulk1@a.com") },
        { method: "POST", path: "/Users", bulkId: "b2", data: userBody("bulk2@a.com", { displayName: LONE_HIGH }) },
        { method: "POST", path: "/Users", bulkId: "b3", data: userBody("bulk3@a.com") },
      ],
    });
    expect(res.status, res.raw).toBe(200);
    expect(res.body.Operations.map((o: { bulkId: string; status: string }) => [o.bulkId, o.status])).toEqual([
      ["b1", "201"],
      ["b2", "400"],
      ["b3", "201"],
    ]);
    expect(res.body.Operations[1].response).toMatchObject({ scimType: "invalidValue", status: "400" });
    const stored = await scim("GET", `/Users?filter=${encodeURIComponent('userName sw "bulk"')}`);
    expect(stored.body.Resources.map((u: { userName: string }) => u.userName).sort()).toEqual(["bulk1@a.com", "bulk3@a.com"]);
  });
});
