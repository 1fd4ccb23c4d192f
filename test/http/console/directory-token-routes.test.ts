import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ConsoleDirectory, copyFieldValue, createDirectoryInConsole } from "../../helpers/console-directories.js";
import { type ConsoleClient, signInToConsole } from "../../helpers/console-session.js";
import { buildTestApp, type TestApp } from "../../helpers/test-app.js";

// A directory's tokens page: metadata only, issuing (the token shown once), revoking (then SCIM says 401).

describe("console: directory tokens", () => {
  let t: TestApp;
  let c: ConsoleClient;
  let d: ConsoleDirectory;
  beforeAll(async () => {
    t = await buildTestApp({ MAX_TOKENS_PER_DIRECTORY: "2" });
    c = await signInToConsole(t.app);
    d = await createDirectoryInConsole(c, { name: "Token Co" });
  });
  afterAll(async () => t?.close());

  const scimStatus = async (token: string) =>
    (await t.app.inject({ method: "GET", url: `/scim/v2/${d.id}/Users`, headers: { authorization: `Bearer ${token}` } })).statusCode;
  const tokensPath = () => `/console/directories/${d.id}/tokens`;

  it("lists tokens by prefix with their dates, never the token", async () => {
    expect(await scimStatus(d.token)).toBe(200);
    const page = await c.get(tokensPath());
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain("<h1>Tokens</h1>");
    expect(page.body.match(/<tr id="token-/g)).toHaveLength(1);
    expect(page.body).toContain('<span class="badge ok">live</span>');
    expect(page.body).toContain(`<span class="mono">${d.token.slice(0, 8)}`);
    expect(page.body).not.toContain(d.token);
    expect(page.body).toContain(">Issue new token</button>");
  });

  it("issues a token shown once, which then works for SCIM", async () => {
    const res = await c.post(tokensPath());
    expect(res.statusCode).toBe(201);
    expect(res.headers["cache-control"]).toBe("no-store");
    const token = copyFieldValue(res.body, "secret-token")!;
    expect(token).toMatch(/^scim_/);
    expect(token).not.toBe(d.token);
    expect(res.body).toContain("shown only on this page");
    expect(await scimStatus(token)).toBe(200);
    const again = await c.get(tokensPath());
    expect(again.body).not.toContain(token);
    expect(again.body.match(/<tr id="token-/g)).toHaveLength(2);
    expect(t.logText()).not.toContain(token);
  });

  it("refuses a token past the limit with a 409 page", async () => {
    const res = await c.post(tokensPath());
    expect(res.statusCode).toBe(409);
    expect(res.body).toContain("a directory may have at most 2 live tokens; revoke one first");
  });

  it("revokes a token: SCIM requests with it get 401 at once", async () => {
    const [first] = await t.app.db.prisma.directoryToken.findMany({ where: { directoryId: d.id }, orderBy: { createdAt: "asc" } });
    const res = await c.post(`${tokensPath()}/${first!.id}/revoke`);
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe(`${tokensPath()}?notice=token-revoked`);
    expect(await scimStatus(d.token)).toBe(401);
    const page = await c.get(res.headers.location as string);
    expect(page.body).toContain("Token revoked: requests with it are refused from now on.");
    expect(page.body).toContain('<span class="badge off">revoked</span>');
  });

  it("answers an unknown token or directory with a 404 page", async () => {
    expect((await c.post(`${tokensPath()}/${randomUUID()}/revoke`)).statusCode).toBe(404);
    const malformed = await c.post(`${tokensPath()}/nope/revoke`);
    expect(malformed.statusCode).toBe(404);
    expect(malformed.body).toContain("token not found in this directory");
    expect((await c.post(`/console/directories/${randomUUID()}/tokens`)).statusCode).toBe(404);
    expect((await c.get(`/console/directories/${randomUUID()}/tokens`)).statusCode).toBe(404);
  });
});
