import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DirectoryNotFound } from "../../../src/directories/directory-service.js";
import { issueSecretTokenForLink, openSetupLink } from "../../../src/setup-links/setup-link-service.js";
import { setupLinkKey } from "../../../src/setup-links/setup-link-token.js";
import { adminAuth, buildTestApp, type TestApp } from "../../helpers/test-app.js";
import { createDirectory, createSetupLinkUrl } from "./directory-fixture.js";

// Issue 13, item 4: every path that issues a Secret Token holds MAX_TOKENS_PER_DIRECTORY, concurrent requests included.

const LIMIT = 5;
const CONCURRENT = 40;
const LIMIT_MESSAGE = `This connection already has the maximum of ${LIMIT} active Secret Tokens, so no new one can be created.`;

describe("setup page and admin API: the token limit under concurrency", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp({ MAX_TOKENS_PER_DIRECTORY: String(LIMIT) });
  });
  afterAll(async () => t.close());

  const liveTokens = (directoryId: string) => t.app.db.prisma.directoryToken.count({ where: { directoryId, revokedAt: null } });

  it(`${CONCURRENT} concurrent Reveal token posts issue exactly ${LIMIT}; the rest get a 409 page saying why`, async () => {
    const directoryId = await createDirectory(t.app, "Race");
    const link = await createSetupLinkUrl(t.app, directoryId);
    const results = await Promise.all(
      Array.from({ length: CONCURRENT }, () =>
        t.app.inject({
          method: "POST",
          url: `${link.path}/secret-token`,
          headers: { "content-type": "application/x-www-form-urlencoded" },
          payload: "",
        }),
      ),
    );
    const statuses = results.map((r) => r.statusCode);
    expect(statuses.filter((s) => s === 200)).toHaveLength(LIMIT);
    expect(statuses.filter((s) => s === 409)).toHaveLength(CONCURRENT - LIMIT);
    const shown = new Set(results.flatMap((r) => r.body.match(/scim_[A-Za-z0-9_-]{43}/g) ?? []));
    expect(shown.size).toBe(LIMIT);
    for (const refused of results.filter((r) => r.statusCode === 409)) {
      expect(refused.headers["content-type"]).toBe("text/html; charset=utf-8");
      expect(refused.body).toContain(LIMIT_MESSAGE);
      expect(refused.body).toContain("ask the team that sent this link to revoke an unused token");
      expect(refused.body).not.toMatch(/scim_[A-Za-z0-9_-]{43}/);
    }
    expect(await liveTokens(directoryId)).toBe(LIMIT);
  });

  it("the setup page and the admin API share one limit when they race each other", async () => {
    const directoryId = await createDirectory(t.app, "Both");
    const link = await createSetupLinkUrl(t.app, directoryId);
    const results = await Promise.all(
      Array.from({ length: CONCURRENT }, (_, i) =>
        i % 2
          ? t.app.inject({ method: "POST", url: `${link.path}/secret-token` })
          : t.app.inject({ method: "POST", url: `/api/v1/directories/${directoryId}/tokens`, headers: adminAuth }),
      ),
    );
    const issued = results.filter((r) => r.statusCode === 200 || r.statusCode === 201);
    expect(issued).toHaveLength(LIMIT);
    const adminRefusals = results.filter((r, i) => i % 2 === 0 && r.statusCode === 409);
    for (const r of adminRefusals) {
      expect(r.headers["content-type"]).toContain("application/problem+json");
      expect(r.json()).toMatchObject({ status: 409, code: "token_limit_reached" });
    }
    expect(results.filter((r) => r.statusCode === 409)).toHaveLength(CONCURRENT - LIMIT);
    expect(await liveTokens(directoryId)).toBe(LIMIT);
  });

  it("a revoked token frees a place for the setup page", async () => {
    const directoryId = await createDirectory(t.app, "Freed");
    const link = await createSetupLinkUrl(t.app, directoryId);
    for (let i = 0; i < LIMIT; i++) expect((await t.app.inject({ method: "POST", url: `${link.path}/secret-token` })).statusCode).toBe(200);
    expect((await t.app.inject({ method: "POST", url: `${link.path}/secret-token` })).statusCode).toBe(409);
    const tokens = (await t.app.inject({ method: "GET", url: `/api/v1/directories/${directoryId}/tokens`, headers: adminAuth })).json()
      .data;
    const revoke = await t.app.inject({
      method: "DELETE",
      url: `/api/v1/directories/${directoryId}/tokens/${tokens[0].id}`,
      headers: adminAuth,
    });
    expect(revoke.statusCode).toBe(204);
    expect((await t.app.inject({ method: "POST", url: `${link.path}/secret-token` })).statusCode).toBe(200);
    expect(await liveTokens(directoryId)).toBe(LIMIT);
  });

  it("a directory deleted after its link was opened gets no token; the page then says the link is not valid", async () => {
    const directoryId = await createDirectory(t.app, "Gone");
    const link = await createSetupLinkUrl(t.app, directoryId);
    const opened = await openSetupLink(t.app.db, setupLinkKey(t.config.secretsKey), link.token);
    if (opened.state !== "valid") throw new Error(`link not valid: ${opened.state}`);
    const deleted = await t.app.inject({ method: "DELETE", url: `/api/v1/directories/${directoryId}`, headers: adminAuth });
    expect(deleted.statusCode).toBe(204);
    await expect(issueSecretTokenForLink(t.app.db, t.config, opened)).rejects.toBeInstanceOf(DirectoryNotFound);
    const reveal = await t.app.inject({ method: "POST", url: `${link.path}/secret-token` });
    expect(reveal.statusCode).toBe(404);
    expect(reveal.body).toContain("This setup link is not valid");
    expect(await liveTokens(directoryId)).toBe(0);
  });
});
