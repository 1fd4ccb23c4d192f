import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { issueSecretToken } from "../../../src/directories/directory-tokens.js";
import { adminAuth, buildTestApp, type TestApp } from "../../helpers/test-app.js";
import { createDirectory, createSetupLinkUrl } from "./directory-fixture.js";

// Anyone who knows a Tenant URL can send requests to it. Those without a valid Secret Token are counted
// on the setup page, never shown as the IdP's status or as its errors, and never with their text.

const ATTACKER_TEXT = "URGENT: your token leaked - call";

describe("setup page status: authenticated traffic apart from unauthenticated noise", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp();
  });
  afterAll(async () => t.close());

  it("noise neither flips the status nor appears as recent errors, and is counted", async () => {
    const dir = await createDirectory(t.app, "Northwind");
    const link = await createSetupLinkUrl(t.app, dir);
    const token = (await t.app.db.prisma.$transaction((tx) => issueSecretToken(tx, t.config, dir)))!.secretToken;
    // the IdP's Test Connection with its real token
    const ok = await t.app.inject({
      method: "GET",
      url: `/scim/v2/${dir}/Users?filter=userName%20eq%20%22${randomUUID()}%22`,
      headers: { authorization: `Bearer ${token}` },
    });
    expect(ok.statusCode).toBe(200);

    // then anyone: no token, a wrong token, a Test Connection lookalike, each carrying text of their choosing
    const noise = [
      { url: `/scim/v2/${dir}/${encodeURIComponent(ATTACKER_TEXT)}`, headers: {} },
      { url: `/scim/v2/${dir}/Users/${encodeURIComponent(ATTACKER_TEXT)}`, headers: { authorization: "Bearer scim_wrong" } },
      { url: `/scim/v2/${dir}/Users?filter=userName+eq+%22${encodeURIComponent(ATTACKER_TEXT)}%22`, headers: {} },
    ];
    const statuses = [];
    for (const r of noise) statuses.push((await t.app.inject({ method: "GET", ...r })).statusCode);
    // an unknown resource type answers 404 before authentication; both are noise
    expect(statuses).toEqual([404, 401, 401]);
    await t.app.requestLog.flush();

    const res = await t.app.inject({ method: "GET", url: `${link.path}/status` });
    expect(res.statusCode).toBe(200);
    expect(res.body).not.toContain("URGENT");
    const s = res.json();
    expect(s.lastRequest).toMatchObject({ method: "GET", path: "/Users", status: 200 });
    expect(s.testConnection).toMatchObject({ seen: true, lastAttemptStatus: 200 });
    expect(s.recentErrors).toEqual([]);
    expect(s.unauthenticatedRecently).toBe(3);
    expect(s.display).toMatchObject({ state: "connected", errors: [] });
    expect(s.display.testConnection).toMatch(/^Succeeded at /);
    expect(s.display.unauthenticated).toMatch(/^3 requests without a valid token in the last 24 h\./);

    const page = await t.app.inject({ method: "GET", url: link.path });
    expect(page.body).not.toContain("URGENT");
    expect(page.body).not.toContain("Last attempt failed");
    expect(page.body).toContain("3 requests without a valid token in the last 24 h.");
    expect(page.body).toMatch(/data-state="connected"/);

    // the admin's directory stats show the IdP's last request too, not the noise after it
    const stats = await t.app.inject({ method: "GET", url: `/api/v1/directories/${dir}/stats`, headers: adminAuth });
    expect(stats.json().lastScimRequest).toMatchObject({ path: "/Users", status: 200, outcome: "success" });

    // the request log still keeps every request, each marked whether it carried a valid token
    const rows = await t.app.db.pool.query("SELECT status, authenticated FROM scim_requests WHERE directory_id = $1 ORDER BY id", [dir]);
    expect(rows.rows).toEqual([
      { status: 200, authenticated: true },
      { status: 404, authenticated: false },
      { status: 401, authenticated: false },
      { status: 401, authenticated: false },
    ]);
  });

  it("noise older than 24 hours is not counted", async () => {
    const dir = await createDirectory(t.app, "Tailspin");
    const link = await createSetupLinkUrl(t.app, dir);
    expect((await t.app.inject({ method: "GET", url: `/scim/v2/${dir}/Users` })).statusCode).toBe(401);
    expect((await t.app.inject({ method: "GET", url: `/scim/v2/${dir}/Groups` })).statusCode).toBe(401);
    await t.app.requestLog.flush();
    await t.app.db.pool.query("UPDATE scim_requests SET at = now() - interval '25 hours' WHERE directory_id = $1 AND path = '/Users'", [
      dir,
    ]);
    const s = (await t.app.inject({ method: "GET", url: `${link.path}/status` })).json();
    expect(s.unauthenticatedRecently).toBe(1);
    expect(s.display).toMatchObject({ state: "waiting", unauthenticated: expect.stringMatching(/^1 request without a valid token/) });
    expect(s.lastRequest).toBeNull();
  });
});
