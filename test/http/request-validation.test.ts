import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createScimDirectory, scimClient, userBody } from "../helpers/scim-fixtures.js";
import { adminAuth, buildTestApp, type TestApp } from "../helpers/test-app.js";

// Admin API JSON bodies are validated as sent: null stays null (and clears what it stands for), a wrong type
// is a 400 instead of being coerced (null to "" or false, "" to null). Query strings and path parameters
// are text and still coerced, and SCIM bodies keep their lenient coercion.

describe("request validation: admin API bodies are not type-coerced", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp();
  });
  afterAll(async () => t.close());

  const admin = (method: "GET" | "POST" | "PUT" | "PATCH", url: string, payload?: unknown) =>
    t.app.inject({ method, url: `/api/v1${url}`, headers: adminAuth, ...(payload === undefined ? {} : { payload: payload as object }) });

  function expectRefused(res: Awaited<ReturnType<typeof admin>>, detail: string) {
    expect(res.statusCode).toBe(400);
    expect(res.headers["content-type"]).toContain("application/problem+json");
    expect(res.json().code).toBe("validation_failed");
    expect(res.json().detail).toContain(detail);
  }

  it('directories: null tenant, product and webhook are stored and shown as null; "" and a null flag are refused', async () => {
    const created = await admin("POST", "/directories", {
      name: "Nulls",
      tenant: null,
      product: null,
      webhook: { url: "https://app.example.com/hooks" },
    });
    expect(created.statusCode).toBe(201);
    const id = created.json().id;
    expect(created.json()).toMatchObject({ tenant: null, product: null, webhook: { url: "https://app.example.com/hooks" } });

    const cleared = await admin("PATCH", `/directories/${id}`, { webhook: null });
    expect(cleared.statusCode).toBe(200);
    expect((await admin("GET", `/directories/${id}`)).json()).toMatchObject({ tenant: null, product: null, webhook: null });

    // "" is not "no tenant": minLength 1 (it used to be coerced to null and accepted)
    expectRefused(await admin("POST", "/directories", { name: "Empty", tenant: "" }), "body/tenant must NOT have fewer than 1 characters");
    // null is not false: a disabled directory stays disabled (null used to be coerced to false, enabling it)
    expect((await admin("PATCH", `/directories/${id}`, { disabled: true })).statusCode).toBe(200);
    expectRefused(await admin("PATCH", `/directories/${id}`, { disabled: null }), "body/disabled must be boolean");
    expect((await admin("GET", `/directories/${id}`)).json()).toMatchObject({ disabled: true });
    expectRefused(await admin("PATCH", `/directories/${id}`, { name: null }), "body/name must be string");
    expectRefused(await admin("PATCH", `/directories/${id}`, { name: 42 }), "body/name must be string");

    // query strings are text: still coerced to their types
    const page = await admin("GET", "/directories?limit=1");
    expect(page.statusCode).toBe(200);
    expect(page.json().data).toHaveLength(1);
  });

  it('attribute mapping: null goes back to the provider default; "" is refused', async () => {
    expect((await admin("PUT", "/attributes/phone", { type: "string" })).statusCode).toBe(201);
    const id = (await admin("POST", "/directories", { name: "Mapped" })).json().id;
    const phone = async () =>
      (await admin("GET", `/directories/${id}/attribute-mappings`)).json().data.find((m: { attribute: string }) => m.attribute === "phone");
    const providerDefault = await phone();
    expect(providerDefault.source).toBe("provider_default");

    expect((await admin("PUT", `/directories/${id}/attribute-mappings/phone`, { scimPath: "title" })).statusCode).toBe(200);
    expect(await phone()).toMatchObject({ scimPath: "title", source: "directory" });
    expectRefused(
      await admin("PUT", `/directories/${id}/attribute-mappings/phone`, { scimPath: "" }),
      "body/scimPath must NOT have fewer than 1 characters",
    );
    expect(await phone()).toMatchObject({ scimPath: "title", source: "directory" });
    expect((await admin("PUT", `/directories/${id}/attribute-mappings/phone`, { scimPath: null })).statusCode).toBe(200);
    expect(await phone()).toEqual(providerDefault);

    expectRefused(await admin("PUT", "/attributes/flag", { type: "boolean", required: null }), "body/required must be boolean");
  });

  it("roles: a null description and a null default role clear them; a null priority is refused", async () => {
    expect((await admin("PUT", "/roles/editor", { description: "Edits" })).statusCode).toBe(201);
    expect((await admin("PUT", "/roles/editor", { description: null })).json()).toMatchObject({ description: null });
    expect((await admin("GET", "/roles")).json().data).toMatchObject([{ name: "editor", description: null }]);

    const id = (await admin("POST", "/directories", { name: "Roles" })).json().id;
    expect((await admin("PUT", `/directories/${id}/role-mapping`, { defaultRole: "editor", rules: [] })).statusCode).toBe(200);
    expect((await admin("PUT", `/directories/${id}/role-mapping`, { defaultRole: null, rules: [] })).statusCode).toBe(200);
    expect((await admin("GET", `/directories/${id}/role-mapping`)).json()).toEqual({ defaultRole: null, rules: [] });
    expectRefused(
      await admin("PUT", `/directories/${id}/role-mapping`, {
        defaultRole: null,
        rules: [{ match: { displayName: "Editors" }, role: "editor", priority: null }],
      }),
      "body/rules/0/priority must be integer",
    );
  });

  it("SCIM bodies keep their coercion: a SearchRequest count sent as a string still pages", async () => {
    const d = await createScimDirectory(t);
    const scim = scimClient(t, d);
    for (const name of ["a@coerce.example", "b@coerce.example"]) expect((await scim("POST", "/Users", userBody(name))).status).toBe(201);
    const search = await scim("POST", "/Users/.search", { filter: 'userName co "coerce"', count: "1" });
    expect(search.status).toBe(200);
    expect(search.body).toMatchObject({ totalResults: 2, itemsPerPage: 1 });
  });
});
