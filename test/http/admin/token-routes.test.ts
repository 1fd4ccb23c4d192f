import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminAuth, buildTestApp, type TestApp } from "../../helpers/test-app.js";

describe("admin API: secret tokens", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp({ MAX_TOKENS_PER_DIRECTORY: "3" });
  });
  afterAll(async () => t.close());

  async function createDirectory(name = "Tokens") {
    const res = await t.app.inject({ method: "POST", url: "/api/v1/directories", headers: adminAuth, payload: { name } });
    expect(res.statusCode).toBe(201);
    return res.json() as { id: string; scim: { tenantUrl: string; secretToken: string } };
  }

  function scimGet(directoryId: string, token: string) {
    return t.app.inject({ method: "GET", url: `/scim/v2/${directoryId}/Users`, headers: { authorization: `Bearer ${token}` } });
  }

  it("rotation end to end: old and new both work, then the revoked one gets 401 at once", async () => {
    const dir = await createDirectory();
    const tokenA = dir.scim.secretToken;
    expect((await scimGet(dir.id, tokenA)).statusCode).toBe(200);

    const issued = await t.app.inject({ method: "POST", url: `/api/v1/directories/${dir.id}/tokens`, headers: adminAuth });
    expect(issued.statusCode).toBe(201);
    const b = issued.json();
    expect(b).toMatchObject({ id: expect.any(String), expiresAt: null });
    expect(b.secretToken).toMatch(/^scim_[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(b.secretToken.slice(5), "base64url").length).toBeGreaterThanOrEqual(32);
    const tokenB: string = b.secretToken;

    expect((await scimGet(dir.id, tokenA)).statusCode).toBe(200);
    expect((await scimGet(dir.id, tokenB)).statusCode).toBe(200);

    const list = await t.app.inject({ method: "GET", url: `/api/v1/directories/${dir.id}/tokens`, headers: adminAuth });
    expect(list.statusCode).toBe(200);
    const tokens = list.json().data as { id: string; prefix: string; lastUsedAt: string | null; revokedAt: string | null }[];
    expect(tokens).toHaveLength(2);
    expect(Object.keys(tokens[0]!).sort()).toEqual(["createdAt", "expiresAt", "id", "lastUsedAt", "prefix", "revokedAt"]);
    expect(tokens[0]!.prefix).toBe(tokenA.slice(0, 11));
    expect(list.body).not.toContain(tokenA);
    expect(list.body).not.toContain(tokenB);
    const idA = tokens.find((x) => tokenA.startsWith(x.prefix))!.id;

    // the SCIM request above warmed the verifier's cache: revocation must still apply immediately
    const revoked = await t.app.inject({ method: "DELETE", url: `/api/v1/directories/${dir.id}/tokens/${idA}`, headers: adminAuth });
    expect(revoked.statusCode).toBe(204);
    const rejected = await scimGet(dir.id, tokenA);
    expect(rejected.statusCode).toBe(401);
    expect(rejected.json()).toMatchObject({ status: "401" });
    expect((await scimGet(dir.id, tokenB)).statusCode).toBe(200);

    const after = (await t.app.inject({ method: "GET", url: `/api/v1/directories/${dir.id}/tokens`, headers: adminAuth })).json().data;
    expect(after.find((x: { id: string }) => x.id === idA).revokedAt).toEqual(expect.any(String));
    expect(after.find((x: { id: string }) => x.id === b.id).lastUsedAt).toEqual(expect.any(String));

    // revoking twice is fine
    const again = await t.app.inject({ method: "DELETE", url: `/api/v1/directories/${dir.id}/tokens/${idA}`, headers: adminAuth });
    expect(again.statusCode).toBe(204);
    expect(t.logText()).not.toContain(tokenA);
    expect(t.logText()).not.toContain(tokenB);
  });

  it("disabling or deleting a directory takes effect on SCIM at once", async () => {
    const dir = await createDirectory("Disable me");
    expect((await scimGet(dir.id, dir.scim.secretToken)).statusCode).toBe(200);
    await t.app.inject({ method: "PATCH", url: `/api/v1/directories/${dir.id}`, headers: adminAuth, payload: { disabled: true } });
    expect((await scimGet(dir.id, dir.scim.secretToken)).statusCode).toBe(403);
    await t.app.inject({ method: "PATCH", url: `/api/v1/directories/${dir.id}`, headers: adminAuth, payload: { disabled: false } });
    expect((await scimGet(dir.id, dir.scim.secretToken)).statusCode).toBe(200);
    await t.app.inject({ method: "DELETE", url: `/api/v1/directories/${dir.id}`, headers: adminAuth });
    expect((await scimGet(dir.id, dir.scim.secretToken)).statusCode).toBe(401);
  });

  it("a token of one directory does not open another", async () => {
    const a = await createDirectory("A");
    const b = await createDirectory("B");
    expect((await scimGet(b.id, a.scim.secretToken)).statusCode).toBe(401);
  });

  it("refuses more than MAX_TOKENS_PER_DIRECTORY live tokens with 409 token_limit_reached", async () => {
    const dir = await createDirectory("Limit");
    for (let i = 0; i < 2; i++) {
      expect((await t.app.inject({ method: "POST", url: `/api/v1/directories/${dir.id}/tokens`, headers: adminAuth })).statusCode).toBe(
        201,
      );
    }
    const over = await t.app.inject({ method: "POST", url: `/api/v1/directories/${dir.id}/tokens`, headers: adminAuth });
    expect(over.statusCode).toBe(409);
    expect(over.headers["content-type"]).toContain("application/problem+json");
    expect(over.json()).toMatchObject({ status: 409, code: "token_limit_reached" });
    // a revoked token frees a slot
    const first = (await t.app.inject({ method: "GET", url: `/api/v1/directories/${dir.id}/tokens`, headers: adminAuth })).json().data[0]
      .id;
    await t.app.inject({ method: "DELETE", url: `/api/v1/directories/${dir.id}/tokens/${first}`, headers: adminAuth });
    expect((await t.app.inject({ method: "POST", url: `/api/v1/directories/${dir.id}/tokens`, headers: adminAuth })).statusCode).toBe(201);
  });

  it("concurrent issues cannot pass the limit", async () => {
    const dir = await createDirectory("Race");
    const results = await Promise.all(
      Array.from({ length: 6 }, () => t.app.inject({ method: "POST", url: `/api/v1/directories/${dir.id}/tokens`, headers: adminAuth })),
    );
    expect(results.filter((r) => r.statusCode === 201)).toHaveLength(2);
    expect(results.filter((r) => r.statusCode === 409)).toHaveLength(4);
  });

  it("404s unknown directories and tokens, 400s malformed ids", async () => {
    const dir = await createDirectory("Missing");
    const unknownDir = randomUUID();
    for (const [method, url] of [
      ["POST", `/api/v1/directories/${unknownDir}/tokens`],
      ["GET", `/api/v1/directories/${unknownDir}/tokens`],
      ["DELETE", `/api/v1/directories/${unknownDir}/tokens/${randomUUID()}`],
    ] as const) {
      const res = await t.app.inject({ method, url, headers: adminAuth });
      expect(res.statusCode, url).toBe(404);
      expect(res.json().code).toBe("directory_not_found");
    }
    const other = await createDirectory("Other");
    const otherToken = (await t.app.inject({ method: "GET", url: `/api/v1/directories/${other.id}/tokens`, headers: adminAuth })).json()
      .data[0].id;
    for (const tokenId of [randomUUID(), otherToken]) {
      const res = await t.app.inject({ method: "DELETE", url: `/api/v1/directories/${dir.id}/tokens/${tokenId}`, headers: adminAuth });
      expect(res.statusCode).toBe(404);
      expect(res.json().code).toBe("token_not_found");
    }
    const bad = await t.app.inject({ method: "DELETE", url: `/api/v1/directories/${dir.id}/tokens/xyz`, headers: adminAuth });
    expect(bad.statusCode).toBe(400);
  });

  it("stores only a hash of the token", async () => {
    const dir = await createDirectory("Hash");
    const rows = await t.app.db.pool.query("SELECT * FROM directory_tokens WHERE directory_id = $1", [dir.id]);
    expect(JSON.stringify(rows.rows)).not.toContain(dir.scim.secretToken);
    expect(rows.rows[0].hash).toMatch(/^[0-9a-f]{64}$/);
  });
});
