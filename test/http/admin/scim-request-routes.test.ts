import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createScimDirectory, type ScimDirectory, scimClient, USER_SCHEMA } from "../../helpers/scim-fixtures.js";
import { adminAuth, buildTestApp, type TestApp } from "../../helpers/test-app.js";
import { requestLogRow } from "../../helpers/request-log-rows.js";

describe("admin API: GET /directories/{id}/scim-requests", () => {
  let t: TestApp;
  let d: ScimDirectory;
  beforeAll(async () => {
    t = await buildTestApp();
    d = await createScimDirectory(t);
    const scim = scimClient(t, d);
    // real traffic: 2 successes, a 409, a 404 and a 401, in this order
    await scim("GET", `/Users?filter=userName eq "${randomUUID()}"`);
    await scim("POST", "/Users", { schemas: [USER_SCHEMA], userName: "ada@contoso.example" });
    await scim("POST", "/Users", { schemas: [USER_SCHEMA], userName: "ada@contoso.example" }, { "client-request-id": "dup-1" });
    await scim("GET", `/Users/${randomUUID()}`);
    await t.app.inject({ method: "GET", url: `${d.base}/Users`, headers: { authorization: "Bearer scim_wrong-token-wrong-token" } });
    await t.app.requestLog.flush();
  });
  afterAll(async () => t.close());

  const url = (query = "") => `/api/v1/directories/${d.directoryId}/scim-requests${query}`;

  it("lists the directory's requests newest first with what the client saw", async () => {
    const res = await t.app.inject({ method: "GET", url: url(), headers: adminAuth });
    expect(res.statusCode).toBe(200);
    const { data, nextCursor } = res.json();
    expect(nextCursor).toBeNull();
    expect(data.map((r: { status: number }) => r.status)).toEqual([401, 404, 409, 201, 200]);
    expect(data[2]).toMatchObject({ method: "POST", path: "/Users", status: 409, scimType: "uniqueness", clientRequestId: "dup-1" });
    expect(data[2].detail).toEqual(expect.any(String));
    expect(data[4]).toMatchObject({ method: "GET", path: "/Users", query: 'filter=userName eq "[redacted]"' });
    expect(Date.parse(data[0].at)).not.toBeNaN();
    expect(res.body).not.toContain(d.token);
  });

  it("filters by exact status or status class", async () => {
    const exact = (await t.app.inject({ method: "GET", url: url("?status=409"), headers: adminAuth })).json();
    expect(exact.data.map((r: { status: number }) => r.status)).toEqual([409]);
    const cls = (await t.app.inject({ method: "GET", url: url("?status=4xx"), headers: adminAuth })).json();
    expect(cls.data.map((r: { status: number }) => r.status)).toEqual([401, 404, 409]);
    const ok = (await t.app.inject({ method: "GET", url: url("?status=2xx"), headers: adminAuth })).json();
    expect(ok.data.map((r: { status: number }) => r.status)).toEqual([201, 200]);
  });

  it("pages with a keyset cursor", async () => {
    const seen: number[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const q: string = `?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
      const page = (await t.app.inject({ method: "GET", url: url(q), headers: adminAuth })).json();
      seen.push(...page.data.map((r: { status: number }) => r.status));
      cursor = page.nextCursor;
      pages++;
    } while (cursor && pages < 10);
    expect(pages).toBe(3);
    expect(seen).toEqual([401, 404, 409, 201, 200]);
    const filtered = (await t.app.inject({ method: "GET", url: url("?status=4xx&limit=2"), headers: adminAuth })).json();
    const rest = (
      await t.app.inject({ method: "GET", url: url(`?status=4xx&limit=2&cursor=${filtered.nextCursor}`), headers: adminAuth })
    ).json();
    expect(rest.data.map((r: { status: number }) => r.status)).toEqual([409]);
    expect(rest.nextCursor).toBeNull();
  });

  it("orders by position, not by the id's text, once ids pass 9", async () => {
    const other = await createScimDirectory(t, { name: "Many" });
    for (let i = 0; i < 12; i++) {
      t.app.requestLog.add(requestLogRow(other.directoryId, { path: `/Users/${i}` }));
    }
    await t.app.requestLog.flush();
    const newestFirst = Array.from({ length: 12 }, (_, i) => `/Users/${11 - i}`);
    const all = (
      await t.app.inject({ method: "GET", url: `/api/v1/directories/${other.directoryId}/scim-requests`, headers: adminAuth })
    ).json();
    expect(all.data.map((r: { path: string }) => r.path)).toEqual(newestFirst);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const q: string = `?limit=5${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
      const page = (
        await t.app.inject({ method: "GET", url: `/api/v1/directories/${other.directoryId}/scim-requests${q}`, headers: adminAuth })
      ).json();
      seen.push(...page.data.map((r: { path: string }) => r.path));
      cursor = page.nextCursor;
    } while (cursor && seen.length < 50);
    expect(seen).toEqual(newestFirst);
  });

  it("rejects a bad status, cursor or limit with a problem", async () => {
    for (const [q, code] of [
      ["?status=abc", "invalid_status"],
      ["?status=6xx", "invalid_status"],
      ["?cursor=not-a-cursor", "invalid_cursor"],
      [`?cursor=${Buffer.from(JSON.stringify({ id: "1; drop" })).toString("base64url")}`, "invalid_cursor"],
      ["?limit=0", "validation_failed"],
      ["?limit=1000", "validation_failed"],
    ] as const) {
      const res = await t.app.inject({ method: "GET", url: url(q), headers: adminAuth });
      expect(res.statusCode, q).toBe(400);
      expect(res.headers["content-type"]).toContain("application/problem+json");
      expect(res.json().code, q).toBe(code);
    }
  });

  it("answers 404 for an unknown directory and 401 without the admin key", async () => {
    const missing = await t.app.inject({ method: "GET", url: `/api/v1/directories/${randomUUID()}/scim-requests`, headers: adminAuth });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().code).toBe("directory_not_found");
    const anon = await t.app.inject({ method: "GET", url: url() });
    expect(anon.statusCode).toBe(401);
    const scimToken = await t.app.inject({ method: "GET", url: url(), headers: { authorization: `Bearer ${d.token}` } });
    expect(scimToken.statusCode).toBe(401);
  });
});
