import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminAuth, buildTestApp, type TestApp } from "../../helpers/test-app.js";
import { createDirectory } from "../setup/directory-fixture.js";

describe("admin API: setup links", () => {
  let t: TestApp;
  let directoryId: string;
  beforeAll(async () => {
    t = await buildTestApp({ SETUP_LINK_TTL_DAYS: "3" });
    directoryId = await createDirectory(t.app);
  });
  afterAll(async () => t.close());

  const base = () => `/api/v1/directories/${directoryId}/setup-links`;

  it("creates a link under PUBLIC_URL that expires after SETUP_LINK_TTL_DAYS", async () => {
    const before = Date.now();
    const res = await t.app.inject({ method: "POST", url: base(), headers: adminAuth });
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body.url).toMatch(/^http:\/\/scimbridge\.test\/setup\/[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}$/);
    const expires = Date.parse(body.expiresAt);
    expect(expires - before).toBeGreaterThanOrEqual(3 * 86400_000 - 1000);
    expect(expires - before).toBeLessThanOrEqual(3 * 86400_000 + 5000);
  });

  it("accepts a custom lifetime and rejects one out of range", async () => {
    const ok = await t.app.inject({ method: "POST", url: base(), headers: adminAuth, payload: { ttlDays: 1 } });
    expect(ok.statusCode).toBe(201);
    expect(Date.parse(ok.json().expiresAt) - Date.now()).toBeLessThanOrEqual(86400_000);
    const bad = await t.app.inject({ method: "POST", url: base(), headers: adminAuth, payload: { ttlDays: 0 } });
    expect(bad.statusCode).toBe(400);
    expect(bad.headers["content-type"]).toContain("application/problem+json");
  });

  it("lists links without their secret URLs, and revoking one marks it revoked", async () => {
    const created = (await t.app.inject({ method: "POST", url: base(), headers: adminAuth })).json();
    const del = await t.app.inject({ method: "DELETE", url: `${base()}/${created.id}`, headers: adminAuth });
    expect(del.statusCode).toBe(204);
    const list = await t.app.inject({ method: "GET", url: base(), headers: adminAuth });
    expect(list.statusCode).toBe(200);
    const token = created.url.split("/").pop();
    expect(list.body).not.toContain(token);
    const entry = list.json().data.find((l: { id: string }) => l.id === created.id);
    expect(entry).toMatchObject({ id: created.id, state: "revoked" });
    expect(entry.revokedAt).toEqual(expect.any(String));
    expect(list.json().data.some((l: { state: string }) => l.state === "active")).toBe(true);
    const page = await t.app.inject({ method: "GET", url: new URL(created.url).pathname });
    expect(page.statusCode).toBe(410);
  });

  it("answers 404 for an unknown directory or link", async () => {
    const noDir = await t.app.inject({ method: "POST", url: `/api/v1/directories/${randomUUID()}/setup-links`, headers: adminAuth });
    expect(noDir.statusCode).toBe(404);
    expect(noDir.json()).toMatchObject({ code: "directory_not_found" });
    const noLink = await t.app.inject({ method: "DELETE", url: `${base()}/${randomUUID()}`, headers: adminAuth });
    expect(noLink.statusCode).toBe(404);
    expect(noLink.json()).toMatchObject({ code: "setup_link_not_found" });
    const badId = await t.app.inject({ method: "GET", url: "/api/v1/directories/not-a-uuid/setup-links", headers: adminAuth });
    expect(badId.statusCode).toBe(400);
  });

  it("needs the admin API key", async () => {
    const res = await t.app.inject({ method: "POST", url: base() });
    expect(res.statusCode).toBe(401);
    const list = await t.app.inject({ method: "GET", url: base(), headers: { authorization: "Bearer wrong-key-0123456789" } });
    expect(list.statusCode).toBe(401);
  });
});
