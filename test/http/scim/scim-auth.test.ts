import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createScimDirectory, ERROR_SCHEMA, type ScimDirectory, userBody } from "../../helpers/scim-fixtures.js";
import { buildTestApp, type TestApp } from "../../helpers/test-app.js";

// Every way a SCIM caller can fail authentication gets the same 401 (no hint which part was wrong);
// a disabled directory is 403 after authentication.

describe("SCIM bearer authentication", () => {
  let t: TestApp;
  let a: ScimDirectory;
  let b: ScimDirectory;
  beforeAll(async () => {
    t = await buildTestApp({ AUTH_FAILURE_LIMIT_PER_MINUTE: "10000" });
    a = await createScimDirectory(t, { name: "A" });
    b = await createScimDirectory(t, { name: "B" });
  });
  afterAll(async () => t.close());

  const expectUnauthorized = (res: { statusCode: number; headers: Record<string, unknown>; json(): unknown }) => {
    expect(res.statusCode).toBe(401);
    expect(res.headers["www-authenticate"]).toMatch(/^Bearer/);
    expect(res.headers["content-type"]).toContain("application/scim+json");
    expect(res.json()).toEqual({ schemas: [ERROR_SCHEMA], status: "401", detail: "invalid or missing bearer token" });
  };

  it("accepts the directory's own token", async () => {
    const res = await t.app.inject({ method: "GET", url: `${a.base}/Users`, headers: { authorization: a.headers.authorization } });
    expect(res.statusCode).toBe(200);
  });

  it("answers 401 without a token, with a malformed header, a wrong token, or a well-formed unknown token", async () => {
    const url = `${a.base}/Users`;
    for (const authorization of [
      undefined,
      "Basic dXNlcjpwYXNz",
      "Bearer",
      "Bearer not-a-token",
      `Bearer ${a.token}x`,
      "Bearer scim_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
    ]) {
      const res = await t.app.inject({ method: "GET", url, headers: authorization ? { authorization } : {} });
      expectUnauthorized(res);
    }
  });

  it("a token of directory B never opens directory A, for reads and writes", async () => {
    expectUnauthorized(await t.app.inject({ method: "GET", url: `${a.base}/Users`, headers: { authorization: b.headers.authorization } }));
    const write = await t.app.inject({ method: "POST", url: `${a.base}/Users`, headers: b.headers, payload: userBody("intruder@x.com") });
    expectUnauthorized(write);
    const count = await t.app.db.pool.query("SELECT count(*)::int AS n FROM scim_users");
    expect(count.rows[0].n).toBe(0);
  });

  it("answers 401 (not 400/404) for a directory id that is not a UUID or does not exist", async () => {
    expectUnauthorized(
      await t.app.inject({ method: "GET", url: "/scim/v2/not-a-uuid/Users", headers: { authorization: a.headers.authorization } }),
    );
    expectUnauthorized(
      await t.app.inject({
        method: "GET",
        url: `/scim/v2/${crypto.randomUUID()}/Users`,
        headers: { authorization: a.headers.authorization },
      }),
    );
  });

  it("authenticates before reading the body: an unauthenticated bad JSON body is still 401", async () => {
    const res = await t.app.inject({
      method: "POST",
      url: `${a.base}/Users`,
      headers: { "content-type": "application/scim+json" },
      payload: "{not json",
    });
    expectUnauthorized(res);
  });

  it("answers 401 for revoked and expired tokens", async () => {
    const c = await createScimDirectory(t, { name: "C" });
    await t.app.db.prisma.directoryToken.updateMany({ where: { directoryId: c.directoryId }, data: { revokedAt: new Date() } });
    t.app.secretTokens.evict({ directoryId: c.directoryId });
    expectUnauthorized(await t.app.inject({ method: "GET", url: `${c.base}/Users`, headers: { authorization: c.headers.authorization } }));
    const e = await createScimDirectory(t, { name: "E" });
    await t.app.db.prisma.directoryToken.updateMany({
      where: { directoryId: e.directoryId },
      data: { expiresAt: new Date(Date.now() - 1000) },
    });
    expectUnauthorized(await t.app.inject({ method: "GET", url: `${e.base}/Users`, headers: { authorization: e.headers.authorization } }));
  });

  it("answers 403 for a disabled directory's valid token", async () => {
    const off = await createScimDirectory(t, { disabled: true });
    const res = await t.app.inject({ method: "GET", url: `${off.base}/Users`, headers: { authorization: off.headers.authorization } });
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({ schemas: [ERROR_SCHEMA], status: "403" });
  });

  it("protects every SCIM endpoint, discovery included", async () => {
    for (const path of ["/Users/x", "/Groups", "/ServiceProviderConfig", "/ResourceTypes", "/Schemas", "/Users/.search", "/Bulk"]) {
      const method = path.endsWith(".search") || path === "/Bulk" ? "POST" : "GET";
      expectUnauthorized(await t.app.inject({ method, url: `${a.base}${path}` }));
    }
  });

  it("never writes the token to the logs", async () => {
    expect(t.logText()).not.toContain(a.token);
    expect(t.logText()).not.toContain(b.token);
  });
});
