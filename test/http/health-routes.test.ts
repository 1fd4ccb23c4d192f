import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildTestApp, type TestApp } from "../helpers/test-app.js";

describe("health", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp();
  });
  afterAll(async () => t.close());

  it("GET /healthz answers 200 while the process is up", async () => {
    const res = await t.app.inject({ method: "GET", url: "/healthz" });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: "ok" });
  });

  it("GET /readyz answers 200 when the database is reachable", async () => {
    const res = await t.app.inject({ method: "GET", url: "/readyz" });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: "ready" });
  });

  it("echoes a safe client-request-id as x-request-id and replaces an unsafe one", async () => {
    const ok = await t.app.inject({ method: "GET", url: "/healthz", headers: { "client-request-id": "abc-123" } });
    expect(ok.headers["x-request-id"]).toBe("abc-123");
    const bad = await t.app.inject({ method: "GET", url: "/healthz", headers: { "client-request-id": "a b\tc<script>" } });
    expect(bad.headers["x-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("unknown routes answer problem+json 404", async () => {
    const res = await t.app.inject({ method: "GET", url: "/nope" });
    expect(res.statusCode).toBe(404);
    expect(res.headers["content-type"]).toContain("application/problem+json");
    expect(res.json()).toMatchObject({ status: 404, code: "not_found" });
  });
});

describe("malformed URLs", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp();
  });
  afterAll(async () => t.close());

  it("answer a SCIM error body under /scim and problem+json elsewhere", async () => {
    const scim = await t.app.inject({ method: "GET", url: "/scim/v2/%E0%A4%A/Users" });
    expect(scim.statusCode).toBe(400);
    expect(scim.headers["content-type"]).toContain("application/scim+json");
    expect(scim.json()).toMatchObject({ schemas: ["urn:ietf:params:scim:api:messages:2.0:Error"], status: "400" });
    const admin = await t.app.inject({ method: "GET", url: "/setup/%E0%A4%A" });
    expect(admin.statusCode).toBe(400);
    expect(admin.headers["content-type"]).toContain("application/problem+json");
    expect(admin.json()).toMatchObject({ status: 400, code: "bad_request" });
  });
});
