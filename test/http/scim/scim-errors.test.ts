import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createScimDirectory,
  ERROR_SCHEMA,
  eventsOf,
  GROUP_SCHEMA,
  patchBody,
  scimClient,
  type ScimDirectory,
  USER_SCHEMA,
  userBody,
} from "../../helpers/scim-fixtures.js";
import { buildTestApp, type TestApp } from "../../helpers/test-app.js";

// Every client mistake gets its RFC 7644 §3.12 status and scimType, and writes nothing (no row, no event).

describe("SCIM error paths", () => {
  let t: TestApp;
  let d: ScimDirectory;
  let scim: ReturnType<typeof scimClient>;
  let userId: string;
  let groupId: string;
  const eventCount = async () => (await eventsOf(t, d.directoryId)).length;
  const expectError = (
    res: { status: number; body: Record<string, unknown>; headers: Record<string, unknown> },
    status: number,
    scimType?: string,
  ) => {
    expect(res.status).toBe(status);
    expect(res.headers["content-type"]).toContain("application/scim+json");
    expect(res.body).toMatchObject({ schemas: [ERROR_SCHEMA], status: String(status), detail: expect.any(String) });
    if (scimType) expect(res.body.scimType).toBe(scimType);
    else expect(res.body).not.toHaveProperty("scimType");
  };

  beforeAll(async () => {
    t = await buildTestApp({ SCIM_MAX_BODY_BYTES: "4096", SCIM_BULK_MAX_PAYLOAD_BYTES: "4096", SCIM_BULK_MAX_OPERATIONS: "3" });
    d = await createScimDirectory(t);
    scim = scimClient(t, d);
    userId = (await scim("POST", "/Users", userBody("taken@example.com"))).body.id;
    groupId = (await scim("POST", "/Groups", { schemas: [GROUP_SCHEMA], displayName: "Taken" })).body.id;
  });
  afterAll(async () => t.close());

  it("bad JSON is 400 invalidSyntax", async () => {
    const before = await eventCount();
    expectError(await scim("POST", "/Users", '{"schemas": ['), 400, "invalidSyntax");
    expectError(await scim("PATCH", `/Users/${userId}`, "not json"), 400, "invalidSyntax");
    expectError(await scim("POST", "/Users", "[1,2]"), 400, "invalidSyntax");
    expect(await eventCount()).toBe(before);
  });

  it("missing or wrong schemas are 400 invalidSyntax", async () => {
    expectError(await scim("POST", "/Users", { userName: "a@x.com" }), 400, "invalidSyntax");
    expectError(await scim("POST", "/Users", { schemas: [GROUP_SCHEMA], userName: "a@x.com" }), 400, "invalidSyntax");
    expectError(await scim("POST", "/Groups", { schemas: [USER_SCHEMA], displayName: "G" }), 400, "invalidSyntax");
    expectError(await scim("PUT", `/Users/${userId}`, { schemas: "urn:x", userName: "a@x.com" }), 400, "invalidSyntax");
    expectError(await scim("PATCH", `/Users/${userId}`, { schemas: [USER_SCHEMA], Operations: [] }), 400, "invalidSyntax");
  });

  it("missing required attributes and wrongly typed values are 400 invalidValue", async () => {
    expectError(await scim("POST", "/Users", { schemas: [USER_SCHEMA] }), 400, "invalidValue");
    expectError(await scim("POST", "/Users", { schemas: [USER_SCHEMA], userName: "  " }), 400, "invalidValue");
    expectError(await scim("POST", "/Users", { schemas: [USER_SCHEMA], userName: "x@x.com", emails: "x@x.com" }), 400, "invalidValue");
    expectError(await scim("POST", "/Users", { schemas: [USER_SCHEMA], userName: "x@x.com", active: "maybe" }), 400, "invalidValue");
    expectError(await scim("POST", "/Groups", { schemas: [GROUP_SCHEMA] }), 400, "invalidValue");
    expectError(await scim("PUT", `/Users/${userId}`, { schemas: [USER_SCHEMA], name: { givenName: "No userName" } }), 400, "invalidValue");
    const count = await t.app.db.pool.query("SELECT count(*)::int AS n FROM scim_users WHERE directory_id = $1", [d.directoryId]);
    expect(count.rows[0].n).toBe(1);
  });

  it("bad filters are 400 invalidFilter; unknown attributes too", async () => {
    for (const filter of ["userName eq", 'userName xx "a"', '(userName eq "a"', 'nosuchattr eq "a"', 'emails[type eq "work"']) {
      expectError(await scim("GET", `/Users?filter=${encodeURIComponent(filter)}`), 400, "invalidFilter");
    }
    expectError(await scim("GET", `/Groups?filter=${encodeURIComponent("displayName eq")}`), 400, "invalidFilter");
    expectError(
      await scim("POST", "/Users/.search", { schemas: ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"], filter: "userName zz 1" }),
      400,
      "invalidFilter",
    );
  });

  it("unknown ids are 404 on every method, for malformed ids too", async () => {
    const unknown = crypto.randomUUID();
    for (const id of [unknown, "12345", "not-a-uuid"]) {
      expectError(await scim("GET", `/Users/${id}`), 404);
      expectError(await scim("GET", `/Groups/${id}`), 404);
      expectError(await scim("PUT", `/Users/${id}`, userBody("new@x.com")), 404);
      expectError(await scim("PATCH", `/Users/${id}`, patchBody({ op: "replace", path: "displayName", value: "x" })), 404);
      expectError(await scim("PATCH", `/Groups/${id}`, patchBody({ op: "replace", path: "displayName", value: "x" })), 404);
      expectError(await scim("DELETE", `/Users/${id}`), 404);
      expectError(await scim("DELETE", `/Groups/${id}`), 404);
    }
    expectError(await scim("GET", "/Schemas/urn:nope"), 404);
    expectError(await scim("GET", "/ResourceTypes/Printer"), 404);
  });

  it("a user or group of another directory is 404, never readable or writable", async () => {
    const other = await createScimDirectory(t, { name: "Other" });
    const otherScim = scimClient(t, other);
    expectError(await otherScim("GET", `/Users/${userId}`), 404);
    expectError(await otherScim("DELETE", `/Groups/${groupId}`), 404);
    expectError(await otherScim("PATCH", `/Users/${userId}`, patchBody({ op: "replace", path: "active", value: false })), 404);
    expect((await scim("GET", `/Users/${userId}`)).body.active).toBe(true);
    // and its users cannot be added as members here
    const foreign = (await otherScim("POST", "/Users", userBody("foreign@x.com"))).body.id;
    expectError(
      await scim("PATCH", `/Groups/${groupId}`, patchBody({ op: "add", path: "members", value: [{ value: foreign }] })),
      400,
      "invalidValue",
    );
  });

  it("duplicates are 409 uniqueness: userName and displayName, on create, PUT and PATCH", async () => {
    const before = await eventCount();
    expectError(await scim("POST", "/Users", userBody("TAKEN@example.com")), 409, "uniqueness");
    const other = (await scim("POST", "/Users", userBody("other@example.com"))).body.id;
    expectError(await scim("PUT", `/Users/${other}`, userBody("Taken@Example.com")), 409, "uniqueness");
    expectError(
      await scim("PATCH", `/Users/${other}`, patchBody({ op: "replace", path: "userName", value: "taken@example.com" })),
      409,
      "uniqueness",
    );
    expectError(await scim("POST", "/Groups", { schemas: [GROUP_SCHEMA], displayName: "TAKEN" }), 409, "uniqueness");
    const g2 = (await scim("POST", "/Groups", { schemas: [GROUP_SCHEMA], displayName: "Second" })).body.id;
    expectError(await scim("PATCH", `/Groups/${g2}`, patchBody({ op: "replace", path: "displayName", value: "taken" })), 409, "uniqueness");
    expectError(await scim("PUT", `/Groups/${g2}`, { schemas: [GROUP_SCHEMA], displayName: "taken" }), 409, "uniqueness");
    // only the two successful creates wrote events
    expect(await eventCount()).toBe(before + 2);
  });

  it("If-Match: a stale version is 412, the current one or * applies", async () => {
    const current = await scim("GET", `/Users/${userId}`);
    const etag = current.headers.etag as string;
    expect(etag).toBe(current.body.meta.version);
    const before = await eventCount();
    expectError(
      await scim("PATCH", `/Users/${userId}`, patchBody({ op: "replace", path: "title", value: "x" }), { "if-match": 'W/"999"' }),
      412,
    );
    expectError(await scim("PUT", `/Users/${userId}`, userBody("taken@example.com"), { "if-match": 'W/"999"' }), 412);
    expectError(await scim("DELETE", `/Users/${userId}`, undefined, { "if-match": 'W/"999"' }), 412);
    expectError(await scim("DELETE", `/Groups/${groupId}`, undefined, { "if-match": '"999"' }), 412);
    expect(await eventCount()).toBe(before);
    const ok = await scim("PATCH", `/Users/${userId}`, patchBody({ op: "replace", path: "title", value: "Boss" }), { "if-match": etag });
    expect(ok.status).toBe(200);
    expect(ok.headers.etag).not.toBe(etag);
    const star = await scim("PATCH", `/Users/${userId}`, patchBody({ op: "replace", path: "title", value: "Chief" }), { "if-match": "*" });
    expect(star.status).toBe(200);
  });

  it("bodies over the limit are 413", async () => {
    const big = userBody("big@x.com", { displayName: "x".repeat(5000) });
    expectError(await scim("POST", "/Users", big), 413);
    const bulk = {
      schemas: ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],
      Operations: [{ method: "POST", bulkId: "a", path: "/Users", data: big }],
    };
    expectError(await scim("POST", "/Bulk", bulk), 413);
    const tooMany = {
      schemas: ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],
      Operations: [1, 2, 3, 4].map((i) => ({ method: "DELETE", path: `/Users/${i}` })),
    };
    expectError(await scim("POST", "/Bulk", tooMany), 413);
  });

  it("PATCH mistakes: unknown path 400 invalidPath, read-only 400 mutability, bad op 400", async () => {
    const before = await eventCount();
    expectError(
      await scim("PATCH", `/Users/${userId}`, patchBody({ op: "replace", path: "noSuchAttribute", value: "x" })),
      400,
      "invalidPath",
    );
    expectError(await scim("PATCH", `/Users/${userId}`, patchBody({ op: "replace", path: "id", value: "x" })), 400, "mutability");
    const bad = await scim("PATCH", `/Users/${userId}`, patchBody({ op: "explode", path: "title", value: "x" }));
    expect(bad.status).toBe(400);
    // all or nothing: a valid first operation is not applied when the second fails
    const partial = await scim(
      "PATCH",
      `/Users/${userId}`,
      patchBody({ op: "replace", path: "title", value: "Half" }, { op: "replace", path: "nope", value: 1 }),
    );
    expect(partial.status).toBe(400);
    expect((await scim("GET", `/Users/${userId}`)).body.title).not.toBe("Half");
    expect(await eventCount()).toBe(before);
  });

  it("members referencing unknown users are 400 invalidValue and nothing is written", async () => {
    const u = (await scim("POST", "/Users", userBody("member@x.com"))).body.id;
    const before = await eventCount();
    const res = await scim(
      "PATCH",
      `/Groups/${groupId}`,
      patchBody({ op: "add", path: "members", value: [{ value: u }, { value: crypto.randomUUID() }] }),
    );
    expectError(res, 400, "invalidValue");
    expectError(
      await scim("PATCH", `/Groups/${groupId}`, patchBody({ op: "add", path: "members", value: [{ value: "garbage" }] })),
      400,
      "invalidValue",
    );
    expectError(
      await scim("POST", "/Groups", { schemas: [GROUP_SCHEMA], displayName: "WithGhost", members: [{ value: crypto.randomUUID() }] }),
      400,
      "invalidValue",
    );
    expect((await scim("GET", `/Groups/${groupId}`)).body.members).toEqual([]);
    expect((await scim("GET", `/Groups?filter=${encodeURIComponent('displayName eq "WithGhost"')}`)).body.totalResults).toBe(0);
    expect(await eventCount()).toBe(before);
  });

  it("indexed values over 2048 bytes are 400 invalidValue, not a database error, and nothing is written", async () => {
    // 1000 CJK characters: 3000 bytes of UTF-8 that do not compress, too big for a btree index row
    const long = Array.from({ length: 1000 }, (_, i) => String.fromCodePoint(0x4e00 + ((i * 7919) % 20000))).join("");
    const before = await eventCount();
    const tooLong = async (res: Promise<Parameters<typeof expectError>[0]>, attribute: string) => {
      const r = await res;
      expectError(r, 400, "invalidValue");
      expect(r.body.detail).toBe(`"${attribute}" is longer than 2048 bytes`);
    };
    await tooLong(scim("POST", "/Users", userBody(long, { emails: [] })), "userName");
    await tooLong(scim("POST", "/Users", userBody("long-ext@x.com", { externalId: long })), "externalId");
    await tooLong(scim("POST", "/Users", userBody("long-mail@x.com", { emails: [{ value: long, primary: true }] })), "emails.value");
    await tooLong(scim("PATCH", `/Users/${userId}`, patchBody({ op: "replace", path: "userName", value: long })), "userName");
    await tooLong(scim("POST", "/Groups", { schemas: [GROUP_SCHEMA], displayName: long }), "displayName");
    await tooLong(scim("PATCH", `/Groups/${groupId}`, patchBody({ op: "replace", path: "externalId", value: long })), "externalId");
    expect(await eventCount()).toBe(before);
  });

  it("bad query parameters are 400, not 500", async () => {
    expectError(await scim("GET", "/Users?count=abc"), 400, "invalidValue");
    expectError(await scim("GET", "/Users?sortBy=nosuch"), 400, "invalidValue");
    expectError(await scim("GET", "/Users?sortOrder=sideways"), 400, "invalidValue");
  });

  it("an unsupported content type is 415", async () => {
    const res = await t.app.inject({
      method: "POST",
      url: `${d.base}/Users`,
      headers: { authorization: d.headers.authorization, "content-type": "application/xml" },
      payload: "<user/>",
    });
    expect(res.statusCode).toBe(415);
    expect(res.json()).toMatchObject({ schemas: [ERROR_SCHEMA], status: "415" });
  });
});
