import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createScimDirectory } from "../../helpers/scim-fixtures.js";
import { adminAuth, buildTestApp, type TestApp } from "../../helpers/test-app.js";

// The roles admin API: declared roles (list, PUT, DELETE) and a directory's role mapping (GET, PUT), with
// a precise problem+json for each bad request.

describe("roles admin API", () => {
  let t: TestApp;
  let directoryId: string;
  beforeAll(async () => {
    t = await buildTestApp();
    directoryId = (await createScimDirectory(t)).directoryId;
  });
  afterAll(async () => t.close());

  const call = (method: "GET" | "PUT" | "DELETE", url: string, payload?: unknown, headers: Record<string, string> = adminAuth) =>
    t.app.inject({ method, url: `/api/v1${url}`, headers, ...(payload !== undefined ? { payload: payload as object } : {}) });

  function expectProblem(res: Awaited<ReturnType<typeof call>>, status: number, code: string, detail?: string) {
    expect(res.statusCode, res.body).toBe(status);
    expect(res.headers["content-type"]).toContain("application/problem+json");
    expect(res.json()).toMatchObject({ status, code, type: `https://scimbridge.dev/problems/${code}` });
    if (detail) expect(res.json().detail).toContain(detail);
  }

  it("declares roles (201), updates a description (200) and lists them by name", async () => {
    const created = await call("PUT", "/roles/owner", { description: "Everything" });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toEqual({
      name: "owner",
      description: "Everything",
      createdAt: expect.stringMatching(/Z$/),
      updatedAt: expect.stringMatching(/Z$/),
    });
    expect((await call("PUT", "/roles/member", {})).statusCode).toBe(201);
    const updated = await call("PUT", "/roles/owner", { description: null });
    expect(updated.statusCode).toBe(200);
    expect(updated.json()).toMatchObject({ name: "owner", description: null });
    const list = await call("GET", "/roles");
    expect(list.statusCode).toBe(200);
    expect(list.json().data.map((r: { name: string }) => r.name)).toEqual(["member", "owner"]);
  });

  it("GET of a directory without a mapping is the empty mapping; PUT stores and returns it in the order given", async () => {
    await call("PUT", "/roles/owner", {});
    await call("PUT", "/roles/member", {});
    expect((await call("GET", `/directories/${directoryId}/role-mapping`)).json()).toEqual({ defaultRole: null, rules: [] });
    const mapping = {
      defaultRole: "member",
      rules: [
        { match: { displayName: "Owners" }, role: "owner", priority: 10 },
        { match: { groupId: "3f2a1b0c-9d8e-4f7a-8b6c-5d4e3f2a1b0c" }, role: "member", priority: -5 },
      ],
    };
    const put = await call("PUT", `/directories/${directoryId}/role-mapping`, mapping);
    expect(put.statusCode).toBe(200);
    expect(put.json()).toEqual({ ...mapping, usersChanged: 0 });
    expect((await call("GET", `/directories/${directoryId}/role-mapping`)).json()).toEqual(mapping);
  });

  it("refuses to delete a role a mapping names (409), deletes it once unused (204), then 404", async () => {
    await call("PUT", "/roles/auditor", {});
    await call("PUT", `/directories/${directoryId}/role-mapping`, {
      defaultRole: null,
      rules: [{ match: { displayName: "Audit" }, role: "auditor", priority: 1 }],
    });
    expectProblem(await call("DELETE", "/roles/auditor"), 409, "role_in_use", directoryId);
    await call("PUT", `/directories/${directoryId}/role-mapping`, { defaultRole: "auditor", rules: [] });
    expectProblem(await call("DELETE", "/roles/auditor"), 409, "role_in_use");
    await call("PUT", `/directories/${directoryId}/role-mapping`, { defaultRole: null, rules: [] });
    expect((await call("DELETE", "/roles/auditor")).statusCode).toBe(204);
    expectProblem(await call("DELETE", "/roles/auditor"), 404, "role_not_found", '"auditor"');
    expect(t.logs.some((l) => JSON.stringify(l).includes("role_in_use"))).toBe(true);
  });

  it("answers problem+json for bad role names and bodies", async () => {
    expectProblem(await call("PUT", "/roles/-leading-dash", {}), 400, "validation_failed");
    expectProblem(await call("PUT", `/roles/${"a".repeat(65)}`, {}), 400, "validation_failed");
    expectProblem(await call("PUT", "/roles/ok", { description: "d".repeat(1001) }), 400, "validation_failed");
    expectProblem(await call("PUT", "/roles/ok", { title: "x" }), 400, "validation_failed");
    expectProblem(await call("DELETE", "/roles/has%20space"), 400, "validation_failed");
    expect((await call("GET", "/roles", undefined, {})).statusCode).toBe(401);
  });

  it("answers problem+json for bad role mappings, and leaves the stored mapping as it was", async () => {
    await call("PUT", "/roles/owner", {});
    const good = { defaultRole: "owner", rules: [{ match: { displayName: "Owners" }, role: "owner", priority: 1 }] };
    expect((await call("PUT", `/directories/${directoryId}/role-mapping`, good)).statusCode).toBe(200);
    const put = (body: unknown) => call("PUT", `/directories/${directoryId}/role-mapping`, body);
    const rule = (extra: Record<string, unknown>) => ({ match: { displayName: "X" }, role: "owner", priority: 1, ...extra });

    expectProblem(await put({ defaultRole: "ghost", rules: [] }), 400, "invalid_role_mapping", 'unknown role "ghost"');
    expectProblem(await put({ defaultRole: null, rules: [rule({ role: "ghost" })] }), 400, "invalid_role_mapping", '"ghost"');
    expectProblem(
      await put({ defaultRole: null, rules: [rule({}), rule({ match: { displayName: "x" }, priority: 2 })] }),
      400,
      "invalid_role_mapping",
      "rules[1] matches the same group as rules[0]",
    );
    expectProblem(await put({ defaultRole: null, rules: [rule({ match: { displayName: "  " } })] }), 400, "invalid_role_mapping", "blank");
    expectProblem(await put({ defaultRole: null, rules: [rule({ match: { groupId: "not-a-uuid" } })] }), 400, "validation_failed");
    expectProblem(
      await put({ defaultRole: null, rules: [rule({ match: { groupId: "3f2a1b0c-9d8e-4f7a-8b6c-5d4e3f2a1b0c", displayName: "X" } })] }),
      400,
      "validation_failed",
    );
    expectProblem(await put({ defaultRole: null, rules: [rule({ match: {} })] }), 400, "validation_failed");
    expectProblem(await put({ defaultRole: null, rules: [rule({ priority: 1.5 })] }), 400, "validation_failed");
    expectProblem(await put({ defaultRole: null, rules: [rule({ priority: 10_000_000 })] }), 400, "validation_failed");
    expectProblem(await put({ rules: [] }), 400, "validation_failed");
    expectProblem(await put({ defaultRole: null, rules: [], extra: 1 }), 400, "validation_failed");

    expect((await call("GET", `/directories/${directoryId}/role-mapping`)).json()).toEqual(good);

    const unknown = "00000000-0000-4000-8000-000000000000";
    expectProblem(await call("GET", `/directories/${unknown}/role-mapping`), 404, "directory_not_found");
    expectProblem(await call("PUT", `/directories/${unknown}/role-mapping`, { defaultRole: null, rules: [] }), 404, "directory_not_found");
    expectProblem(await call("GET", "/directories/nope/role-mapping"), 400, "validation_failed");
  });

  it("is in the OpenAPI document under the roles tag, with roles on AppUser and user.roles_changed among event types", async () => {
    const doc = (await t.app.inject({ method: "GET", url: "/openapi.json" })).json();
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(["/api/v1/roles", "/api/v1/roles/{name}", "/api/v1/directories/{id}/role-mapping"]),
    );
    expect(doc.paths["/api/v1/directories/{id}/role-mapping"].put.tags).toEqual(["roles"]);
    expect(doc.components.schemas.AppUser.properties.roles).toMatchObject({ type: "array" });
    expect(doc.components.schemas.Event.properties.type.enum).toContain("user.roles_changed");
    expect(doc.components.schemas.Event.properties.previousAttributes).toBeDefined();
  });
});
