import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDirectory } from "../../../src/directories/directory-service.js";
import { AuthFailureLimiter } from "../../../src/http/plugins/rate-limit.js";
import { adminAuth, buildTestApp, TEST_ADMIN_KEY, type TestApp } from "../../helpers/test-app.js";

const SECOND_KEY = "second-admin-key-abcdefghijklmnop";

describe("admin API authentication", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp({ ADMIN_API_KEY: `${TEST_ADMIN_KEY},${SECOND_KEY}` });
  });
  afterAll(async () => t.close());

  // one route of each module, including routes other modules register under /api/v1
  const id = randomUUID();
  const routes: [string, string][] = [
    ["GET", "/api/v1/directories"],
    ["POST", "/api/v1/directories"],
    ["GET", `/api/v1/directories/${id}`],
    ["PATCH", `/api/v1/directories/${id}`],
    ["DELETE", `/api/v1/directories/${id}`],
    ["GET", `/api/v1/directories/${id}/tokens`],
    ["POST", `/api/v1/directories/${id}/tokens`],
    ["DELETE", `/api/v1/directories/${id}/tokens/${id}`],
    ["GET", `/api/v1/directories/${id}/users`],
    ["GET", `/api/v1/directories/${id}/users/${id}`],
    ["GET", `/api/v1/directories/${id}/users/${id}/groups`],
    ["GET", `/api/v1/directories/${id}/groups`],
    ["GET", `/api/v1/directories/${id}/groups/${id}`],
    ["GET", `/api/v1/directories/${id}/groups/${id}/members`],
    ["GET", `/api/v1/directories/${id}/stats`],
  ];

  it.each(routes)("%s %s without a key → 401 problem with WWW-Authenticate", async (method, url) => {
    const res = await t.app.inject({
      method: method as "GET",
      url,
      remoteAddress: `127.1.${routes.findIndex((r) => r[1] === url && r[0] === method)}.1`,
    });
    expect(res.statusCode).toBe(401);
    expect(res.headers["www-authenticate"]).toMatch(/^Bearer/);
    expect(res.headers["content-type"]).toContain("application/problem+json");
    expect(res.json()).toMatchObject({ status: 401, code: "unauthorized" });
  });

  it("a wrong key, a non-bearer scheme and an empty bearer → 401", async () => {
    for (const authorization of [
      "Bearer wrong-key-0123456789abcdef",
      `Basic ${Buffer.from("a:b").toString("base64")}`,
      "Bearer ",
      TEST_ADMIN_KEY,
    ]) {
      const res = await t.app.inject({ method: "GET", url: "/api/v1/directories", headers: { authorization }, remoteAddress: "127.2.0.1" });
      expect(res.statusCode, authorization).toBe(401);
      expect(res.headers["www-authenticate"]).toMatch(/^Bearer/);
    }
  });

  it("every configured key works (rotation)", async () => {
    for (const key of [TEST_ADMIN_KEY, SECOND_KEY]) {
      const res = await t.app.inject({ method: "GET", url: "/api/v1/directories", headers: { authorization: `Bearer ${key}` } });
      expect(res.statusCode).toBe(200);
    }
  });

  it("admin keys never reach the log", async () => {
    await t.app.inject({
      method: "GET",
      url: "/api/v1/directories",
      headers: { authorization: "Bearer wrong-but-secret-key-xyz" },
      remoteAddress: "127.3.0.1",
    });
    expect(t.logText()).not.toContain(TEST_ADMIN_KEY);
    expect(t.logText()).not.toContain(SECOND_KEY);
    expect(t.logText()).not.toContain("wrong-but-secret-key-xyz");
  });
});

describe("rate limits", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp({ ADMIN_RATE_LIMIT_PER_MINUTE: "5", AUTH_FAILURE_LIMIT_PER_MINUTE: "3" });
  });
  afterAll(async () => t.close());

  it("the admin API answers 429 with Retry-After past the per-key limit", async () => {
    const statuses: number[] = [];
    let last: Awaited<ReturnType<TestApp["app"]["inject"]>> | undefined;
    for (let i = 0; i < 6; i++) {
      last = await t.app.inject({ method: "GET", url: "/api/v1/directories", headers: adminAuth, remoteAddress: `127.9.0.${i}` });
      statuses.push(last.statusCode);
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    expect(Number(last!.headers["retry-after"])).toBeGreaterThan(0);
    expect(last!.headers["content-type"]).toContain("application/problem+json");
    expect(last!.json()).toMatchObject({ status: 429, code: "rate_limited" });
  });

  it("failed admin authentications are limited per IP: 429 with Retry-After for further wrong keys", async () => {
    const ip = "127.20.0.1";
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await t.app.inject({
        method: "GET",
        url: "/api/v1/directories",
        headers: { authorization: `Bearer nope-${i}-0123456789abcdef` },
        remoteAddress: ip,
      });
      statuses.push(res.statusCode);
    }
    expect(statuses).toEqual([401, 401, 401, 429]);
    const blocked = await t.app.inject({
      method: "GET",
      url: "/api/v1/directories/x",
      headers: { authorization: "Bearer another-0123456789abcdef" },
      remoteAddress: ip,
    });
    expect(blocked.statusCode).toBe(429);
    expect(Number(blocked.headers["retry-after"])).toBeGreaterThan(0);
    expect(blocked.json()).toMatchObject({ status: 429, code: "too_many_auth_failures" });
    // other IPs are unaffected
    const other = await t.app.inject({
      method: "GET",
      url: "/api/v1/directories/x",
      headers: { authorization: "Bearer nope-0123456789abcdef" },
      remoteAddress: "127.20.0.2",
    });
    expect(other.statusCode).toBe(401);
  });

  it("failed SCIM authentications are limited per IP: 429 SCIM error with Retry-After", async () => {
    const dir = randomUUID();
    const statuses: number[] = [];
    let last: Awaited<ReturnType<TestApp["app"]["inject"]>> | undefined;
    for (let i = 0; i < 5; i++) {
      last = await t.app.inject({
        method: "GET",
        url: `/scim/v2/${dir}/Users`,
        headers: { authorization: "Bearer scim_notarealtoken0123456789abcdef" },
        remoteAddress: "127.30.0.1",
      });
      statuses.push(last.statusCode);
    }
    expect(statuses).toEqual([401, 401, 401, 429, 429]);
    expect(Number(last!.headers["retry-after"])).toBeGreaterThan(0);
    expect(last!.json()).toMatchObject({ schemas: ["urn:ietf:params:scim:api:messages:2.0:Error"], status: "429" });
  });

  it("failed SCIM authentications are limited per directory across IPs, while the right token keeps working", async () => {
    // through the service: this app's admin key is already over its request limit
    const { id, scim } = await createDirectory(t.app.db, t.config, { name: "Target" });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await t.app.inject({
        method: "GET",
        url: `/scim/v2/${id}/Users`,
        headers: { authorization: "Bearer scim_wrongwrongwrongwrongwrong" },
        remoteAddress: `127.40.0.${i}`,
      });
      statuses.push(res.statusCode);
    }
    expect(statuses).toEqual([401, 401, 401, 429]);
    const ok = await t.app.inject({
      method: "GET",
      url: `/scim/v2/${id}/Users`,
      headers: { authorization: `Bearer ${scim.secretToken}` },
      remoteAddress: "127.40.0.50",
    });
    expect(ok.statusCode).toBe(200);
  });
});

describe("failures never lock out valid credentials", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp({ AUTH_FAILURE_LIMIT_PER_MINUTE: "3" });
  });
  afterAll(async () => t.close());

  it("over the failure limit from one IP, that IP's valid SCIM tokens and admin key still work; only failures get 429", async () => {
    const ip = "127.50.0.1";
    const a = await createDirectory(t.app.db, t.config, { name: "A" });
    const b = await createDirectory(t.app.db, t.config, { name: "B" });
    const scim = (id: string, token: string) =>
      t.app.inject({ method: "GET", url: `/scim/v2/${id}/Users`, headers: { authorization: `Bearer ${token}` }, remoteAddress: ip });
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await scim(a.id, `scim_wrong${i}wrongwrongwrongwrongwrong`)).statusCode);
    expect(statuses).toEqual([401, 401, 401, 429, 429]);

    // valid credentials from the same IP: the same directory, another directory, the admin API
    expect((await scim(a.id, a.scim.secretToken)).statusCode).toBe(200);
    expect((await scim(b.id, b.scim.secretToken)).statusCode).toBe(200);
    const admin = await t.app.inject({ method: "GET", url: "/api/v1/directories", headers: adminAuth, remoteAddress: ip });
    expect(admin.statusCode).toBe(200);

    // failures from that IP are still refused: SCIM error body, and problem+json on the admin API
    const badScim = await scim(b.id, "scim_stillwrongwrongwrongwrongwrong");
    expect(badScim.statusCode).toBe(429);
    expect(Number(badScim.headers["retry-after"])).toBeGreaterThan(0);
    expect(badScim.headers["content-type"]).toContain("application/scim+json");
    expect(badScim.json()).toMatchObject({ schemas: ["urn:ietf:params:scim:api:messages:2.0:Error"], status: "429" });
    expect(badScim.json().scimType).toBeUndefined();
    const badAdmin = await t.app.inject({
      method: "GET",
      url: "/api/v1/directories",
      headers: { authorization: "Bearer wrong-admin-key-0123456789abcdef" },
      remoteAddress: ip,
    });
    expect(badAdmin.statusCode).toBe(429);
    expect(Number(badAdmin.headers["retry-after"])).toBeGreaterThan(0);
    expect(badAdmin.headers["content-type"]).toContain("application/problem+json");
    expect(badAdmin.json()).toMatchObject({ status: 429, code: "too_many_auth_failures" });

    // valid requests do not count as failures: after many of them, another IP's first failure is a 401
    const other = await t.app.inject({
      method: "GET",
      url: "/api/v1/directories",
      headers: { authorization: "Bearer wrong-admin-key-0123456789abcdef" },
      remoteAddress: "127.50.0.2",
    });
    expect(other.statusCode).toBe(401);
  });
});

describe("AuthFailureLimiter", () => {
  it("counts failures per IP and per directory, and opens again after the one-minute window", () => {
    let now = 1_000_000;
    const limiter = new AuthFailureLimiter(2, () => now);
    expect(limiter.recordFailure("1.1.1.1", "d")).toBeNull();
    expect(limiter.recordFailure("1.1.1.1", "d")).toBeNull();
    expect(limiter.recordFailure("1.1.1.1", "d")).toBe(60);
    now += 30_000;
    expect(limiter.recordFailure("1.1.1.1")).toBe(30);
    expect(limiter.recordFailure("2.2.2.2")).toBeNull();
    expect(limiter.recordFailure("3.3.3.3", "d")).toBe(30);
    now += 30_001;
    expect(limiter.recordFailure("1.1.1.1", "d")).toBeNull();
  });
});
